"""The dashboards' data as JSON: one read-only endpoint per figure, with the same filters as the pages
(taxonomy, project, start, end) and the same numbers the charts draw."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from . import selectors
from .filters import DashboardFilterForm, DashboardFilters

FILTER_PARAMETERS = [
    OpenApiParameter("taxonomy", int, description="Taxonomy id (default: the first one with a model)."),
    OpenApiParameter("project", int, description="Only this project (of the taxonomy)."),
    OpenApiParameter("start", str, description="First day, YYYY-MM-DD (default: eight weeks before the end)."),
    OpenApiParameter("end", str, description="Last day, YYYY-MM-DD, included (default: today)."),
]


class DashboardCategorySerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    code = serializers.CharField()
    name = serializers.CharField()
    path = serializers.CharField()


class CategoryCountSerializer(DashboardCategorySerializer):
    final = serializers.IntegerField(help_text="Clips whose final label this is (decided in range).")
    labels = serializers.IntegerField(help_text="Individual current labels made in range.")


class LabelsPerCategorySerializer(serializers.Serializer):
    categories = CategoryCountSerializer(many=True)
    total_final = serializers.IntegerField()
    total_labels = serializers.IntegerField()


class AgreementWeekSerializer(serializers.Serializer):
    week = serializers.DateField(help_text="The Monday of the week.")
    clips = serializers.IntegerField()
    share = serializers.DictField(child=serializers.FloatField(), help_text="level -> share of clips agreeing")
    alpha = serializers.DictField(child=serializers.FloatField(allow_null=True), help_text="level -> alpha")


class AgreementSerializer(serializers.Serializer):
    weeks = AgreementWeekSerializer(many=True)
    levels = serializers.ListField(child=serializers.IntegerField())
    alpha = serializers.DictField(child=serializers.FloatField(allow_null=True), help_text="Over the whole range.")


class VersionMetricsSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    release = serializers.CharField()
    created_at = serializers.DateTimeField()
    promoted_at = serializers.DateTimeField(allow_null=True)
    train_count = serializers.IntegerField()
    eval_count = serializers.IntegerField(help_text="Test clips every metric was measured on.")
    metrics = serializers.DictField(child=serializers.FloatField())
    intervals = serializers.DictField(
        child=serializers.ListField(child=serializers.FloatField(), min_length=2, max_length=2),
        help_text="95% interval [low, high] per metric.",
    )
    meaningful = serializers.BooleanField(help_text="False below CLIPCAT_MIN_TEST_CLIPS test clips.")


class ModelVersionsSerializer(serializers.Serializer):
    versions = VersionMetricsSerializer(many=True)
    metrics = serializers.ListField(child=serializers.CharField())


class DashboardVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField()
    release = serializers.CharField()


class CategoryQualityRowSerializer(DashboardCategorySerializer):
    support = serializers.IntegerField()
    predicted = serializers.IntegerField()
    precision = serializers.FloatField(allow_null=True, help_text="Out of `predicted` clips.")
    recall = serializers.FloatField(allow_null=True, help_text="Out of `support` clips.")
    precision_interval = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, help_text="95% Wilson interval [low, high]."
    )
    recall_interval = serializers.ListField(
        child=serializers.FloatField(), allow_null=True, help_text="95% Wilson interval [low, high]."
    )


class ConfusionSerializer(serializers.Serializer):
    labels = DashboardCategorySerializer(many=True)
    matrix = serializers.ListField(child=serializers.ListField(child=serializers.IntegerField()))


class CategoryQualitySerializer(serializers.Serializer):
    version = DashboardVersionSerializer(allow_null=True)
    source = serializers.ChoiceField(choices=["evaluation", "predictions"], allow_null=True)
    held_out = serializers.BooleanField()
    categories = CategoryQualityRowSerializer(many=True)
    confusion = ConfusionSerializer()
    count = serializers.IntegerField(help_text="Labeled clips compared in the confusion matrix.")


class AnnotatorThroughputSerializer(serializers.Serializer):
    username = serializers.CharField()
    total = serializers.IntegerField()
    median_seconds = serializers.FloatField(allow_null=True)
    per_day = serializers.ListField(child=serializers.IntegerField())


class ThroughputSerializer(serializers.Serializer):
    days = serializers.ListField(child=serializers.DateField())
    annotators = AnnotatorThroughputSerializer(many=True)
    per_day = serializers.ListField(child=serializers.IntegerField())


class ProjectQueueSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    open = serializers.IntegerField()
    relabel = serializers.IntegerField(help_text="Of the open tasks, those sent back by a release.")
    review = serializers.IntegerField()
    done = serializers.IntegerField()


class QueuesSerializer(serializers.Serializer):
    projects = ProjectQueueSerializer(many=True)


class ColdStartDaySerializer(serializers.Serializer):
    day = serializers.DateField()
    clips = serializers.IntegerField()
    covered = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class ColdStartSerializer(serializers.Serializer):
    confidence = serializers.FloatField()
    minutes = serializers.IntegerField()
    days = ColdStartDaySerializer(many=True)
    clips = serializers.IntegerField()
    covered = serializers.IntegerField()
    share = serializers.FloatField(allow_null=True)


class DashboardView(APIView):
    """Base of the dashboard endpoints: GET only, for everyone signed in."""

    read_permissions: list[str] = []
    http_method_names = ["get", "head", "options"]

    def filters(self, request) -> DashboardFilters:
        form = DashboardFilterForm(request.query_params)
        if not form.is_valid():
            raise ValidationError({k: [str(e) for e in v] for k, v in form.errors.items()})
        return form.filters()

    @staticmethod
    def number(request, name: str, cast, default=None):
        raw = request.query_params.get(name, "")
        if raw == "":
            return default
        try:
            return cast(raw)
        except ValueError:
            raise ValidationError({name: f"{raw!r} is not a valid {cast.__name__}."}) from None


class LabelsPerCategoryView(DashboardView):
    """Final labels and individual labels per category."""

    @extend_schema(parameters=FILTER_PARAMETERS, responses=LabelsPerCategorySerializer)
    def get(self, request):
        return Response(selectors.labels_per_category(self.filters(request)))


class AgreementView(DashboardView):
    """Agreement per level by week, and Krippendorff's alpha per level."""

    @extend_schema(parameters=FILTER_PARAMETERS, responses=AgreementSerializer)
    def get(self, request):
        return Response(selectors.agreement_over_time(self.filters(request)))


class ModelVersionsView(DashboardView):
    """Every model version of the taxonomy with its held-out metrics."""

    @extend_schema(parameters=FILTER_PARAMETERS, responses=ModelVersionsSerializer)
    def get(self, request):
        return Response(selectors.model_versions(self.filters(request)))


class CategoryQualityView(DashboardView):
    """Precision and recall per category and the confusion matrix of a model version."""

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("version", int, description="Version number (default: the active one)."),
            OpenApiParameter("held_out", bool, default=True, description="Only the clips training held out."),
        ],
        responses=CategoryQualitySerializer,
    )
    def get(self, request):
        held_out = request.query_params.get("held_out", "true").lower() not in ("0", "false", "no")
        version = self.number(request, "version", int)
        return Response(selectors.category_quality(self.filters(request), version=version, held_out=held_out))


class ThroughputView(DashboardView):
    """Labels per annotator per day, and median seconds per label."""

    @extend_schema(parameters=FILTER_PARAMETERS, responses=ThroughputSerializer)
    def get(self, request):
        return Response(selectors.throughput(self.filters(request)))


class QueuesView(DashboardView):
    """Tasks waiting per active project, now."""

    @extend_schema(parameters=FILTER_PARAMETERS, responses=QueuesSerializer)
    def get(self, request):
        return Response(selectors.queue_depth(self.filters(request)))


class ColdStartView(DashboardView):
    """Per day, the share of new clips that got a confident category within minutes of arriving."""

    @extend_schema(
        parameters=[
            *FILTER_PARAMETERS,
            OpenApiParameter("confidence", float, description="Default: CLIPCAT_COLD_START_CONFIDENCE (0.6)."),
            OpenApiParameter("minutes", int, description="Default: CLIPCAT_COLD_START_MINUTES (10)."),
        ],
        responses=ColdStartSerializer,
    )
    def get(self, request):
        confidence = self.number(request, "confidence", float)
        minutes = self.number(request, "minutes", int)
        return Response(selectors.cold_start(self.filters(request), confidence=confidence, minutes=minutes))
