"""Celery tasks of the annotation app: thin wrappers that take ids and call one service. They all run on
the media queue (CELERY_TASK_ROUTES in config/settings/celery.py routes by module)."""

from __future__ import annotations

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import InterfaceError, OperationalError

from annotation import services
from annotation.choices import ClipError

# Errors worth another try: the database or the storage was briefly unavailable. Media errors are
# permanent and handled by the service (the clip is marked failed with the reason).
TRANSIENT = (OperationalError, InterfaceError, OSError)


class ClipTask(Task):
    """Marks the clip failed when the task gives up (retries exhausted or an unexpected error)."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        clip_id = kwargs.get("clip_id", args[0] if args else None)
        if clip_id is not None:
            services.clip_mark_failed(
                clip_id=clip_id,
                code=ClipError.INTERNAL,
                reason=f"Processing failed after {self.request.retries + 1} attempt(s): {type(exc).__name__}: "
                f"{exc}. Reprocess it; if it fails again, tell an administrator.",
            )


@shared_task(
    base=ClipTask,
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT,
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=300,
    retry_jitter=True,
    soft_time_limit=settings.CLIPCAT_PROCESS_SOFT_TIME_LIMIT,
    time_limit=settings.CLIPCAT_PROCESS_TIME_LIMIT,
)
def clip_process(self, clip_id: int) -> str:
    """Probe, sample frames and audio, make thumbnails; the clip ends ready or failed."""
    try:
        clip = services.clip_process(clip_id=clip_id)
    except SoftTimeLimitExceeded:
        services.clip_mark_failed(
            clip_id=clip_id,
            code=ClipError.TIMED_OUT,
            reason=f"Processing took longer than {settings.CLIPCAT_PROCESS_SOFT_TIME_LIMIT // 60} minutes. "
            "Cut the video into shorter clips, or ask an administrator to raise the limit.",
        )
        return "failed"
    return clip.status if clip is not None else "skipped"


@shared_task(acks_late=True)
def clips_requeue_stuck() -> dict:
    """Periodic (config/schedules.py): re-queue clips a dead worker left in processing."""
    return services.clips_requeue_stuck()


@shared_task(acks_late=True)
def leases_expire() -> int:
    """Periodic (config/schedules.py): give expired labeling leases back to the queue."""
    from annotation.services.queue import leases_expire as expire

    return expire()
