"""Filters of clips and programs, shared by the API and the pages."""

import django_filters
from django.db.models import Q

from core.filters import IdFilter

from .choices import ClipError, ClipStatus, ProgramKind
from .models import Clip, Program


class ClipFilterSet(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=ClipStatus.choices)
    error_code = django_filters.ChoiceFilter(choices=ClipError.choices)
    program = IdFilter(field_name="program_id")
    no_program = django_filters.BooleanFilter(field_name="program", lookup_expr="isnull", label="Without a program")
    tag = django_filters.CharFilter(method="filter_tag", label="Has this tag")
    has_audio = django_filters.BooleanFilter()
    q = django_filters.CharFilter(method="filter_q", label="Search title, description, file name")
    min_duration = django_filters.NumberFilter(field_name="duration", lookup_expr="gte")
    max_duration = django_filters.NumberFilter(field_name="duration", lookup_expr="lte")

    class Meta:
        model = Clip
        fields = ["status", "error_code", "program", "has_audio"]

    def filter_tag(self, queryset, name, value):
        return queryset.filter(tags__name=value.strip().lower()).distinct()

    def filter_q(self, queryset, name, value):
        query = Q()
        for word in value.split():
            query &= Q(title__icontains=word) | Q(description__icontains=word) | Q(original_name__icontains=word)
        return queryset.filter(query)


class ProgramFilterSet(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=ProgramKind.choices)
    q = django_filters.CharFilter(field_name="title", lookup_expr="icontains", label="Title contains")

    class Meta:
        model = Program
        fields = ["kind", "year"]
