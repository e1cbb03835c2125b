"""Clips: one uploaded video, what probing found in it, and the derived media the pipeline wrote."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.db import models
from django.utils import timezone

from annotation.choices import ClipError, ClipStatus


def clip_upload_to(instance: Clip, filename: str) -> str:
    """A generated storage name: uploaded names never reach the file system (no path tricks, no clashes)."""
    ext = PurePosixPath(filename).suffix.lower().lstrip(".")
    ext = ext if ext.isalnum() and len(ext) <= 5 else "bin"
    now = timezone.now()
    return f"clips/{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{ext}"


class Tag(models.Model):
    """A free-form keyword on clips (lower-cased, unique)."""

    name = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Clip(models.Model):
    """A video clip. Uploads start `pending`; the media queue moves them to `processing`, then `ready` or
    `failed` (with `error_code` and a readable `error`). A file's sha256 is unique: duplicates are refused."""

    file = models.FileField(upload_to=clip_upload_to, max_length=255)
    original_name = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="clips")
    source = models.CharField(max_length=500, blank=True, help_text="Where the clip came from (upload, a manifest).")
    program = models.ForeignKey(
        "annotation.Program", null=True, blank=True, on_delete=models.SET_NULL, related_name="clips"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    size_bytes = models.BigIntegerField(default=0)
    checksum = models.CharField(max_length=64, unique=True, help_text="sha256 of the file")

    # Filled in by probing.
    container = models.CharField(max_length=64, blank=True)
    duration = models.FloatField(null=True, blank=True, help_text="seconds")
    fps = models.FloatField(null=True, blank=True)
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    video_codec = models.CharField(max_length=32, blank=True)
    audio_codec = models.CharField(max_length=32, blank=True)
    audio_channels = models.PositiveSmallIntegerField(default=0)
    has_audio = models.BooleanField(default=False)

    # Processing state.
    status = models.CharField(max_length=16, choices=ClipStatus.choices, default=ClipStatus.PENDING, db_index=True)
    error_code = models.CharField(max_length=32, choices=ClipError.choices, blank=True)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    processing_started_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    # Derived media, under derived/<clip id>/<run>/ in the same storage.
    frames = models.FileField(max_length=255, blank=True, help_text="uint8 .npy [N, S, S, 3]")
    frame_count = models.PositiveIntegerField(default=0)
    frame_rate = models.FloatField(null=True, blank=True, help_text="frames kept per second of video")
    audio = models.FileField(max_length=255, blank=True, help_text="int16 .npy, mono")
    audio_rate = models.PositiveIntegerField(null=True, blank=True)
    poster = models.FileField(max_length=255, blank=True)
    strip = models.FileField(max_length=255, blank=True, help_text="hover strip: thumbnails side by side")
    strip_frames = models.PositiveSmallIntegerField(default=0)

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "processing_started_at"], name="clip_status_started")]

    def __str__(self) -> str:
        return self.title

    @property
    def derived_files(self) -> list[models.fields.files.FieldFile]:
        return [f for f in (self.frames, self.audio, self.poster, self.strip) if f]
