"""Writes of the annotation app: keyword-only functions named <entity>_<action>."""

from .clips import DuplicateClipError, clip_create, clip_delete, clip_reprocess, clip_update, tags_normalise
from .processing import clip_enqueue, clip_mark_failed, clip_process, clips_requeue_stuck, media_options
from .programs import program_create, program_get_or_create, program_update

__all__ = [
    "DuplicateClipError",
    "clip_create",
    "clip_delete",
    "clip_enqueue",
    "clip_mark_failed",
    "clip_process",
    "clip_reprocess",
    "clip_update",
    "clips_requeue_stuck",
    "media_options",
    "program_create",
    "program_get_or_create",
    "program_update",
    "tags_normalise",
]
