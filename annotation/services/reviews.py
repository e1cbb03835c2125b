"""Reviewers resolve disagreements and flags: accept a label, correct it, or reject the clip."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from annotation.choices import ReviewDecision, TaskStatus
from annotation.models import Label, Review, Task
from taxonomy.choices import CategoryStatus


@transaction.atomic
def review_decide(
    *, task: Task, reviewer, decision: str, label: Label | None = None, category=None, program=None, comment: str = ""
) -> Review:
    """Record a reviewer's decision; the result is the task's final label, with who decided.

    Args:
        decision: 'accept' (takes `label`), 'correct' (takes `category`, optionally `program`) or 'reject'
            (the clip gets no category; `comment` says why).
    """
    task = Task.objects.select_for_update().select_related("project").get(pk=task.pk)
    if decision not in ReviewDecision.values:
        raise ValidationError({"decision": f"Choose one of {', '.join(ReviewDecision.values)}."})
    if decision == ReviewDecision.ACCEPT:
        if label is None or label.task_id != task.pk or label.category_id is None:
            raise ValidationError({"label": "Pick one of this clip's labels to accept."})
        category, program = label.category, program or label.program
    elif decision == ReviewDecision.CORRECT:
        if category is None or category.taxonomy_id != task.project.taxonomy_id:
            raise ValidationError({"category": "Pick the right category (of this project's taxonomy)."})
        if category.status != CategoryStatus.ACTIVE:
            raise ValidationError({"category": f"{category.path!r} is deprecated."})
    else:
        if not comment.strip():
            raise ValidationError({"comment": "Say why the clip is rejected."})
        category, program = None, None
    review = Review.objects.create(
        task=task,
        reviewer=reviewer,
        decision=decision,
        accepted_label=label if decision == "accept" else None,
        category=category,
        program=program,
        comment=comment.strip(),
    )
    Task.objects.filter(pk=task.pk).update(
        status=TaskStatus.DONE if decision != ReviewDecision.REJECT else TaskStatus.REJECTED,
        final_category=category,
        final_program=program,
        final_source="review",
        final_decided_by=reviewer,
        final_release=task.project.release,
        completed_at=timezone.now(),
    )
    return review
