"""Filters of the taxonomy API."""

import django_filters

from core.filters import IdFilter

from .choices import AuditAction, CategoryStatus
from .models import AuditEvent, Category, Release


class CategoryFilterSet(django_filters.FilterSet):
    taxonomy = IdFilter()
    status = django_filters.ChoiceFilter(choices=CategoryStatus.choices)
    parent = IdFilter()
    root = django_filters.BooleanFilter(field_name="parent", lookup_expr="isnull", label="Top level only")
    depth = IdFilter(method="filter_depth")
    ancestor_id = IdFilter(method="filter_ancestor", label="Within the subtree of")
    code = django_filters.CharFilter()
    q = django_filters.CharFilter(field_name="path", lookup_expr="icontains", label="Path contains")

    class Meta:
        model = Category
        fields = ["taxonomy", "status", "parent", "code"]

    def filter_depth(self, queryset, name, value):
        return queryset.filter(level=int(value) - 1)

    def filter_ancestor(self, queryset, name, value):
        ancestor = Category.objects.filter(pk=value).first()
        if ancestor is None:
            return queryset.none()
        return queryset.filter(tree_id=ancestor.tree_id, lft__gt=ancestor.lft, rght__lt=ancestor.rght)


class ReleaseFilterSet(django_filters.FilterSet):
    class Meta:
        model = Release
        fields = ["taxonomy", "major", "minor"]


class AuditEventFilterSet(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(choices=AuditAction.choices)
    since = django_filters.IsoDateTimeFilter(field_name="created_at", lookup_expr="gte")

    class Meta:
        model = AuditEvent
        fields = ["taxonomy", "category", "actor", "action"]
