"""Celery tasks of the classifier: thin wrappers that take ids and call one service. Queues are set by
CELERY_TASK_ROUTES (training on GPU workers, inference and default on CPU workers)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

TRANSIENT = (OperationalError, ConnectionError, TimeoutError)


@shared_task(acks_late=True, reject_on_worker_lost=True, time_limit=6 * 3600, soft_time_limit=6 * 3600 - 60)
def training_run_execute(run_id: int) -> None:
    """Run one training run on a `training` (GPU) worker."""
    from classifier.services.training import training_run_execute as execute

    execute(run_id=run_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, time_limit=1800)
def predictions_refresh(version_id: int) -> int:
    """After a promotion: fan re-prediction of every ready clip out into batches."""
    from classifier.models import ModelVersion
    from classifier.services.inference import prediction_batches

    version = ModelVersion.objects.get(pk=version_id)
    batches = prediction_batches(version=version)
    for batch in batches:
        predict_batch.delay(version_id, batch)
    if not batches:
        queues_refresh.delay(version.taxonomy_id)
    # The new active version and the one it replaced keep their predictions; older ones are deleted now,
    # while the batches run (nothing reads them, so it need not wait for the last batch).
    predictions_prune.delay(version.taxonomy_id)
    return len(batches)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, time_limit=3600)
def predict_batch(version_id: int, clip_ids: list[int]) -> int:
    """Predict a batch of clips, then refresh the active-learning order of the affected projects."""
    from annotation.models import Clip
    from classifier.models import ModelVersion
    from classifier.services.inference import predict_clips

    version = ModelVersion.objects.get(pk=version_id)
    clips = list(Clip.objects.filter(pk__in=clip_ids).prefetch_related("tags"))
    predict_clips(version=version, clips=clips)
    queues_refresh.delay(version.taxonomy_id)
    return len(clips)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def clip_prelabel(clip_id: int) -> None:
    """A clip just became ready: compute its features and let every active model predict it."""
    from classifier.services.inference import prelabel_clip

    prelabel_clip(clip_id=clip_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def queues_refresh(taxonomy_id: int) -> int:
    """Re-order the active-learning queues of a taxonomy's projects from the active model."""
    from classifier.services.loop import queues_refresh as refresh

    return refresh(taxonomy_id=taxonomy_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5)
def project_priorities_refresh(project_id: int) -> int:
    """A project gained tasks or changed its strategy: order its active-learning queue from the active model."""
    from classifier.active_learning import project_priorities_refresh as refresh

    return refresh(project_id=project_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, time_limit=3600)
def predictions_prune(taxonomy_id: int) -> int:
    """Delete the predictions of a taxonomy's old versions (all but the active and the previous one)."""
    from classifier.services.retention import predictions_prune as prune

    return prune(taxonomy_id=taxonomy_id)


@shared_task(acks_late=True, autoretry_for=TRANSIENT, retry_backoff=True, max_retries=5, time_limit=3600)
def predictions_prune_sweep() -> int:
    """Periodic: prune old versions' predictions in every taxonomy (catches a prune whose message was lost)."""
    from classifier.services.retention import predictions_prune_all

    return predictions_prune_all()


@shared_task
def training_runs_sweep() -> int:
    """Periodic: fail runs whose worker died, send again queued runs whose message was lost, and start
    retraining where enough new labels came in."""
    from classifier.services.loop import retrain_when_labels_accumulate
    from classifier.services.runs import training_runs_fail_stale, training_runs_resend_lost

    return training_runs_fail_stale() + training_runs_resend_lost() + retrain_when_labels_accumulate()
