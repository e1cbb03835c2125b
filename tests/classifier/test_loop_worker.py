"""The loop on a real Celery worker (Redis in CI): a release with a merge migrates labels, starts a run,
a new version becomes active, every clip is re-predicted and the active-learning queue is re-ordered.
And a worker killed in the middle of a run leaves the active model as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from django.utils import timezone

from annotation.models import Clip, Label, Task
from annotation.services.projects import project_create
from classifier.choices import ModelStatus, RunStatus
from classifier.models import ModelVersion, Prediction, TrainingRun
from classifier.services.runs import training_run_request, training_runs_fail_stale
from classifier.tasks import training_run_execute
from taxonomy import services as taxonomy_services
from taxonomy.models import Category
from tests.worker import ROOT, LiveWorker

pytestmark = [pytest.mark.worker, pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def _active(taxonomy):
    return ModelVersion.objects.filter(taxonomy=taxonomy, status=ModelStatus.ACTIVE).first()


def _upload_video(tmp_path, title: str) -> Clip:
    """A real small video through the upload service; its processing is sent to the worker on commit."""
    from django.core.files import File

    from annotation.media.synth import moving_gradient, write_video
    from annotation.services import clip_create

    path = write_video(
        tmp_path / "late.webm", codec="libvpx-vp9", width=160, height=96, fps=10, seconds=3,
        picture=moving_gradient(160, 96, seed=7),
    )  # fmt: skip
    with open(path, "rb") as handle:
        return clip_create(file=File(handle, name=path.name), title=title)


def _al_order(project) -> list[tuple[int, float]]:
    return list(
        Task.objects.filter(project=project, status="open").order_by("-priority", "id").values_list("id", "priority")
    )


def test_release_with_merge_retrains_and_reorders(live_worker, labeled, demo, settings, tmp_path):
    settings.CLIPCAT_RETRAIN_WINDOW_S = 1
    clips = Clip.objects.filter(status="ready").count()
    queue = project_create(name="AL queue", taxonomy=demo, clip_filter={}, queue_order="active_learning")
    assert queue.tasks.count() == clips

    first = training_run_request(taxonomy=demo, trigger="manual", reason="first model", window_s=0)
    live_worker.wait_for(lambda: _active(demo) is not None, timeout=240, what="the first model")
    v1 = _active(demo)
    live_worker.wait_for(
        lambda: Prediction.objects.filter(model_version=v1).count() == clips, timeout=120, what="predictions of v1"
    )
    live_worker.wait_for(lambda: all(p > 0 for _, p in _al_order(queue)), timeout=60, what="AL priorities")
    before = _al_order(queue)
    assert TrainingRun.objects.get(pk=first.pk).status == RunStatus.SUCCEEDED

    # A clip uploaded now is processed on the media queue and pre-labeled by v1 on the inference queue.
    settings.CLIPCAT_PROCESS_INLINE = False
    new = _upload_video(tmp_path, "Late goal in the derby")
    live_worker.wait_for(
        lambda: Prediction.objects.filter(model_version=v1, clip=new).exists(), timeout=120, what="the pre-label"
    )
    assert Clip.objects.get(pk=new.pk).status == "ready"
    prelabel = Prediction.objects.get(model_version=v1, clip=new)
    assert prelabel.category.taxonomy_id == demo.pk and 0 < prelabel.confidence <= 1 and len(prelabel.top) >= 1
    clips += 1

    # Merge Training drills into Match highlights and publish: labels move, a run is asked for.
    drills = Category.objects.get(taxonomy=demo, code="training-drills")
    highlights = Category.objects.get(taxonomy=demo, code="match-highlights")
    carried = Label.objects.filter(category=drills, is_current=True).count()
    taxonomy_services.category_merge(source=drills, target=highlights, reason="test")
    release = taxonomy_services.release_publish(taxonomy=demo, notes="merge drills")
    assert release.version == "2.0"
    assert Label.objects.filter(category=highlights, is_current=True, release=release).count() >= carried > 0
    run = TrainingRun.objects.filter(taxonomy=demo).exclude(pk=first.pk).get()
    assert run.trigger == "release" and "release 2.0 published" in run.reasons[0]["reason"]

    live_worker.wait_for(
        lambda: TrainingRun.objects.get(pk=run.pk).status not in ("queued", "running"),
        timeout=240,
        what="the release's run",
    )
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.log + run.error
    assert run.promoted, run.log
    v2 = _active(demo)
    assert v2.number == v1.number + 1 and v2.release == release and v2.parent == v1
    assert v2.metrics["count"] > 0 and 0.0 <= v2.metrics["hit_at_1"] <= 1.0 and v2.metrics["intervals"]["hit_at_1"]
    live_worker.wait_for(
        lambda: Prediction.objects.filter(model_version=v2).count() == clips, timeout=120, what="predictions of v2"
    )
    assert all("training-drills" not in p.path for p in Prediction.objects.filter(model_version=v2))
    live_worker.wait_for(lambda: _al_order(queue) != before, timeout=60, what="the AL order to change")
    assert ModelVersion.objects.get(pk=v1.pk).status == ModelStatus.RETIRED


def test_killed_worker_leaves_the_active_model(live_worker, labeled, demo, settings, tmp_path):
    # A model to protect.
    training_run_request(taxonomy=demo, trigger="manual", reason="first model", window_s=0)
    live_worker.wait_for(lambda: _active(demo) is not None, timeout=240, what="the first model")
    v1 = _active(demo)

    # A second worker on a queue of its own, with long training so it is caught in the middle.
    queue = f"kill-{os.getpid()}"
    env = {**os.environ, **live_worker.env, "CLIPCAT_TRAIN_EPOCHS": "400", "CLIPCAT_FINETUNE_EPOCHS": "400"}
    process = subprocess.Popen(
        [
            str(os.path.join(os.path.dirname(sys.executable), "celery")),
            "-A",
            "config",
            "worker",
            "-Q",
            queue,
            "-c",
            "1",
            "--without-gossip",
            "--without-mingle",
            "-l",
            "info",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        bufsize=1,
        start_new_session=True,
    )
    killme = LiveWorker(process)
    try:
        killme.wait_ready()
        settings.CLIPCAT_RUN_STALE_S = 2
        run = TrainingRun.objects.create(
            taxonomy=demo, trigger="manual", reasons=[{"reason": "to be killed"}], scheduled_for=timezone.now()
        )
        training_run_execute.apply_async((run.pk,), queue=queue)
        killme.wait_for(
            lambda: TrainingRun.objects.get(pk=run.pk).stage == "training", timeout=240, what="the run to be training"
        )
        os.killpg(process.pid, signal.SIGKILL)  # the main process and its pool child, with no goodbye
        process.wait(timeout=30)
    finally:
        killme.stop()
    run.refresh_from_db()
    assert run.status == RunStatus.RUNNING  # nobody has noticed yet
    import time

    time.sleep(2.5)
    assert training_runs_fail_stale() >= 1
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "stopped responding" in run.error
    assert _active(demo).pk == v1.pk  # unchanged
    assert run.model_version is None
    for version in ModelVersion.objects.exclude(status="failed"):
        from classifier.ml.artifact import load_artifact

        load_artifact(version.artifact)  # every version a person can use loads whole
