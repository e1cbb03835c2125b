"""Writes to clips: create (upload, API, import), edit metadata, reprocess, delete."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import partial
from pathlib import PurePosixPath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from annotation.choices import ClipStatus
from annotation.models import Clip, Program, Tag, clip_upload_to

from .processing import clip_enqueue
from .storage import delete_files, human_bytes, store_upload

MAX_TAGS = 30
_UNSET = object()


class DuplicateClipError(ValidationError):
    """The same file (by sha256) is already a clip; `existing` names it."""

    def __init__(self, existing: Clip):
        self.existing = existing
        super().__init__(
            f"This file is already in ClipCat as clip #{existing.pk} “{existing.title}”.",
            code="duplicate",
        )


def tags_normalise(tags: Iterable[str] | str | None) -> list[str]:
    """Tags from a list or a comma/semicolon-separated string: trimmed, lower-case, unique, in order."""
    if tags is None:
        return []
    if isinstance(tags, str):
        tags = re.split(r"[,;]", tags)
    names: list[str] = []
    for tag in tags:
        name = " ".join(str(tag).split()).lower()[:64]
        if name and name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": f"A clip has at most {MAX_TAGS} tags."})
    return names


def _set_tags(clip: Clip, names: list[str]) -> None:
    existing = {t.name: t for t in Tag.objects.filter(name__in=names)}
    missing = [Tag(name=n) for n in names if n not in existing]
    Tag.objects.bulk_create(missing, ignore_conflicts=True)
    clip.tags.set(Tag.objects.filter(name__in=names))


def title_from_name(name: str) -> str:
    stem = PurePosixPath(name).stem
    return " ".join(re.sub(r"[_.]+", " ", stem).split())[:300] or "Untitled clip"


def _file_error(message: str, code: str) -> ValidationError:
    return ValidationError({"file": ValidationError(message, code=code)})


def upload_check(*, name: str, size: int | None) -> None:
    """Refuse a file by its name and size before a byte of it is stored."""
    ext = PurePosixPath(name).suffix.lower().lstrip(".")
    allowed = settings.CLIPCAT_VIDEO_EXTENSIONS
    if ext not in allowed:
        raise _file_error(f"“{name}” is not a video file ClipCat takes ({', '.join(allowed)}).", "not_video")
    if size == 0:
        raise _file_error(f"“{name}” is empty (0 bytes).", "empty")
    limit = settings.CLIPCAT_MAX_UPLOAD_BYTES
    if size is not None and size > limit:
        raise _file_error(
            f"“{name}” is {human_bytes(size)}; ClipCat takes files up to {human_bytes(limit)}.", "too_large"
        )


def clip_create(
    *,
    file,
    title: str = "",
    description: str = "",
    tags: Iterable[str] | str | None = None,
    program: Program | None = None,
    source: str = "",
    actor=None,
    original_name: str | None = None,
    enqueue: bool = True,
) -> Clip:
    """Store a video and create its clip (pending); processing is queued when the transaction commits
    (unless `enqueue` is false: the caller processes it itself).

    The file streams into storage while its sha256 is computed; a duplicate is refused naming the clip
    that has it, and nothing is left in storage on any error.

    Raises:
        ValidationError: wrong extension, empty, over the size limit, bad metadata.
        DuplicateClipError: the same file is already a clip.
    """
    name = PurePosixPath(original_name or getattr(file, "name", "") or "upload").name
    upload_check(name=name, size=getattr(file, "size", None))
    tag_names = tags_normalise(tags)
    stored, checksum, size = store_upload(file, clip_upload_to(None, name), settings.CLIPCAT_MAX_UPLOAD_BYTES)
    try:
        with transaction.atomic():
            existing = Clip.objects.filter(checksum=checksum).first()
            if existing is not None:
                raise DuplicateClipError(existing)
            clip = Clip(
                file=stored,
                original_name=name[:255],
                title=" ".join((title or title_from_name(name)).split())[:300],
                description=description,
                source=source[:500],
                program=program,
                uploaded_by=actor if getattr(actor, "pk", None) else None,
                size_bytes=size,
                checksum=checksum,
            )
            clip.full_clean(exclude=["file", "checksum"])
            clip.save()
            _set_tags(clip, tag_names)
    except IntegrityError:
        delete_files([stored])
        existing = Clip.objects.filter(checksum=checksum).first()
        if existing is None:
            raise
        raise DuplicateClipError(existing) from None
    except BaseException:
        delete_files([stored])
        raise
    if enqueue:
        transaction.on_commit(partial(clip_enqueue, clip.pk))
    return clip


def clip_update(
    *,
    clip: Clip,
    title: str | None = None,
    description: str | None = None,
    tags: Iterable[str] | str | None = None,
    program=_UNSET,
    source: str | None = None,
) -> Clip:
    """Change a clip's metadata (the file and what processing found are not editable)."""
    if title is not None:
        clip.title = " ".join(title.split())
    if description is not None:
        clip.description = description
    if source is not None:
        clip.source = source
    if program is not _UNSET:
        clip.program = program
    clip.full_clean(exclude=["file", "checksum"])
    with transaction.atomic():
        clip.save()
        if tags is not None:
            _set_tags(clip, tags_normalise(tags))
    return clip


def clip_reprocess(*, clip: Clip) -> Clip:
    """Queue a clip for processing again (after a failure, or with new pipeline settings)."""
    if clip.status == ClipStatus.PROCESSING:
        raise ValidationError("The clip is being processed right now.")
    Clip.objects.filter(pk=clip.pk).update(status=ClipStatus.PENDING, attempts=0, error="", error_code="")
    transaction.on_commit(partial(clip_enqueue, clip.pk))
    clip.refresh_from_db()
    return clip


def clip_delete(*, clip: Clip) -> None:
    """Delete a clip with its file and derived media (the files go once the deletion is committed).
    A clip people have labeled is refused: labels are never lost."""
    from annotation.models import Label

    labels = Label.objects.filter(task__clip=clip).count()
    if labels:
        raise ValidationError(
            f"{clip.title!r} has {labels} label(s); a labeled clip cannot be deleted. Leave it out of projects instead."
        )
    names = [clip.file.name, *(f.name for f in clip.derived_files)]
    clip.delete()
    transaction.on_commit(partial(delete_files, names))
