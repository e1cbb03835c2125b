"""Clips and programs API. Views declare querysets, serializers and permissions; services do the work."""

from __future__ import annotations

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from annotation import selectors, services
from annotation.filtersets import ClipFilterSet, ProgramFilterSet
from annotation.models import Clip
from annotation.services.storage import human_bytes

from . import serializers as s


class ClipViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Video clips. POST multipart (`file` plus metadata) uploads one; PATCH JSON edits its metadata.
    Processing runs on the media queue: watch `status` go pending -> processing -> ready (or failed,
    with `error_code` and `error`)."""

    queryset = Clip.objects.select_related("program").prefetch_related("tags")
    serializer_class = s.ClipSerializer
    filterset_class = ClipFilterSet
    ordering_fields = ["created_at", "title", "duration", "status"]
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    action_permissions = {"create": ["annotation.add_clip"], "reprocess": ["annotation.change_clip"]}

    def get_queryset(self):
        return selectors.clip_list(self.request.user)

    @extend_schema(request={"multipart/form-data": s.ClipUploadSerializer}, responses={201: s.ClipSerializer})
    def create(self, request, *args, **kwargs):
        """Upload a video (multipart). Refused before it is stored when over the size limit, not a video
        file type, or a duplicate (the error names the existing clip)."""
        length = int(request.META.get("CONTENT_LENGTH") or 0)
        if length > settings.CLIPCAT_MAX_UPLOAD_BYTES + 1024 * 1024:
            size = human_bytes(settings.CLIPCAT_MAX_UPLOAD_BYTES)
            raise ValidationError({"file": [f"The upload is larger than the {size} ClipCat takes."]})
        form = s.ClipUploadSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = dict(form.validated_data)
        upload = data.pop("file")
        try:
            clip = services.clip_create(
                file=upload, actor=request.user, source=data.pop("source", "") or "upload", **data
            )
        except services.DuplicateClipError as exc:
            return Response(
                {"file": [exc.message], "duplicate_of": exc.existing.pk},
                status=status.HTTP_400_BAD_REQUEST,
            )
        return Response(self.get_serializer(clip).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.ClipMetadataSerializer, responses=s.ClipSerializer)
    def update(self, request, *args, **kwargs):
        """Edit metadata: title, description, tags, source, program."""
        form = s.ClipMetadataSerializer(data=request.data, partial=kwargs.get("partial", False))
        form.is_valid(raise_exception=True)
        clip = services.clip_update(clip=self.get_object(), **form.validated_data)
        return Response(self.get_serializer(clip).data)

    def perform_destroy(self, instance):
        services.clip_delete(clip=instance)

    @extend_schema(request=None, responses={202: s.ClipSerializer})
    @action(detail=True, methods=["post"])
    def reprocess(self, request, pk=None):
        """Queue the clip for processing again."""
        clip = services.clip_reprocess(clip=self.get_object())
        return Response(self.get_serializer(clip).data, status=status.HTTP_202_ACCEPTED)


class ProgramViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """Programs (series, films, shows) and their clip counts; filter clips by `program` to list them."""

    queryset = selectors.program_list()
    serializer_class = s.ProgramSerializer
    filterset_class = ProgramFilterSet
    ordering_fields = ["title", "year", "created_at"]

    @extend_schema(request=s.ProgramWriteSerializer, responses={201: s.ProgramSerializer})
    def create(self, request, *args, **kwargs):
        form = s.ProgramWriteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        program = services.program_create(**form.validated_data)
        return Response(
            self.get_serializer(self.get_queryset().get(pk=program.pk)).data, status=status.HTTP_201_CREATED
        )

    @extend_schema(request=s.ProgramWriteSerializer, responses=s.ProgramSerializer)
    def update(self, request, *args, **kwargs):
        form = s.ProgramWriteSerializer(data=request.data, partial=kwargs.get("partial", False))
        form.is_valid(raise_exception=True)
        program = services.program_update(program=self.get_object(), **form.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=program.pk)).data)
