"""The filters every dashboard figure takes (taxonomy, project, date range), read the same way by the pages
and the API: one form validates the query string, and `DashboardFilters` is what selectors receive."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django import forms
from django.utils import timezone

from annotation.models import Project
from classifier.models import ModelVersion
from taxonomy.models import Taxonomy

DEFAULT_DAYS = 56  # eight weeks: enough weekly points for agreement, daily ones stay readable
MAX_DAYS = 731


@dataclass(frozen=True)
class DashboardFilters:
    """What a figure covers: a taxonomy (None: the selectors return nothing taxonomy-bound), optionally one
    of its projects, and the days from `start` to `end`, both included (in the site's time zone)."""

    taxonomy: Taxonomy | None
    project: Project | None
    start: date
    end: date

    @property
    def since(self) -> datetime:
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def until(self) -> datetime:
        """The first moment after the range (exclusive upper bound)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]

    def as_query(self) -> dict[str, str]:
        query = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.taxonomy is not None:
            query["taxonomy"] = str(self.taxonomy.pk)
        if self.project is not None:
            query["project"] = str(self.project.pk)
        return query


class DashboardFilterForm(forms.Form):
    """?taxonomy=&project=&start=&end= (dates as YYYY-MM-DD). Every field is optional: the taxonomy defaults to
    the first one with a model (else the first), the range to the last eight weeks."""

    taxonomy = forms.ModelChoiceField(queryset=Taxonomy.objects.order_by("name"), required=False)
    project = forms.ModelChoiceField(queryset=Project.objects.order_by("name"), required=False)
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        project, taxonomy = data.get("project"), data.get("taxonomy")
        if project is not None and taxonomy is not None and project.taxonomy_id != taxonomy.pk:
            self.add_error("project", "This project labels another taxonomy.")
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date comes before the start date.")
        if start and end and (end - start).days > MAX_DAYS:
            self.add_error("start", f"Choose at most {MAX_DAYS} days.")
        return data

    def filters(self) -> DashboardFilters:
        """The validated filters with defaults filled in (call after is_valid())."""
        data = self.cleaned_data
        project = data.get("project")
        taxonomy = data.get("taxonomy") or (project.taxonomy if project else None) or default_taxonomy()
        end = data.get("end") or timezone.localdate()
        start = data.get("start") or end - timedelta(days=DEFAULT_DAYS - 1)
        return DashboardFilters(taxonomy=taxonomy, project=project, start=start, end=end)


def default_taxonomy() -> Taxonomy | None:
    """The first taxonomy (by name) that has a model version, else the first one."""
    with_model = Taxonomy.objects.filter(pk__in=ModelVersion.objects.values("taxonomy_id")).order_by("name").first()
    return with_model or Taxonomy.objects.order_by("name").first()
