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
    # Give expired labeling leases back to the queue ("next" also does it when the queue looks empty).
    "leases-expire": {
        "task": "annotation.tasks.leases_expire",
        "schedule": crontab(minute="*"),
        "options": {"queue": Queue.DEFAULT},
    },
    # Fail training runs whose worker died, and ask for a retrain where enough new labels came in.
    "training-runs-sweep": {
        "task": "classifier.tasks.training_runs_sweep",
        "schedule": crontab(minute="*"),
        "options": {"queue": Queue.DEFAULT},
    },
    # Delete predictions of model versions older than the active and the previous one (also after promotions).
    "predictions-prune-sweep": {
        "task": "classifier.tasks.predictions_prune_sweep",
        "schedule": crontab(minute=30, hour=3),
        "options": {"queue": Queue.DEFAULT},
    },
}
