"""Celery: broker and queues. The embedded default is kombu's filesystem transport under var/, which needs
no server; production sets CELERY_BROKER_URL to Redis or RabbitMQ."""

from config.env import env_bool, env_int, env_str
from core.queues import Queue

from .base import VAR_DIR

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", "filesystem://")
CELERY_BROKER_DIR = VAR_DIR / "celery" / "broker"
if CELERY_BROKER_URL.startswith("filesystem"):
    for _folder in (CELERY_BROKER_DIR, VAR_DIR / "celery" / "processed"):
        _folder.mkdir(parents=True, exist_ok=True)
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(CELERY_BROKER_DIR),
        "data_folder_out": str(CELERY_BROKER_DIR),
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
    if CELERY_BROKER_URL.startswith("filesystem")
    else {"visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 6 * 3600)}
)
# State that people look at (clip status, training progress) lives in our own models, so task results
# are not stored unless a result backend is configured.
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Routing is by task module: each app's tasks go to the queue of their kind of work.
CELERY_TASK_ROUTES = {
    "annotation.tasks.leases_expire": {"queue": Queue.DEFAULT.value},
    "annotation.tasks.*": {"queue": Queue.MEDIA.value},
    "classifier.tasks.training_run_execute": {"queue": Queue.TRAINING.value},  # GPU workers
    "classifier.tasks.predictions_refresh": {"queue": Queue.INFERENCE.value},
    "classifier.tasks.predict_batch": {"queue": Queue.INFERENCE.value},
    "classifier.tasks.clip_prelabel": {"queue": Queue.INFERENCE.value},
    "classifier.tasks.*": {"queue": Queue.DEFAULT.value},
}
# Redis only: a prefix for every broker key, so that two test sessions (or two installations) can share
# one Redis database without taking each other's tasks.
if CELERY_BROKER_URL.startswith("redis") and env_str("CELERY_BROKER_KEY_PREFIX"):
    CELERY_BROKER_TRANSPORT_OPTIONS["global_keyprefix"] = env_str("CELERY_BROKER_KEY_PREFIX")

from config.schedules import CELERY_BEAT_SCHEDULE  # noqa: E402,F401
