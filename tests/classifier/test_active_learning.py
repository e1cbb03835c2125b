"""Active-learning priorities: the balanced and diversity strategies choose among the project's own open
tasks (not every clip the model predicted), and a project gets its order from the active model as soon as
it is created, its clips are synced or its strategy changes (not at the next promotion)."""

from __future__ import annotations

import numpy as np
import pytest

from annotation.choices import TaskStatus
from annotation.models import Task
from annotation.services.projects import project_create, project_sync_tasks, project_update
from classifier import active_learning
from classifier.active_learning import priorities_refresh
from classifier.choices import ModelStatus, Strategy
from classifier.models import Prediction
from taxonomy import services as taxonomy_services
from tests.classifier.suggestions import make_version
from tests.labeling.conftest import make_clips

pytestmark = pytest.mark.django_db

AL = "active_learning"


@pytest.fixture
def release(small_taxonomy, editor):
    return taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)


@pytest.fixture
def version(small_taxonomy, release):
    return make_version(small_taxonomy, release, status=ModelStatus.ACTIVE)


@pytest.fixture
def eager():
    """Celery runs a task in the process that sends it (the worker tests run the real thing)."""
    from config.celery import app

    before, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = before


def predict(version, clips, entropy: float, *, category=None, seed: int = 0) -> None:
    """Predictions of `version` for `clips`, all at `entropy`, with random embeddings (for diversity)."""
    rng = np.random.default_rng(seed)
    Prediction.objects.bulk_create(
        Prediction(
            clip=clip,
            model_version=version,
            category=category,
            confidence=1 - entropy,
            least_confidence=entropy,
            margin=1 - entropy,
            entropy=entropy,
            embedding=rng.standard_normal(8).astype(np.float16).tobytes(),
        )
        for clip in clips
    )


def open_priorities(project) -> list[float]:
    return list(
        Task.objects.filter(project=project, status=TaskStatus.OPEN, is_gold=False)
        .order_by("id")
        .values_list("priority", flat=True)
    )


@pytest.mark.parametrize("strategy", [Strategy.BALANCED, Strategy.DIVERSITY])
def test_pool_strategies_choose_among_the_projects_open_tasks(small_taxonomy, version, cat, monkeypatch, strategy):
    monkeypatch.setattr(active_learning, "POOL", 4)
    inside, outside = make_clips(6, "inside"), make_clips(10, "outside")
    project = project_create(
        name="AL", taxonomy=small_taxonomy, clip_filter={"ids": [c.pk for c in inside]}, queue_order=AL,
        al_strategy=strategy,
    )  # fmt: skip
    # the model is far less sure about clips of no project, and about a gold and a labeled task of this one
    predict(version, outside, 0.9, category=cat("cats"))
    gold, done, *open_clips = inside
    predict(version, [gold, done], 0.95, category=cat("training"))
    predict(version, open_clips, 0.2, category=cat("basketball"), seed=1)
    Task.objects.filter(project=project, clip=gold).update(is_gold=True)
    Task.objects.filter(project=project, clip=done).update(status=TaskStatus.DONE)

    assert priorities_refresh(project=project, version=version) == 4
    priorities = open_priorities(project)
    assert len(priorities) == 4 and all(p > 0 for p in priorities), priorities
    assert sorted(priorities) == [1.0, 2.0, 3.0, 4.0]  # a strict order: rank 4 is labeled first
    assert list(Task.objects.filter(clip__in=[gold, done]).values_list("priority", flat=True)) == [0.0, 0.0]


def test_pick_without_candidates_still_ranks_every_prediction(version, cat):
    """Outside a project (the benchmark, the training-flow test) `pick` still ranks the whole version."""
    clips = make_clips(5, "any")
    predict(version, clips, 0.5, category=cat("cats"))
    for strategy in Strategy.values:
        assert len(set(active_learning.pick(version=version, strategy=strategy, k=3))) == 3
    chosen = active_learning.pick(version=version, strategy=Strategy.BALANCED, k=10, clip_ids=[clips[0].pk])
    assert chosen == [clips[0].pk]


@pytest.mark.parametrize("strategy", [Strategy.ENTROPY, Strategy.DIVERSITY])
def test_a_new_project_is_ordered_by_the_active_model_at_once(
    small_taxonomy, version, cat, eager, django_capture_on_commit_callbacks, strategy
):
    clips = make_clips(4, "new")
    predict(version, clips, 0.4, category=cat("cats"))
    with django_capture_on_commit_callbacks(execute=True):
        project = project_create(
            name="AL", taxonomy=small_taxonomy, clip_filter={"ids": [c.pk for c in clips]}, queue_order=AL,
            al_strategy=strategy,
        )  # fmt: skip
    priorities = open_priorities(project)
    assert len(priorities) == 4 and all(p > 0 for p in priorities), priorities

    # clips that enter the scope later are ordered when they are synced, through the API's sync too
    later = make_clips(3, "later")
    predict(version, later, 0.6, category=cat("basketball"), seed=2)
    with django_capture_on_commit_callbacks(execute=True):
        project = project_update(project=project, clip_filter={"ids": [c.pk for c in clips + later]})
    later_tasks = Task.objects.filter(project=project, clip__in=later)
    assert later_tasks.count() == 3 and all(t.priority > 0 for t in later_tasks)

    more = make_clips(2, "more")
    predict(version, more, 0.7, category=cat("training"), seed=3)
    project.clip_filter = {"ids": [c.pk for c in clips + later + more]}
    project.save(update_fields=["clip_filter"])
    with django_capture_on_commit_callbacks(execute=True):
        assert project_sync_tasks(project=project) == 2
    assert all(t.priority > 0 for t in Task.objects.filter(project=project, clip__in=more))


def test_switching_a_project_to_active_learning_orders_it(
    small_taxonomy, version, cat, eager, django_capture_on_commit_callbacks
):
    clips = make_clips(3, "switch")
    predict(version, clips, 0.3, category=cat("cats"))
    with django_capture_on_commit_callbacks(execute=True) as sent:
        project = project_create(name="Seq", taxonomy=small_taxonomy, clip_filter={"ids": [c.pk for c in clips]})
    assert sent == [] and open_priorities(project) == [0.0, 0.0, 0.0]  # a sequential queue asks nothing
    with django_capture_on_commit_callbacks(execute=True):
        project_update(project=project, queue_order=AL, al_strategy=Strategy.LEAST_CONFIDENCE)
    assert open_priorities(project) == pytest.approx([0.3, 0.3, 0.3])
    with django_capture_on_commit_callbacks(execute=True) as sent:
        project_update(project=project, instructions="Look at the whole clip.", queue_order=AL)
    assert sent == []  # a change that does not touch the order sends nothing (forms send every field)


def test_without_an_active_model_a_new_project_keeps_zero_priorities(
    small_taxonomy, release, eager, django_capture_on_commit_callbacks
):
    clips = make_clips(2, "cold")
    with django_capture_on_commit_callbacks(execute=True):
        project = project_create(
            name="Cold", taxonomy=small_taxonomy, clip_filter={"ids": [c.pk for c in clips]}, queue_order=AL
        )
    assert open_priorities(project) == [0.0, 0.0]
