"""Classifier API: model versions (promote, roll back, evaluate), training runs (retrain, cancel),
predictions, model suggestions for unlabeled clips (review, bulk accept) and text-query classification.
Views declare querysets, serializers and permissions; services do the work."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # 404 (not 500) for malformed ids
from rest_framework.response import Response
from rest_framework.views import APIView

from annotation import selectors as clip_selectors
from classifier import selectors
from classifier.choices import RunTrigger, Split
from classifier.filtersets import (
    ModelVersionFilterSet,
    PredictionFilterSet,
    SuggestionFilterSet,
    TrainingRunFilterSet,
)
from classifier.models import ModelVersion, Prediction, TrainingRun
from classifier.services.evaluation import model_version_evaluate
from classifier.services.review import suggestion_review, suggestions_bulk_accept
from classifier.services.runs import training_run_cancel, training_run_request
from classifier.services.search import categories_for_query
from classifier.services.versions import model_version_promote
from taxonomy.models import Taxonomy

from . import serializers as s

PROMOTE = ["classifier.promote_modelversion"]
TRAIN = ["classifier.start_trainingrun"]
REVIEW = ["annotation.review_task"]


class ModelVersionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Trained classifiers per taxonomy. At most one is active; `promote` makes one active (a newer one, or an
    earlier ready or retired one: a rollback) and re-predicts every clip with it."""

    queryset = ModelVersion.objects.select_related("taxonomy", "release").order_by("taxonomy_id", "-number")
    serializer_class = s.ModelVersionSerializer
    filterset_class = ModelVersionFilterSet
    ordering_fields = ["number", "created_at", "promoted_at"]
    action_permissions = {"promote": PROMOTE, "evaluate": []}

    @extend_schema(request=s.PromoteSerializer, responses=s.ModelVersionSerializer)
    @action(detail=True, methods=["post"])
    def promote(self, request, pk=None):
        """Make this version the active model of its taxonomy (the active one is retired). Also rolls back."""
        form = s.PromoteSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        version = model_version_promote(
            version=self.get_object(), reason=form.validated_data["reason"], actor=request.user
        )
        return Response(self.get_serializer(ModelVersion.objects.get(pk=version.pk)).data)

    @extend_schema(
        responses=OpenApiTypes.OBJECT,
        parameters=[
            OpenApiParameter(
                "split",
                str,
                enum=Split.values,
                default=Split.TEST,
                description="The split to judge on: test (the default, what promotion uses), validation or train.",
            )
        ],
    )
    @action(detail=True)
    def evaluate(self, request, pk=None):
        """hit@1, GAP@20, per-level accuracy, hierarchical F1, ECE and a per-category report, each with its
        n ("count") and 95% interval ("intervals"), on one split of the labeled clips of the version's
        release (computed now, from the labels as they are); "meaningful" is false below the minimum."""
        version = self.get_object()
        if not version.artifact or not Path(version.artifact).exists():
            raise ValidationError(f"The artifact of v{version.number} is missing; it cannot be evaluated.")
        split = request.query_params.get("split", Split.TEST)
        if split not in Split.values:
            raise ValidationError({"split": f"Choose one of {', '.join(Split.values)}."})
        return Response(model_version_evaluate(version=version, split=split))


class TrainingRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """(Re)trainings with live progress. POST asks for a retrain by hand: it joins a run of the taxonomy
    that is still queued, or queues a new one. `cancel` stops a queued run at once, a running one at its
    next step."""

    queryset = TrainingRun.objects.select_related("taxonomy", "release", "requested_by", "model_version")
    serializer_class = s.TrainingRunSerializer
    filterset_class = TrainingRunFilterSet
    ordering_fields = ["created_at", "status"]
    action_permissions = {"create": TRAIN, "cancel": TRAIN}

    @extend_schema(request=s.RetrainSerializer, responses={201: s.TrainingRunSerializer})
    def create(self, request, *args, **kwargs):
        form = s.RetrainSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        reason = form.validated_data["reason"].strip() or f"Retrain asked for by {request.user.username}"
        run = training_run_request(
            taxonomy=form.validated_data["taxonomy"], trigger=RunTrigger.MANUAL, reason=reason, actor=request.user
        )
        return Response(self.get_serializer(self.get_queryset().get(pk=run.pk)).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.TrainingRunSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        run = training_run_cancel(run=self.get_object(), actor=request.user)
        return Response(self.get_serializer(self.get_queryset().get(pk=run.pk)).data)


class _PredictionList(mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = s.PredictionSerializer
    ordering_fields = ["confidence", "entropy", "margin", "least_confidence", "created_at"]

    def get_queryset(self):
        """Only predictions for clips the caller may see: an annotator's are those of their projects."""
        queryset = super().get_queryset()
        if clip_selectors.sees_every_clip(self.request.user):
            return queryset
        return queryset.filter(clip__in=clip_selectors.clips_visible(self.request.user))

    def get_serializer_context(self):
        context = super().get_serializer_context()
        context["top_paths"] = getattr(self, "_top_paths", {})
        return context

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        self._top_paths = selectors.top_paths(page if page is not None else list(queryset))
        return page


class PredictionViewSet(_PredictionList):
    """What the models say about clips: the active model's by default (`model_version` for another).
    `unlabeled=true` keeps clips with no final label and no rejected suggestion in that taxonomy."""

    queryset = selectors.predictions_with_related().order_by("-confidence", "id")
    filterset_class = PredictionFilterSet


class SuggestionViewSet(_PredictionList):
    """The active model's suggestions for clips nobody has labeled, most confident first. Review one
    (accept, correct, reject) or accept all above a confidence (preview with `dry_run`, then apply)."""

    queryset = selectors.suggestions()
    filterset_class = SuggestionFilterSet
    action_permissions = {"review": REVIEW, "bulk_accept": REVIEW}

    @extend_schema(request=s.SuggestionReviewInputSerializer, responses={201: s.SuggestionReviewSerializer})
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        """Accept the suggestion (it becomes the clip's label, marked as a reviewed model suggestion),
        correct it to `category`, or reject it with a `comment`."""
        prediction = get_object_or_404(Prediction, pk=pk)
        form = s.SuggestionReviewInputSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        review = suggestion_review(prediction=prediction, reviewer=request.user, **form.validated_data)
        return Response(s.SuggestionReviewSerializer(review).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=s.BulkAcceptSerializer, responses=s.BulkAcceptResultSerializer)
    @action(detail=False, methods=["post"], url_path="bulk-accept")
    def bulk_accept(self, request):
        """Accept every open suggestion of the taxonomy's active model at or above `min_confidence` (and the
        other filters). `dry_run` (the default) only answers what would change: the count, counts per
        category and sample clips; send the preview's `expected_count` with `dry_run=false` to apply."""
        form = s.BulkAcceptSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        data = form.validated_data
        program = data.get("program")
        result = suggestions_bulk_accept(
            taxonomy=data["taxonomy"],
            min_confidence=data["min_confidence"],
            max_confidence=data.get("max_confidence"),
            category=data.get("category"),
            program_id=program.pk if program else None,
            reviewer=request.user,
            dry_run=data["dry_run"],
            expected_count=data.get("expected_count"),
        )
        return Response(result)


class ClassifyView(APIView):
    """Search: the categories the taxonomy's active model predicts for a text query from its text branch."""

    @extend_schema(
        responses=s.ClassifyResultSerializer,
        parameters=[
            OpenApiParameter("q", str, required=True, description="The query text."),
            OpenApiParameter("taxonomy", int, required=True),
            OpenApiParameter("k", int, default=5, description="How many categories (1 to 20)."),
        ],
    )
    def get(self, request):
        params = request.query_params
        try:
            taxonomy_id = int(params.get("taxonomy", ""))
        except ValueError:
            raise ValidationError({"taxonomy": "Give the taxonomy's id."}) from None
        try:
            k = int(params.get("k", 5))
        except ValueError:
            raise ValidationError({"k": "k is a number of categories (1 to 20)."}) from None
        taxonomy = get_object_or_404(Taxonomy, pk=taxonomy_id)
        return Response(categories_for_query(taxonomy=taxonomy, q=params.get("q", ""), k=k))
