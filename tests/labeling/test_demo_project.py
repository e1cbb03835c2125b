"""`make_demo_data` ends with a working labeling project: the demo clips (processed even when the worker
has not run yet), two labels per clip, two gold clips with their answers, the demo people as members."""

from io import StringIO

import pytest
from django.core.management import call_command

from annotation.demo_projects import DEMO_PROJECT
from annotation.models import Clip, Project

pytestmark = pytest.mark.django_db


def test_demo_project_is_ready_to_label_and_idempotent(settings, tmp_path):
    from annotation.demo import demo_expected_categories

    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CLIPCAT_PROCESS_INLINE = False  # as `make run`: clips are queued, nothing processes them yet
    call_command("make_demo_data", stdout=StringIO())
    project = Project.objects.get(name=DEMO_PROJECT)
    clips = Clip.objects.filter(source__startswith="demo")
    assert project.tasks.count() == clips.count() > 30
    assert project.overlap == 2 and project.release == project.taxonomy.releases.order_by("-major", "-minor")[0]
    roles = dict(project.members.values_list("user__username", "role"))
    assert roles == {"editor": "manager", "annotator": "annotator", "annotator2": "annotator", "reviewer": "reviewer"}
    gold = list(project.tasks.filter(is_gold=True).select_related("clip", "gold_category"))
    expected = demo_expected_categories()
    assert len(gold) == 2 and all(t.gold_category.code == expected[t.clip.title] for t in gold)

    call_command("make_demo_data", stdout=StringIO())
    assert Project.objects.filter(name=DEMO_PROJECT).count() == 1
    assert project.tasks.count() == clips.count()
