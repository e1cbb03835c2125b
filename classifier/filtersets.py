"""Filters of the classifier API."""

from __future__ import annotations

import django_filters

from classifier.choices import ModelStatus, RunStatus, RunTrigger
from classifier.models import ModelVersion, Prediction, TrainingRun
from classifier.selectors import predictions_in_subtree, predictions_unlabeled
from core.filters import IdFilter
from taxonomy.models import Category


class ModelVersionFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=ModelStatus.choices)

    class Meta:
        model = ModelVersion
        fields = ["taxonomy", "status", "release"]


class TrainingRunFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=RunStatus.choices)
    trigger = django_filters.ChoiceFilter(choices=RunTrigger.choices)

    class Meta:
        model = TrainingRun
        fields = ["taxonomy", "status", "trigger", "model_version"]


class SuggestionFilterSet(django_filters.FilterSet):
    """Filters of the suggestions list (always the active model, always unlabeled clips)."""

    taxonomy = IdFilter(field_name="model_version__taxonomy_id")
    category = IdFilter(method="filter_category", label="Category, with its descendants")
    min_confidence = django_filters.NumberFilter(field_name="confidence", lookup_expr="gte")
    max_confidence = django_filters.NumberFilter(field_name="confidence", lookup_expr="lte")
    program = IdFilter(field_name="clip__program_id")
    clip = IdFilter(field_name="clip_id")

    class Meta:
        model = Prediction
        fields: list[str] = []

    def filter_category(self, queryset, name, value):
        category = Category.objects.filter(pk=value).first()
        return predictions_in_subtree(queryset, category) if category is not None else queryset.none()


class PredictionFilterSet(SuggestionFilterSet):
    """Predictions of the active model by default (name `model_version` for another one)."""

    model_version = IdFilter(field_name="model_version_id", label="Model version (default: active)")
    unlabeled = django_filters.BooleanFilter(
        method="filter_unlabeled", label="Only clips without a final label or a rejected suggestion in the taxonomy"
    )

    class Meta:
        model = Prediction
        fields: list[str] = []

    @property
    def qs(self):
        queryset = super().qs
        if self.form.cleaned_data.get("model_version") is None:
            queryset = queryset.filter(model_version__status=ModelStatus.ACTIVE)
        return queryset

    def filter_unlabeled(self, queryset, name, value):
        return predictions_unlabeled(queryset) if value else queryset
