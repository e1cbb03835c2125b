"""The answers of the labeling fast lane (annotation.services.fast_lane), built as plain dicts.

They are exactly what AssignmentSerializer and LabelSerializer give for the same rows (the schema
documents those serializers; tests/labeling/test_fast_lane.py compares the two on every shape), without
building a serializer per request, which cost more than the database work of the request.
"""

from __future__ import annotations

from rest_framework import serializers

from annotation import selectors
from annotation.models import Clip

_DATETIME = serializers.DateTimeField()


def when(value) -> str | None:
    """A datetime as the API writes it (DRF's format: ISO 8601, UTC as Z)."""
    return _DATETIME.to_representation(value) if value is not None else None


def _media_url(clip: Clip, kind: str, request) -> str | None:
    url = selectors.clip_media_url(clip, kind)  # as ClipSerializer._url
    return request.build_absolute_uri(url) if url and request and url.startswith("/") else url


def lease_payload(lease, *, suggestion: dict | None, request) -> dict:
    """AssignmentSerializer's answer for a lease from fast_lane.lease_next (LeaseClipSerializer's clip)."""
    row = lease.clip
    clip = Clip(id=row["id"], file=row["file"], poster=row["poster"], strip=row["strip"])
    return {
        "id": lease.id,
        "task": lease.task_id,
        "project": lease.project_id,
        "status": "leased",
        "leased_at": when(lease.leased_at),
        "expires_at": when(lease.expires_at),
        "relabel_reason": lease.relabel_reason,
        "clip": {
            "id": row["id"],
            "title": row["title"],
            "description": row["description"],
            "tags": lease.tags,
            "program": lease.program,
            "duration": None if row["duration"] is None else float(row["duration"]),
            "fps": None if row["fps"] is None else float(row["fps"]),
            "width": row["width"],
            "height": row["height"],
            "has_audio": row["has_audio"],
            "strip_frames": row["strip_frames"],
            "video_url": _media_url(clip, "video", request),
            "poster_url": _media_url(clip, "poster", request),
            "strip_url": _media_url(clip, "strip", request),
        },
        "suggestion": suggestion,
    }


def label_payload(label, *, username: str) -> dict:
    """LabelSerializer's answer for a label from fast_lane.label_submit."""
    return {
        "id": label.id,
        "task": label.task_id,
        "annotator": username,
        "kind": "label",
        "category": label.category,
        "program": label.program_id,
        "release": label.release_id,
        "release_version": label.release_version,
        "time_spent_ms": label.time_spent_ms,
        "suggestion_taken": label.suggestion_taken,
        "skip_reason": "",
        "flagged": False,
        "flag_comment": "",
        "supersedes": None,
        "is_current": True,
        "created_at": when(label.created_at),
    }
