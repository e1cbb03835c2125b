"""Every periodic Celery task, in one place (run by `celery -A config beat`)."""

from celery.schedules import crontab

from core.queues import Queue

CELERY_BEAT_SCHEDULE = {
    # Re-queue clips left "processing" by a worker that died (or fail them after too many attempts).
    "clips-requeue-stuck": {
        "task": "annotation.tasks.clips_requeue_stuck",
        "schedule": crontab(minute="*/5"),
        "options": {"queue": Queue.MEDIA},
    },
}
