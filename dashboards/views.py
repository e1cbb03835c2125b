"""Dashboard pages: the overview (a grid of charts) and model versions. Read-only and open to everyone
signed in; the filters come from the query string and each chart links to the same data in the API."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import reverse

from annotation.models import Project

from . import figures, selectors
from .filters import DashboardFilterForm

API_NAMES = {
    "labels": "labels-per-category",
    "agreement": "agreement",
    "precision-recall": "category-quality",
    "confusion": "category-quality",
    "versions": "model-versions",
    "versions-levels": "model-versions",
    "throughput": "throughput",
    "queues": "queues",
    "cold-start": "cold-start",
}


def _filters(request):
    """The form (with its errors, if any, to show) and the filters: the defaults when the query is wrong."""
    form = DashboardFilterForm(request.GET)
    if form.is_valid():
        return form, form.filters()
    fallback = DashboardFilterForm({})
    fallback.is_valid()
    return form, fallback.filters()


def _context(figs, f, form):
    query = urlencode(f.as_query())
    for fig in figs:
        fig.api_url = f"{reverse(f'dashboards-api:{API_NAMES[fig.key]}')}?{query}"
    projects = Project.objects.filter(taxonomy=f.taxonomy).order_by("name") if f.taxonomy else Project.objects.none()
    return {"form": form, "filters": f, "figures": figs, "projects": projects, "query": query}


@login_required
def index(request):
    """The overview: labels, agreement, model quality, throughput, queues and cold start for one taxonomy."""
    form, f = _filters(request)
    return render(request, "dashboards/index.html", _context(figures.overview(f), f, form))


@login_required
def models(request):
    """Model versions of a taxonomy: metrics over versions, and one version's quality per category."""
    form, f = _filters(request)
    version = request.GET.get("version", "")
    number = int(version) if version.isdigit() else None
    quality = selectors.category_quality(f, version=number)
    figs = [
        figures.model_versions(f),
        figures.model_versions(f, levels=True),
        figures.precision_recall(f, quality),
        figures.confusion(f, quality),
    ]
    context = _context(figs, f, form)
    context.update(versions=selectors.model_versions(f)["versions"], quality=quality)
    return render(request, "dashboards/models.html", context)
