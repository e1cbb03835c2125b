"""Celery queue names, in one place. `training` is meant for GPU workers, the rest for CPU workers."""

from enum import StrEnum


class Queue(StrEnum):
    DEFAULT = "default"
    MEDIA = "media"
    INFERENCE = "inference"
    TRAINING = "training"
