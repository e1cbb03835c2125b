"""Submitting labels and skips, and deciding a task's final label when enough people have labeled it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from annotation.agreement import clip_agreement
from annotation.choices import AssignmentStatus, LabelKind, TaskStatus
from annotation.models import Assignment, Label, Task
from taxonomy.choices import CategoryStatus
from taxonomy.models import Category


def category_path_codes(category: Category) -> tuple[str, ...]:
    """The codes from the root down to `category`."""
    return tuple(category.get_ancestors(include_self=True).values_list("code", flat=True))


def category_paths(categories: list[Category]) -> dict[int, tuple[str, ...]]:
    """category id -> codes from the root down, for several categories in one query."""
    wanted = Q()
    for c in categories:
        wanted |= Q(tree_id=c.tree_id, lft__lte=c.lft, rght__gte=c.rght)
    rows = sorted(
        Category.objects.filter(wanted).values_list("tree_id", "lft", "rght", "level", "code"), key=lambda r: r[3]
    )
    return {
        c.pk: tuple(code for tree_id, lft, rght, _, code in rows if tree_id == c.tree_id and lft <= c.lft <= rght)
        for c in categories
    }


def _finish_lease(assignment: Assignment, user, status: str) -> Task:
    """Lock the lease's task and close the lease as `status`; refuses a lease that is not open any more.
    Callers run inside a transaction, so a later refusal (a bad category) reopens it."""
    if assignment.annotator_id != user.pk:
        raise PermissionDenied("This lease belongs to someone else.")
    task = (
        Task.objects.select_for_update(of=("self",))
        .select_related("project__taxonomy", "project__release")
        .get(pk=assignment.task_id)
    )
    finished = Assignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.LEASED).update(
        status=status, finished_at=timezone.now()
    )
    if not finished:
        now = Assignment.objects.filter(pk=assignment.pk).values_list("status", flat=True).first()
        raise ValidationError(
            f"This clip was already {now} in this lease; nothing was saved twice. Ask for the next clip."
        )
    return task


@transaction.atomic
def label_submit(
    *,
    assignment: Assignment,
    user,
    category: Category,
    program=None,
    time_spent_ms: int = 0,
    suggested_category: Category | None = None,
    flagged: bool = False,
    flag_comment: str = "",
) -> Label:
    """Save a person's label for the task they hold. A lease past its expiry is still accepted while it
    has not been reclaimed (its slot is still counted), so a slow submit loses nothing."""
    task = _finish_lease(assignment, user, AssignmentStatus.SUBMITTED)
    project = task.project
    if category.taxonomy_id != project.taxonomy_id:
        raise ValidationError({"category": "That category belongs to another taxonomy."})
    if category.status != CategoryStatus.ACTIVE:
        raise ValidationError({"category": f"{category.path!r} is deprecated; pick an active category."})
    if flagged and not flag_comment.strip():
        raise ValidationError({"flag_comment": "Say what is unclear in the standard."})
    label = Label.objects.create(
        task=task,
        assignment=assignment,
        annotator=user,
        kind=LabelKind.LABEL,
        category=category,
        program=program,
        release=project.release,
        time_spent_ms=max(0, min(int(time_spent_ms), 24 * 3600 * 1000)),
        suggested_category=suggested_category,
        suggestion_taken=suggested_category is not None and suggested_category.pk == category.pk,
        flagged=flagged,
        flag_comment=flag_comment.strip(),
    )
    if task.is_gold:
        return label
    task.labels_count += 1  # the row is locked: this is the stored value plus one
    if flagged:
        Task.objects.filter(pk=task.pk).update(labels_count=task.labels_count, status=TaskStatus.REVIEW)
    elif task.labels_count >= task.required:
        task_decide(task=task, labels_count=task.labels_count)
    else:
        Task.objects.filter(pk=task.pk).update(labels_count=task.labels_count)
    return label


@transaction.atomic
def label_skip(*, assignment: Assignment, user, reason: str, time_spent_ms: int = 0) -> Label:
    """Skip the clip with a reason. The slot goes back to the queue for someone else; this person will not
    be given the clip again."""
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": "Say why you skip this clip."})
    task = _finish_lease(assignment, user, AssignmentStatus.SKIPPED)
    label = Label.objects.create(
        task=task,
        assignment=assignment,
        annotator=user,
        kind=LabelKind.SKIP,
        release=task.project.release,
        skip_reason=reason[:300],
        time_spent_ms=max(0, int(time_spent_ms)),
    )
    if not task.is_gold:
        Task.objects.filter(pk=task.pk, taken__gt=0).update(taken=F("taken") - 1)
    return label


def task_decide(*, task: Task, labels_count: int | None = None) -> None:
    """Apply agreement to a task whose labels are all in: a final label, or review. A caller that has
    just counted a new label passes `labels_count`, stored in the same update."""
    also = {} if labels_count is None else {"labels_count": labels_count}
    labels = list(task.labels.filter(kind=LabelKind.LABEL, is_current=True).select_related("category"))
    by_category = category_paths(list({label.category_id: label.category for label in labels}.values()))
    voted = [(label.category_id, label.program_id, by_category[label.category_id]) for label in labels]
    fields = decision_fields(voted, max_depth=task.project.taxonomy.max_depth, release_id=task.project.release_id)
    Task.objects.filter(pk=task.pk).update(**fields, **also)


def decision_fields(labels: list[tuple[int, int | None, tuple[str, ...]]], *, max_depth: int, release_id) -> dict:
    """The task's update from its current labels, each (category id, program id, codes from the root):
    the agreement, and the final label with the majority program among the labels that won, or review."""
    result = clip_agreement([path for _, _, path in labels], max_depth=max_depth)
    agreement = {"levels": result.per_level, "partial": round(result.partial, 4), "labels": len(labels)}
    if result.decision is None:
        return {"status": TaskStatus.REVIEW, "agreement": agreement}
    final_category = next(category for category, _, path in labels if path == result.decision)
    programs = [program for _, program, path in labels if path == result.decision and program]
    return {
        "status": TaskStatus.DONE,
        "agreement": agreement,
        "final_category_id": final_category,
        "final_program_id": max(set(programs), key=programs.count) if programs else None,
        "final_source": "agreement",
        "final_release_id": release_id,
        "completed_at": timezone.now(),
    }
