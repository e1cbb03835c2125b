"""Reads of the annotation app."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Count, QuerySet
from django.urls import reverse

from annotation.choices import ClipStatus
from annotation.models import Clip, Program

MEDIA_KINDS = ("video", "poster", "strip", "frames", "audio")


def sees_every_clip(user) -> bool:
    """People who manage clips or projects (editors, reviewers, admins) see every clip."""
    return (
        user.is_authenticated
        and user.has_perm("annotation.view_clip")
        and (user.has_perm("annotation.change_clip") or user.has_perm("annotation.manage_project"))
    )


def clips_visible(user) -> QuerySet[Clip]:
    """The clips this user may see: every clip (sees_every_clip), or for annotators only the clips of the
    projects they are members of. Every clip URL (pages, API, media) goes through here, and so does
    everything that shows clips (predictions and suggestions)."""
    if sees_every_clip(user):
        return Clip.objects.all()
    if not user.is_authenticated or not user.has_perm("annotation.view_clip"):
        return Clip.objects.none()
    from annotation.models import Task

    return Clip.objects.filter(pk__in=Task.objects.filter(project__members__user=user).values("clip_id"))


def clip_list(user) -> QuerySet[Clip]:
    return clips_visible(user).select_related("program").prefetch_related("tags")


def clip_media_url(clip: Clip, kind: str) -> str | None:
    """Where the browser fetches a clip's video or derived media: our permission-checked view, or the
    storage backend's own (signed) URL when CLIPCAT_MEDIA_FROM_STORAGE_URLS is on."""
    field = clip.file if kind == "video" else getattr(clip, kind)
    if not field:
        return None
    if settings.CLIPCAT_MEDIA_FROM_STORAGE_URLS:
        return field.url
    return reverse("annotation:clip-media", kwargs={"pk": clip.pk, "kind": kind})


def program_list() -> QuerySet[Program]:
    return Program.objects.annotate(clip_count=Count("clips")).order_by("title", "id")


def clip_status_counts(queryset: QuerySet[Clip]) -> dict[str, int]:
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    return {status: counts.get(status, 0) for status in ClipStatus.values}
