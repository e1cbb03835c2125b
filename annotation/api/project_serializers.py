"""Serializers of the labeling API: projects, members, leases, tasks, labels and reviews."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from annotation.api.serializers import LeaseClipSerializer
from annotation.choices import MemberRole, QueueOrder, ReviewDecision
from annotation.models import Assignment, Label, LabelMigration, Program, Project, ProjectMember, Review, Task
from taxonomy.models import Category, Release, Taxonomy

AL_STRATEGIES = ["least_confidence", "margin", "entropy", "diversity", "balanced"]


class ProjectSerializer(serializers.ModelSerializer):
    al_strategy = serializers.ChoiceField(choices=AL_STRATEGIES, required=False)
    release_version = serializers.CharField(source="release.version", read_only=True)
    task_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)
    done_count = serializers.IntegerField(read_only=True, default=None, allow_null=True)

    class Meta:
        model = Project
        fields = [
            "id",
            "name",
            "taxonomy",
            "release",
            "release_version",
            "instructions",
            "clip_filter",
            "overlap",
            "queue_order",
            "al_strategy",
            "gold_share",
            "lease_seconds",
            "is_active",
            "task_count",
            "done_count",
            "created_at",
        ]
        read_only_fields = ["taxonomy", "release", "created_at"]  # the release moves only by publishing

    def validate_clip_filter(self, value):
        if not isinstance(value, dict):
            raise serializers.ValidationError('The clip filter is an object, e.g. {"tags": ["sports"]}.')
        return value


class ProjectCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    taxonomy = serializers.PrimaryKeyRelatedField(queryset=Taxonomy.objects.all())
    release = serializers.PrimaryKeyRelatedField(
        queryset=Release.objects.all(),
        required=False,
        allow_null=True,
        help_text="Default: the taxonomy's latest release.",
    )
    instructions = serializers.CharField(required=False, allow_blank=True, default="")
    clip_filter = serializers.JSONField(required=False, default=dict)
    overlap = serializers.IntegerField(min_value=1, max_value=10, default=1)
    queue_order = serializers.ChoiceField(choices=QueueOrder.choices, default=QueueOrder.SEQUENTIAL)
    al_strategy = serializers.ChoiceField(
        choices=AL_STRATEGIES, default="entropy", help_text="Used when the queue order is active learning."
    )
    gold_share = serializers.FloatField(min_value=0.0, max_value=0.5, default=0.0)
    lease_seconds = serializers.IntegerField(min_value=30, default=600)


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    user = serializers.PrimaryKeyRelatedField(queryset=get_user_model().objects.all())
    role = serializers.ChoiceField(choices=MemberRole.choices, default=MemberRole.ANNOTATOR)

    class Meta:
        model = ProjectMember
        fields = ["id", "user", "username", "role", "training_mode", "joined_at"]
        read_only_fields = ["joined_at"]


class CategoryBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "path"]


class LabelSerializer(serializers.ModelSerializer):
    """A label. The fast lane's submit answer builds the same dict (annotation/api/fast_lane.py)."""

    annotator = serializers.CharField(source="annotator.username", read_only=True)
    category = CategoryBriefSerializer(read_only=True, allow_null=True)
    release_version = serializers.CharField(source="release.version", read_only=True)

    class Meta:
        model = Label
        fields = [
            "id",
            "task",
            "annotator",
            "kind",
            "category",
            "program",
            "release",
            "release_version",
            "time_spent_ms",
            "suggestion_taken",
            "skip_reason",
            "flagged",
            "flag_comment",
            "supersedes",
            "is_current",
            "created_at",
        ]


class TaskSerializer(serializers.ModelSerializer):
    clip_title = serializers.CharField(source="clip.title", read_only=True)
    is_gold = serializers.BooleanField(read_only=True, allow_null=True, help_text="null: withheld (annotators)")
    final_category = CategoryBriefSerializer(read_only=True, allow_null=True)
    gold_category = CategoryBriefSerializer(read_only=True, allow_null=True)
    labels = serializers.SerializerMethodField()

    class Meta:
        model = Task
        fields = [
            "id",
            "project",
            "clip",
            "clip_title",
            "status",
            "required",
            "taken",
            "labels_count",
            "is_gold",
            "gold_category",
            "priority",
            "relabel_reason",
            "final_category",
            "final_program",
            "final_source",
            "final_decided_by",
            "agreement",
            "labels",
            "created_at",
            "completed_at",
        ]

    def get_labels(self, obj) -> list[dict]:
        if not self.context.get("with_labels"):
            return []
        labels = obj.labels.filter(is_current=True).select_related("annotator", "category", "release")
        if not self.context.get("sees_answers", True):
            labels = labels.filter(annotator=self.context["request"].user)
        return LabelSerializer(labels, many=True).data

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if not self.context.get("sees_answers", True):
            data["is_gold"] = data["gold_category"] = None  # withheld from annotators
        return data


class SuggestedCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    path = serializers.CharField()


class SuggestedTopSerializer(serializers.Serializer):
    category = SuggestedCategorySerializer()
    confidence = serializers.FloatField(help_text="Calibrated probability of this path.")


class LeaseSuggestionSerializer(serializers.Serializer):
    """The model's suggestion for a leased clip (see classifier.services.inference.suggestion_for_task)."""

    model_version = serializers.IntegerField()
    top = SuggestedTopSerializer(many=True)
    preselect = serializers.BooleanField(
        help_text="True when the page may pre-select the first suggestion: confident, in-set, not a re-label clip."
    )
    open_set_score = serializers.FloatField(
        allow_null=True, help_text="How well the clip fits the known categories (higher fits better)."
    )


class AssignmentSerializer(serializers.ModelSerializer):
    """A lease, with what the labeling page needs: the clip, its media, and the project's instructions.
    The fast lane's "next" answer builds the same dict (annotation/api/fast_lane.py)."""

    clip = serializers.SerializerMethodField()
    project = serializers.IntegerField(source="task.project_id", read_only=True)
    relabel_reason = serializers.CharField(source="task.relabel_reason", read_only=True)
    suggestion = serializers.SerializerMethodField()

    class Meta:
        model = Assignment
        fields = ["id", "task", "project", "status", "leased_at", "expires_at", "relabel_reason", "clip", "suggestion"]

    @extend_schema_field(LeaseClipSerializer)
    def get_clip(self, obj) -> dict:
        return LeaseClipSerializer(obj.task.clip, context=self.context).data

    @extend_schema_field(LeaseSuggestionSerializer(allow_null=True))
    def get_suggestion(self, obj) -> dict | None:
        """The model's suggestion (top categories with confidence); None until a model exists."""
        provider = self.context.get("suggestion_provider")
        return provider(obj.task) if provider else None


class NextSerializer(serializers.Serializer):
    exclude = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        required=False,
        default=list,
        max_length=10,
        help_text="Lease ids the page already holds.",
    )


class SubmitSerializer(serializers.Serializer):
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all(), required=False, allow_null=True)
    time_spent_ms = serializers.IntegerField(min_value=0, required=False, default=0)
    suggested_category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    flagged = serializers.BooleanField(required=False, default=False)
    flag_comment = serializers.CharField(required=False, allow_blank=True, default="")


class SubmitIdsSerializer(serializers.Serializer):
    """SubmitSerializer's shape with plain ids, for the fast lane: it checks the ids in its own statement,
    and anything it refuses goes through SubmitSerializer and the reference for the full messages."""

    category = serializers.IntegerField(min_value=1, max_value=2**63 - 1)
    program = serializers.IntegerField(min_value=1, max_value=2**63 - 1, required=False, allow_null=True)
    time_spent_ms = serializers.IntegerField(min_value=0, required=False, default=0)
    suggested_category = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, required=False, allow_null=True
    )
    flagged = serializers.BooleanField(required=False, default=False)
    flag_comment = serializers.CharField(required=False, allow_blank=True, default="")


class SkipSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=300)
    time_spent_ms = serializers.IntegerField(min_value=0, required=False, default=0)


class ReviewSerializer(serializers.ModelSerializer):
    reviewer = serializers.CharField(source="reviewer.username", read_only=True)

    class Meta:
        model = Review
        fields = [
            "id",
            "task",
            "reviewer",
            "decision",
            "accepted_label",
            "category",
            "program",
            "comment",
            "created_at",
        ]


class ReviewCreateSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(choices=ReviewDecision.choices)
    label = serializers.PrimaryKeyRelatedField(queryset=Label.objects.all(), required=False, allow_null=True)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all(), required=False, allow_null=True)
    program = serializers.PrimaryKeyRelatedField(queryset=Program.objects.all(), required=False, allow_null=True)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class LabelMigrationSerializer(serializers.ModelSerializer):
    from_version = serializers.CharField(source="from_release.version", read_only=True)
    to_version = serializers.CharField(source="to_release.version", read_only=True)

    class Meta:
        model = LabelMigration
        fields = [
            "id",
            "project",
            "from_release",
            "from_version",
            "to_release",
            "to_version",
            "carried",
            "relabel_tasks",
            "counts",
            "details",
            "created_at",
        ]
