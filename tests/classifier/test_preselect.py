"""The labeling page's suggestion carries `preselect`: true only for a confident, in-set prediction, and
never on a re-label clip."""

from __future__ import annotations

import pytest

from annotation.services.projects import project_create
from classifier.models import Prediction
from classifier.services.inference import suggestion_for_task
from taxonomy import services as taxonomy_services
from tests.labeling.conftest import make_clips

from .suggestions import make_version, predict


@pytest.fixture
def task(small_taxonomy, editor, cat):
    release = taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)
    clip = make_clips(1, prefix="pre")[0]
    version = make_version(small_taxonomy, release)
    prediction = predict(version, clip, cat("cats"), 0.97, (cat("training"), 0.02))
    project = project_create(name="Pre", taxonomy=small_taxonomy, actor=editor, clip_filter={"ids": [clip.pk]})
    return project.tasks.get(), prediction


@pytest.mark.parametrize(
    ("preselect", "relabel", "expected"), [(True, "", True), (False, "", False), (True, "re-label: split", False)]
)
def test_preselect_only_when_the_model_may_and_never_on_a_relabel(task, preselect, relabel, expected):
    task, prediction = task
    Prediction.objects.filter(pk=prediction.pk).update(preselect=preselect, open_set_score=0.4)
    task.relabel_reason = relabel
    suggestion = suggestion_for_task(task)
    assert suggestion["preselect"] is expected and suggestion["open_set_score"] == pytest.approx(0.4)
    assert [t["category"]["code"] for t in suggestion["top"]] == ["cats", "training"]
