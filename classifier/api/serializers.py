"""Serializers of the classifier API: model versions, training runs, predictions and suggestion reviews."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotation import selectors as clip_selectors
from annotation.models import Program
from classifier.choices import SuggestionDecision
from classifier.models import ModelVersion, Prediction, SuggestionReview, TrainingRun
from taxonomy.models import Category, Taxonomy


class CategoryRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "path"]


class ModelVersionSerializer(serializers.ModelSerializer):
    taxonomy_name = serializers.CharField(source="taxonomy.name", read_only=True)
    release_version = serializers.CharField(source="release.version", read_only=True)
    hit_at_1 = serializers.FloatField(source="primary_metric", read_only=True, allow_null=True)

    class Meta:
        model = ModelVersion
        fields = [
            "id",
            "taxonomy",
            "taxonomy_name",
            "number",
            "status",
            "release",
            "release_version",
            "hit_at_1",
            "metrics",
            "train_count",
            "eval_count",
            "parent",
            "backbone_id",
            "text_encoder_id",
            "frame_backend",
            "calibration",
            "created_at",
            "promoted_at",
        ]
        read_only_fields = fields


class PromoteSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=500)


class TrainingRunSerializer(serializers.ModelSerializer):
    """A run with its live fields; poll it while `status` is queued or running."""

    taxonomy_name = serializers.CharField(source="taxonomy.name", read_only=True)
    release_version = serializers.CharField(source="release.version", read_only=True, allow_null=True)
    requested_by = serializers.CharField(source="requested_by.username", read_only=True, allow_null=True)
    model_version_number = serializers.IntegerField(source="model_version.number", read_only=True, allow_null=True)

    class Meta:
        model = TrainingRun
        fields = [
            "id",
            "taxonomy",
            "taxonomy_name",
            "release",
            "release_version",
            "status",
            "trigger",
            "reasons",
            "requested_by",
            "scheduled_for",
            "stage",
            "progress",
            "epoch",
            "loss",
            "metrics",
            "device",
            "log",
            "error",
            "cancel_requested",
            "attempts",
            "heartbeat_at",
            "started_at",
            "finished_at",
            "model_version",
            "model_version_number",
            "promoted",
            "promotion_note",
            "created_at",
        ]
        read_only_fields = fields


class RetrainSerializer(serializers.Serializer):
    taxonomy = serializers.PrimaryKeyRelatedField(queryset=Taxonomy.objects.all())
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class PredictionSerializer(serializers.ModelSerializer):
    """A model's answer for a clip: the best path, the top paths, uncertainty, and the clip's media."""

    taxonomy = serializers.IntegerField(source="model_version.taxonomy_id", read_only=True)
    model_version_number = serializers.IntegerField(source="model_version.number", read_only=True)
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    clip_title = serializers.CharField(source="clip.title", read_only=True)
    program = serializers.IntegerField(source="clip.program_id", read_only=True, allow_null=True)
    program_title = serializers.SerializerMethodField()
    top = serializers.SerializerMethodField()
    media = serializers.SerializerMethodField()

    class Meta:
        model = Prediction
        fields = [
            "id",
            "clip",
            "clip_title",
            "program",
            "program_title",
            "taxonomy",
            "model_version",
            "model_version_number",
            "category",
            "path",
            "confidence",
            "open_set_score",
            "preselect",
            "top",
            "least_confidence",
            "margin",
            "entropy",
            "media",
            "created_at",
        ]
        read_only_fields = fields

    def get_program_title(self, prediction: Prediction) -> str | None:
        program: Program | None = prediction.clip.program
        return program.title if program else None

    @extend_schema_field(
        serializers.ListField(child=serializers.DictField(), help_text="[{category, codes, path, p}] best first")
    )
    def get_top(self, prediction: Prediction) -> list[dict]:
        paths = self.context.get("top_paths", {})
        return [{**t, "path": paths.get(t.get("category"))} for t in prediction.top or []]

    @extend_schema_field(serializers.DictField(child=serializers.URLField(allow_null=True)))
    def get_media(self, prediction: Prediction) -> dict:
        """Absolute URLs, like the clip API's."""
        request = self.context.get("request")
        urls = {kind: clip_selectors.clip_media_url(prediction.clip, kind) for kind in ("video", "poster", "strip")}
        if request is None:
            return urls
        return {k: request.build_absolute_uri(u) if u and u.startswith("/") else u for k, u in urls.items()}


class SuggestionReviewInputSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=SuggestionDecision.choices)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True, help_text="For 'correct'."
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", help_text="Why, for 'reject'.")


class SuggestionReviewSerializer(serializers.ModelSerializer):
    category = CategoryRefSerializer(read_only=True, allow_null=True)
    suggested_category = CategoryRefSerializer(read_only=True, allow_null=True)
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)
    task = serializers.IntegerField(source="label.task_id", read_only=True, allow_null=True)

    class Meta:
        model = SuggestionReview
        fields = [
            "id",
            "taxonomy",
            "clip",
            "prediction",
            "model_version",
            "suggested_category",
            "confidence",
            "decision",
            "category",
            "label",
            "task",
            "reviewer",
            "comment",
            "bulk",
            "created_at",
        ]
        read_only_fields = fields


class BulkAcceptSerializer(serializers.Serializer):
    taxonomy = serializers.PrimaryKeyRelatedField(queryset=Taxonomy.objects.all())
    min_confidence = serializers.FloatField(min_value=0.0, max_value=1.0)
    max_confidence = serializers.FloatField(min_value=0.0, max_value=1.0, required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all(), required=False, allow_null=True)
    dry_run = serializers.BooleanField(default=True, help_text="Only preview what would change (the default).")
    expected_count = serializers.IntegerField(
        required=False, allow_null=True, min_value=0, help_text="The preview's count: refused if it changed since."
    )


class BulkAcceptResultSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    dry_run = serializers.BooleanField()
    min_confidence = serializers.FloatField()
    left_out_open_set = serializers.IntegerField(
        help_text="Suggestions above the confidence left out because the clip fits none of the categories."
    )
    applied = serializers.IntegerField()
    categories = serializers.ListField(child=serializers.DictField(), help_text="[{id, path, count}]")
    sample = serializers.ListField(
        child=serializers.DictField(), help_text="[{prediction, clip, title, path, confidence}]"
    )


class ClassifyResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    model_version = serializers.IntegerField()
    results = serializers.ListField(child=serializers.DictField(), help_text="[{id, code, path, score}] best first")
