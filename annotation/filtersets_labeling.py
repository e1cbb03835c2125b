"""Filters of the labeling API."""

import django_filters

from annotation.choices import LabelKind, TaskStatus
from annotation.models import Label, Task
from core.filters import IdFilter


class TaskFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=TaskStatus.choices)
    relabel = django_filters.BooleanFilter(method="filter_relabel", label="Marked for re-labeling")
    flagged = django_filters.BooleanFilter(method="filter_flagged", label="Has a flagged label")

    class Meta:
        model = Task
        fields = ["project", "status", "is_gold", "clip", "final_category"]

    def filter_relabel(self, queryset, name, value):
        return queryset.exclude(relabel_reason="") if value else queryset.filter(relabel_reason="")

    def filter_flagged(self, queryset, name, value):
        flagged = queryset.filter(labels__flagged=True, labels__is_current=True)
        return flagged.distinct() if value else queryset.exclude(pk__in=flagged.values("pk"))


class LabelFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=LabelKind.choices)
    project = IdFilter(field_name="task__project")
    taxonomy = IdFilter(field_name="category__taxonomy")

    class Meta:
        model = Label
        fields = ["task", "annotator", "category", "flagged", "is_current", "release"]
