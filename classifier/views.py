"""Pages of the classifier: training runs (live progress), one run, model versions (promote, roll back) and
the ops review of model suggestions. Thin: reads through selectors, and every action goes through the API
from the browser."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from annotation.models import Program
from annotation.selectors import clip_media_url
from classifier import selectors
from classifier.choices import ACTIVE_RUN_STATUSES, ModelStatus
from classifier.models import ModelVersion, TrainingRun
from taxonomy.choices import CategoryStatus
from taxonomy.models import Category, Taxonomy

REVIEW_PAGE_SIZE = 60
RUNS_SHOWN = 50


def _taxonomy_choice(request) -> tuple[list[Taxonomy], Taxonomy | None]:
    """All taxonomies, and the one chosen with ?taxonomy= (else the first one that has a model, else the first)."""
    taxonomies = list(Taxonomy.objects.order_by("name"))
    chosen = None
    wanted = request.GET.get("taxonomy", "")
    if wanted.isdigit():
        chosen = next((t for t in taxonomies if t.pk == int(wanted)), None)
    if chosen is None and taxonomies:
        with_model = set(ModelVersion.objects.values_list("taxonomy_id", flat=True))
        chosen = next((t for t in taxonomies if t.pk in with_model), taxonomies[0])
    return taxonomies, chosen


@login_required
def run_list(request):
    """Training runs of a taxonomy, newest first, with live progress; retrain and cancel for those allowed."""
    taxonomies, taxonomy = _taxonomy_choice(request)
    runs = (
        TrainingRun.objects.filter(taxonomy=taxonomy)
        .select_related("model_version", "requested_by", "release")
        .order_by("-created_at")[:RUNS_SHOWN]
        if taxonomy
        else []
    )
    active = ModelVersion.objects.filter(taxonomy=taxonomy, status=ModelStatus.ACTIVE).first() if taxonomy else None
    return render(
        request,
        "classifier/runs.html",
        {
            "taxonomies": taxonomies,
            "taxonomy": taxonomy,
            "runs": runs,
            "active_version": active,
            "can_train": request.user.has_perm("classifier.start_trainingrun"),
            "live_statuses": list(ACTIVE_RUN_STATUSES),
        },
    )


TEST_METRICS = (
    "hit_at_1",
    "accuracy_level1",
    "accuracy_level2",
    "accuracy_level3",
    "gap_at_20",
    "macro_f1",
    "hierarchical_f1",
    "ece",
)


@login_required
def run_detail(request, pk: int):
    run = get_object_or_404(TrainingRun.objects.select_related("taxonomy", "model_version", "release"), pk=pk)
    return render(
        request,
        "classifier/run_detail.html",
        {
            "run": run,
            "heading": f"Training run #{run.pk}",
            "can_train": request.user.has_perm("classifier.start_trainingrun"),
            "live": run.status in ACTIVE_RUN_STATUSES,
            "metric_keys": TEST_METRICS,
        },
    )


@login_required
def version_list(request):
    """A taxonomy's model versions with their metrics; promote a newer one or roll back to an earlier one."""
    taxonomies, taxonomy = _taxonomy_choice(request)
    versions = (
        list(ModelVersion.objects.filter(taxonomy=taxonomy).select_related("release").order_by("-number"))
        if taxonomy
        else []
    )
    active = next((v for v in versions if v.status == ModelStatus.ACTIVE), None)
    promotable = {ModelStatus.READY, ModelStatus.RETIRED}
    rows = [
        {
            "version": v,
            "level_keys": [k for k in sorted(v.metrics) if k.startswith("accuracy_level")],
            "action": (
                None
                if v.status not in promotable
                else "promote"
                if active is None or v.number > active.number
                else "rollback"
            ),
        }
        for v in versions
    ]
    return render(
        request,
        "classifier/versions.html",
        {
            "taxonomies": taxonomies,
            "taxonomy": taxonomy,
            "rows": rows,
            "active_version": active,
            "can_promote": request.user.has_perm("classifier.promote_modelversion"),
            "min_test_clips": settings.CLIPCAT_MIN_TEST_CLIPS,
        },
    )


def _float(value: str) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return min(1.0, max(0.0, number))


@login_required
def suggestion_review_page(request):
    """Model suggestions for clips nobody has labeled: filter, then accept, correct or reject by keyboard,
    or bulk-accept above a confidence after a preview."""
    if not request.user.has_perm("annotation.review_task"):
        raise PermissionDenied("Reviewing model suggestions is for reviewers.")
    taxonomies, taxonomy = _taxonomy_choice(request)
    categories = (
        list(Category.objects.filter(taxonomy=taxonomy, status=CategoryStatus.ACTIVE).order_by("tree_id", "lft"))
        if taxonomy
        else []
    )
    wanted = request.GET.get("category", "")
    category = next((c for c in categories if wanted.isdigit() and c.pk == int(wanted)), None)
    programs = list(Program.objects.order_by("title"))
    wanted = request.GET.get("program", "")
    program = next((p for p in programs if wanted.isdigit() and p.pk == int(wanted)), None)
    filters = {
        "category": category,
        "min_confidence": _float(request.GET.get("min_confidence")),
        "max_confidence": _float(request.GET.get("max_confidence")),
        "program_id": program.pk if program else None,
    }
    active = ModelVersion.objects.filter(taxonomy=taxonomy, status=ModelStatus.ACTIVE).first() if taxonomy else None
    found = selectors.suggestions(taxonomy_id=taxonomy.pk, **filters) if active else None
    shown = list(found[:REVIEW_PAGE_SIZE]) if found is not None else []
    paths = selectors.top_paths(shown)
    for prediction in shown:
        prediction.media = {kind: clip_media_url(prediction.clip, kind) for kind in ("video", "poster", "strip")}
        prediction.alternatives = json.dumps(
            [
                {"path": paths.get(t.get("category")), "p": t.get("p")}
                for t in (prediction.top or [])[1:]
                if paths.get(t.get("category"))
            ],
            ensure_ascii=False,
        )
    return render(
        request,
        "classifier/review.html",
        {
            "taxonomies": taxonomies,
            "taxonomy": taxonomy,
            "categories": categories,
            "category": category,
            "programs": programs,
            "program": program,
            "min_confidence": filters["min_confidence"],
            "max_confidence": filters["max_confidence"],
            "active_version": active,
            "suggestions": shown,
            "total": found.count() if found is not None else 0,
        },
    )
