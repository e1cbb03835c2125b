"""Ops review of model suggestions for clips nobody labeled: accept, correct or reject one, or accept every
suggestion above a confidence at once (after a preview).

Accepted and corrected suggestions become final labels through the annotation app: a task of the clip in
the taxonomy's system project "Reviewed model suggestions (<taxonomy>)" (inactive, so no queue hands it
out) with `final_source="model-review"`, and a label that records the suggestion and whether it was taken.
The training set (classifier.dataset.labeled_clips), exports and label migration see them like any other
final label. A rejection is recorded only: the clip stays unlabeled and leaves the suggestions list.
"""

from __future__ import annotations

from collections import Counter

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from annotation.choices import LabelKind, QueueOrder, TaskStatus
from annotation.models import Clip, Label, Project, Task
from classifier.choices import ModelStatus, SuggestionDecision
from classifier.models import ModelVersion, Prediction, SuggestionReview
from classifier.selectors import suggestions
from taxonomy.choices import CategoryStatus
from taxonomy.models import Category, Taxonomy

FINAL_SOURCE = "model-review"
PREVIEW_SAMPLE = 20


def review_project_name(taxonomy: Taxonomy) -> str:
    return f"Reviewed model suggestions ({taxonomy.name})"[:200]


def review_project_ensure(*, taxonomy: Taxonomy) -> Project:
    """The taxonomy's system project that holds reviewed suggestions, created (inactive, empty) when first
    needed. Found through earlier reviews first, so renaming the taxonomy does not start a second one."""
    from annotation.services.projects import project_create

    project_id = (
        SuggestionReview.objects.filter(taxonomy=taxonomy, label__isnull=False)
        .values_list("label__task__project_id", flat=True)
        .first()
    )
    project = Project.objects.filter(pk=project_id).first() if project_id else None
    if project is None:
        Taxonomy.objects.select_for_update().get(pk=taxonomy.pk)  # one creator per taxonomy
        project = Project.objects.filter(taxonomy=taxonomy, name=review_project_name(taxonomy)).first()
    if project is None:
        project = project_create(
            name=review_project_name(taxonomy),
            taxonomy=taxonomy,
            instructions="Model suggestions that ops reviewers accepted or corrected on the review page. "
            "Nobody labels here: the project is inactive.",
            clip_filter={"ids": []},
            queue_order=QueueOrder.SEQUENTIAL,
        )
        Project.objects.filter(pk=project.pk).update(is_active=False)
        project.is_active = False
    return project


def _check_open(*, clip_id: int, taxonomy: Taxonomy) -> None:
    if Task.objects.filter(clip_id=clip_id, project__taxonomy=taxonomy, final_category__isnull=False).exists():
        raise ValidationError("This clip already has a final label in this taxonomy; nothing was changed.")
    if SuggestionReview.objects.filter(clip_id=clip_id, taxonomy=taxonomy, decision=SuggestionDecision.REJECT).exists():
        raise ValidationError("This suggestion was already rejected; nothing was changed.")


def _label_clip(*, project: Project, clip: Clip, category: Category, prediction: Prediction, reviewer, taken: bool):
    """The final label of a clip in the review project: its task (re-used after a re-label) and label."""
    now = timezone.now()
    final = {
        "status": TaskStatus.DONE,
        "required": 1,
        "taken": 1,
        "labels_count": 1,
        "relabel_reason": "",
        "final_category": category,
        "final_program_id": clip.program_id,
        "final_source": FINAL_SOURCE,
        "final_decided_by": reviewer,
        "final_release_id": project.release_id,
        "completed_at": now,
    }
    task, created = Task.objects.get_or_create(project=project, clip=clip, defaults=final)
    if not created:
        Label.objects.filter(task=task, is_current=True).update(is_current=False)
        Task.objects.filter(pk=task.pk).update(**final)
    return Label.objects.create(
        task=task,
        annotator=reviewer,
        kind=LabelKind.LABEL,
        category=category,
        program_id=clip.program_id,
        release_id=project.release_id,
        suggested_category_id=prediction.category_id,
        suggestion_taken=taken,
    )


@transaction.atomic
def suggestion_review(
    *, prediction: Prediction, reviewer, decision: str, category: Category | None = None, comment: str = ""
) -> SuggestionReview:
    """Record a reviewer's decision on a model suggestion; accept and correct label the clip.

    Args:
        prediction: the suggestion (a prediction of a model version of the taxonomy).
        decision: 'accept' (the suggested category), 'correct' (takes `category`) or 'reject' (takes a
            `comment` saying why; the clip stays unlabeled).

    Returns:
        The stored review; its `label` is the new label for accept and correct.
    """
    if decision not in SuggestionDecision.values:
        raise ValidationError({"decision": f"Choose one of {', '.join(SuggestionDecision.values)}."})
    prediction = Prediction.objects.select_related("model_version__taxonomy", "category").get(pk=prediction.pk)
    taxonomy = prediction.model_version.taxonomy
    clip = Clip.objects.select_for_update().get(pk=prediction.clip_id)  # one decision per clip at a time
    _check_open(clip_id=clip.pk, taxonomy=taxonomy)
    if decision == SuggestionDecision.ACCEPT:
        category = prediction.category
        if category is None or category.status != CategoryStatus.ACTIVE:
            raise ValidationError({"category": "The suggested category is no longer active; correct it instead."})
    elif decision == SuggestionDecision.CORRECT:
        if category is None or category.taxonomy_id != taxonomy.pk:
            raise ValidationError({"category": "Pick the right category (of the model's taxonomy)."})
        if category.status != CategoryStatus.ACTIVE:
            raise ValidationError({"category": f"{category.path!r} is deprecated."})
    else:
        if not comment.strip():
            raise ValidationError({"comment": "Say why the suggestion is rejected."})
        category = None
    label = None
    if category is not None:
        project = review_project_ensure(taxonomy=taxonomy)
        label = _label_clip(
            project=project,
            clip=clip,
            category=category,
            prediction=prediction,
            reviewer=reviewer,
            taken=decision == SuggestionDecision.ACCEPT,
        )
    return SuggestionReview.objects.create(
        taxonomy=taxonomy,
        clip=clip,
        prediction=prediction,
        model_version=prediction.model_version,
        suggested_category=prediction.category,
        confidence=prediction.confidence,
        decision=decision,
        category=category,
        label=label,
        reviewer=reviewer,
        comment=comment.strip(),
    )


def _bulk_candidates(*, taxonomy: Taxonomy, min_confidence: float, **filters):
    """The suggestions a bulk accept takes, and how many it leaves out as fitting none of the categories
    (open-set score below the active model's threshold): those need a person's look, one by one."""
    if not 0.0 <= min_confidence <= 1.0:
        raise ValidationError({"min_confidence": "Give a confidence between 0 and 1."})
    query = suggestions(taxonomy_id=taxonomy.pk, min_confidence=min_confidence, **filters).filter(
        category__status=CategoryStatus.ACTIVE
    )
    active = ModelVersion.objects.filter(taxonomy=taxonomy, status=ModelStatus.ACTIVE).only("calibration").first()
    threshold = (active.calibration or {}).get("open_set_threshold") if active else None
    if threshold is None:
        return query, 0
    in_set = Q(open_set_score__gte=threshold)
    return query.filter(in_set), query.exclude(in_set).count()


@transaction.atomic
def suggestions_bulk_accept(
    *,
    taxonomy: Taxonomy,
    min_confidence: float,
    reviewer,
    dry_run: bool = True,
    category: Category | None = None,
    max_confidence: float | None = None,
    program_id: int | None = None,
    expected_count: int | None = None,
    sample: int = PREVIEW_SAMPLE,
) -> dict:
    """Accept every open suggestion of the taxonomy's active model at or above `min_confidence` (and within
    the other filters), in one transaction; with `dry_run`, only say what would change.

    Args:
        expected_count: the count the reviewer saw in the preview; when given and the suggestions changed
            since (new predictions, someone else reviewed), nothing is applied.

    Returns:
        {"count", "dry_run", "categories": [{"id", "path", "count"}], "sample": [{clip, title, path, confidence}],
        "applied"}.
    """
    query, open_set = _bulk_candidates(
        taxonomy=taxonomy,
        min_confidence=min_confidence,
        category=category,
        max_confidence=max_confidence,
        program_id=program_id,
    )
    candidates = list(query)
    if not dry_run:
        # Lock the clips (single reviews lock them too), then read again: decisions that others committed
        # in between are seen, and none can slip in until this transaction ends.
        list(Clip.objects.select_for_update().filter(pk__in=[p.clip_id for p in candidates]).values_list("pk"))
        candidates = list(query.all())
    per_category = Counter(p.category_id for p in candidates)
    paths = {p.category_id: p.category.path for p in candidates}
    summary = {
        "count": len(candidates),
        "dry_run": dry_run,
        "min_confidence": min_confidence,
        "left_out_open_set": open_set,
        "categories": [
            {"id": cid, "path": paths[cid], "count": n}
            for cid, n in sorted(per_category.items(), key=lambda kv: (-kv[1], paths[kv[0]]))
        ],
        "sample": [
            {
                "prediction": p.pk,
                "clip": p.clip_id,
                "title": p.clip.title,
                "path": p.category.path,
                "confidence": round(p.confidence, 4),
            }
            for p in candidates[:sample]
        ],
        "applied": 0,
    }
    if dry_run:
        return summary
    if expected_count is not None and expected_count != len(candidates):
        raise ValidationError(
            {
                "expected_count": f"The preview showed {expected_count} suggestions but {len(candidates)} match "
                "now (new predictions or someone else's reviews); preview again. Nothing was changed."
            }
        )
    project = review_project_ensure(taxonomy=taxonomy)
    for prediction in candidates:
        label = _label_clip(
            project=project,
            clip=prediction.clip,
            category=prediction.category,
            prediction=prediction,
            reviewer=reviewer,
            taken=True,
        )
        SuggestionReview.objects.create(
            taxonomy=taxonomy,
            clip=prediction.clip,
            prediction=prediction,
            model_version=prediction.model_version,
            suggested_category=prediction.category,
            confidence=prediction.confidence,
            decision=SuggestionDecision.ACCEPT,
            category=prediction.category,
            label=label,
            reviewer=reviewer,
            bulk=True,
        )
    summary["applied"] = len(candidates)
    return summary
