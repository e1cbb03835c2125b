"""The API side of the labeling fast lane (annotation.services.fast_lane): its answers, built as plain dicts.

The views ask `answer_next` and `answer_submit` first; None means the reference answers. The dicts are
exactly what AssignmentSerializer and LabelSerializer give for the same rows (the schema
documents those serializers; tests/labeling/test_fast_lane.py compares the two on every shape), without
building a serializer per request, which cost more than the database work of the request.
"""

from __future__ import annotations

from rest_framework import serializers

from annotation import hooks
from annotation.api.project_serializers import SubmitIdsSerializer
from annotation.api.serializers import media_url
from annotation.models import Clip, Project, Task
from annotation.services import fast_lane

_DATETIME = serializers.DateTimeField()


def when(value) -> str | None:
    """A datetime as the API writes it (DRF's format: ISO 8601, UTC as Z)."""
    return _DATETIME.to_representation(value) if value is not None else None


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
            "video_url": media_url(clip, "video", request),
            "poster_url": media_url(clip, "poster", request),
            "strip_url": media_url(clip, "strip", request),
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


def answer_next(request, pk, exclude: list[int]) -> dict | None:
    """The fast lane's answer to "next clip" (a lease), or None: the reference answers."""
    if not str(pk).isdigit():
        return None
    manager = request.user.has_perm("annotation.manage_project")  # as labeling_selectors.projects_for_user
    lease = fast_lane.lease_next(project_id=int(pk), user=request.user, manager=manager, exclude=exclude)
    if lease is None:
        return None
    task = Task(id=lease.task_id, clip_id=lease.clip["id"], relabel_reason=lease.relabel_reason)
    task.project = Project(id=lease.project_id, taxonomy_id=lease.taxonomy_id)
    return lease_payload(lease, suggestion=hooks.suggestion_for(task), request=request)


def answer_submit(request, pk) -> dict | None:
    """The fast lane's answer to a submit, or None: the reference answers (with SubmitSerializer's
    messages for anything invalid). Flags and their comment rule are the reference's."""
    form = SubmitIdsSerializer(data=request.data)
    if not (str(pk).isdigit() and form.is_valid()):
        return None
    data = form.validated_data
    if data["flagged"] or data["flag_comment"].strip():
        return None
    label = fast_lane.label_submit(
        lease_id=int(pk),
        user=request.user,
        category_id=data["category"],
        program_id=data.get("program"),
        suggested_category_id=data.get("suggested_category"),
        time_spent_ms=data["time_spent_ms"],
    )
    if label is None:
        return None
    return {"label": label_payload(label, username=request.user.get_username()), "feedback": None}  # gold: reference
