"""Reads of the classifier: predictions with the filters of the API and the review page, and the model
suggestions that still wait for a person (clips nobody has labeled in that taxonomy)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from annotation.models import Task
from classifier.choices import ModelStatus, SuggestionDecision
from classifier.models import Prediction, SuggestionReview
from taxonomy.models import Category


def predictions_with_related() -> QuerySet[Prediction]:
    return Prediction.objects.select_related("clip", "clip__program", "category", "model_version").defer("embedding")


def predictions_unlabeled(queryset: QuerySet[Prediction]) -> QuerySet[Prediction]:
    """Predictions whose clip has no final label in any project of the model's taxonomy and whose suggestion
    nobody rejected. Accepted and corrected suggestions are final labels, so they leave too; a reviewed
    label that a release sent back to re-labeling makes the clip a suggestion again."""
    labeled = Task.objects.filter(
        clip_id=OuterRef("clip_id"),
        project__taxonomy_id=OuterRef("model_version__taxonomy_id"),
        final_category__isnull=False,
    )
    rejected = SuggestionReview.objects.filter(
        clip_id=OuterRef("clip_id"),
        taxonomy_id=OuterRef("model_version__taxonomy_id"),
        decision=SuggestionDecision.REJECT,
    )
    return queryset.filter(~Exists(labeled), ~Exists(rejected))


def predictions_in_subtree(queryset: QuerySet[Prediction], category: Category) -> QuerySet[Prediction]:
    """Predictions whose category is `category` or one of its descendants."""
    return queryset.filter(
        category__tree_id=category.tree_id, category__lft__gte=category.lft, category__rght__lte=category.rght
    )


def suggestions(
    *,
    taxonomy_id: int | None = None,
    category: Category | None = None,
    min_confidence: float | None = None,
    max_confidence: float | None = None,
    program_id: int | None = None,
) -> QuerySet[Prediction]:
    """The active models' suggestions for unlabeled clips, most confident first."""
    qs = predictions_with_related().filter(model_version__status=ModelStatus.ACTIVE, category__isnull=False)
    if taxonomy_id is not None:
        qs = qs.filter(model_version__taxonomy_id=taxonomy_id)
    if category is not None:
        qs = predictions_in_subtree(qs, category)
    if min_confidence is not None:
        qs = qs.filter(confidence__gte=min_confidence)
    if max_confidence is not None:
        qs = qs.filter(confidence__lte=max_confidence)
    if program_id is not None:
        qs = qs.filter(clip__program_id=program_id)
    return predictions_unlabeled(qs).order_by("-confidence", "id")


def top_paths(predictions: list[Prediction]) -> dict[int, str]:
    """category id -> full path, for the categories in the predictions' top lists (one query)."""
    ids = {t.get("category") for p in predictions for t in (p.top or []) if t.get("category")}
    return dict(Category.objects.filter(pk__in=ids).values_list("pk", "path")) if ids else {}
