"""Serializers of the clips and programs API. They shape data; the services do the work."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotation import selectors
from annotation.choices import ClipError, ProgramKind
from annotation.models import Clip, Program


def media_url(clip: Clip, kind: str, request=None) -> str | None:
    """Where an API client fetches a clip's media: selectors.clip_media_url, absolute for the request."""
    url = selectors.clip_media_url(clip, kind)
    return request.build_absolute_uri(url) if url and request and url.startswith("/") else url


class ProgramSerializer(serializers.ModelSerializer):
    clip_count = serializers.IntegerField(read_only=True, default=0)
    url = serializers.HyperlinkedIdentityField(view_name="annotation-api:program-detail")

    class Meta:
        model = Program
        fields = ["id", "url", "title", "kind", "year", "description", "clip_count", "created_at", "updated_at"]
        read_only_fields = ["created_at", "updated_at"]
        validators = []  # uniqueness is checked by the service, with a readable message


class ProgramBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = ["id", "title", "kind", "year"]


class ClipSerializer(serializers.ModelSerializer):
    """A clip as readers see it: metadata, probe figures, status, and where to fetch its media."""

    url = serializers.HyperlinkedIdentityField(view_name="annotation-api:clip-detail")
    program = ProgramBriefSerializer(read_only=True, allow_null=True)
    error_code = serializers.ChoiceField(choices=[("", "No error"), *ClipError.choices], read_only=True)
    tags = serializers.SerializerMethodField()
    video_url = serializers.SerializerMethodField()
    poster_url = serializers.SerializerMethodField()
    strip_url = serializers.SerializerMethodField()
    frames_url = serializers.SerializerMethodField()
    audio_url = serializers.SerializerMethodField()

    class Meta:
        model = Clip
        fields = [
            "id", "url", "title", "description", "tags", "source", "original_name", "program",
            "status", "error_code", "error", "attempts", "processing_started_at", "processed_at",
            "size_bytes", "checksum", "container", "duration", "fps", "width", "height",
            "video_codec", "audio_codec", "audio_channels", "has_audio",
            "frame_count", "frame_rate", "audio_rate", "strip_frames",
            "video_url", "poster_url", "strip_url", "frames_url", "audio_url", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tags(self, clip: Clip) -> list[str]:
        return [tag.name for tag in clip.tags.all()]

    def _url(self, clip: Clip, kind: str) -> str | None:
        return media_url(clip, kind, self.context.get("request"))

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_video_url(self, clip: Clip) -> str | None:
        return self._url(clip, "video")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_poster_url(self, clip: Clip) -> str | None:
        return self._url(clip, "poster")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_strip_url(self, clip: Clip) -> str | None:
        return self._url(clip, "strip")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_frames_url(self, clip: Clip) -> str | None:
        return self._url(clip, "frames")

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_audio_url(self, clip: Clip) -> str | None:
        return self._url(clip, "audio")


class LeaseClipSerializer(ClipSerializer):
    """What the labeling page shows of a leased clip: its text, program and media. Lean on purpose: it is
    built on every "next clip"; the full record is at the clip's own URL. The fast lane builds the same
    dict without it (annotation/api/fast_lane.py): change both, tests/labeling/test_fast_lane.py
    compares them."""

    class Meta(ClipSerializer.Meta):
        fields = [
            "id", "title", "description", "tags", "program", "duration", "fps", "width", "height",
            "has_audio", "strip_frames", "video_url", "poster_url", "strip_url",
        ]  # fmt: skip
        read_only_fields = fields


class TagsField(serializers.ListField):
    """A list of tags, or (from a form) one comma-separated string."""

    child = serializers.CharField(max_length=64, allow_blank=True)

    def to_internal_value(self, data):
        if isinstance(data, str):
            data = data.split(",")
        elif hasattr(data, "getlist"):
            data = data.getlist(self.field_name)
        return super().to_internal_value(data)

    def get_value(self, dictionary):
        if hasattr(dictionary, "getlist") and self.field_name in dictionary:
            values = dictionary.getlist(self.field_name)
            return [t for v in values for t in v.split(",")]
        return super().get_value(dictionary)


class ClipMetadataSerializer(serializers.Serializer):
    """Editable metadata (JSON or form)."""

    title = serializers.CharField(max_length=300, required=False, allow_blank=True)
    description = serializers.CharField(required=False, allow_blank=True)
    tags = TagsField(required=False)
    source = serializers.CharField(max_length=500, required=False, allow_blank=True)
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all(), required=False, allow_null=True)


class ClipUploadSerializer(ClipMetadataSerializer):
    """A multipart upload: the file and, optionally, its metadata."""

    file = serializers.FileField(allow_empty_file=True, use_url=False)


class ProgramWriteSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=300)
    kind = serializers.ChoiceField(choices=ProgramKind.choices, default=ProgramKind.SERIES)
    year = serializers.IntegerField(required=False, allow_null=True, min_value=1880, max_value=2100)
    description = serializers.CharField(required=False, allow_blank=True, default="")
