"""Carrying labels to a new release of the taxonomy.

Kept, renamed, moved and restored categories carry their labels forward; merged ones carry them to the
merge target. Each carried label is a new row under the new release that points at the one it replaces,
which is kept with its release. Labels on split or deprecated categories are not guessed at: their clips
go back into the queue marked for re-labeling. A `LabelMigration` per project records what went where.
"""

from __future__ import annotations

from collections import Counter

from django.db import transaction
from django.db.models import Q

from annotation.choices import AssignmentStatus, LabelKind, TaskStatus
from annotation.models import Assignment, Label, LabelMigration, Project, Task
from taxonomy.choices import MappingAction
from taxonomy.models import Category, Release

CARRY = {MappingAction.KEPT, MappingAction.RENAMED, MappingAction.MOVED, MappingAction.RESTORED, MappingAction.ADDED}
RELABEL_REASONS = {
    MappingAction.SPLIT: "re-label: category split",
    MappingAction.DEPRECATED: "re-label: category deprecated",
}


def _plan(release: Release) -> tuple[dict[str, tuple[str, str | None]], dict[str, int]]:
    """old code -> (action, new code or None), and code -> category id in the new release."""
    plan: dict[str, tuple[str, str | None]] = {}
    for m in release.mappings.all():
        action = MappingAction(m.action)
        if action in CARRY:
            plan[m.code] = (action, m.code)
        elif action == MappingAction.MERGED:
            plan[m.code] = (action, m.target_codes[0])
        else:
            plan[m.code] = (action, None)
    ids = dict(Category.objects.filter(taxonomy=release.taxonomy).values_list("code", "id"))
    return plan, ids


def _reset_for_relabel(task: Task, reason: str) -> None:
    """Send a task back to the queue: its labels stop counting, former annotators may label it again."""
    Label.objects.filter(task=task, is_current=True).update(is_current=False)
    Assignment.objects.filter(task=task, status__in=[AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED]).update(
        status=AssignmentStatus.SUPERSEDED
    )
    live = Assignment.objects.filter(task=task, status=AssignmentStatus.LEASED).count()
    Task.objects.filter(pk=task.pk).update(
        status=TaskStatus.OPEN,
        relabel_reason=reason,
        labels_count=0,
        taken=live,
        final_category=None,
        final_program=None,
        final_source="",
        final_decided_by=None,
        final_release=None,
        agreement={},
        completed_at=None,
    )


@transaction.atomic
def labels_migrate_project(*, project: Project, release: Release) -> LabelMigration:
    """Move one project's labels to `release` (a later release of its taxonomy)."""
    plan, ids = _plan(release)
    moved: Counter = Counter()
    details: list[dict] = []
    relabel: dict[int, str] = {}
    new_labels: list[Label] = []
    old_ids: list[int] = []
    current = Label.objects.filter(task__project=project, is_current=True).select_related("category")
    for label in current.iterator(chunk_size=2000):
        if label.kind != LabelKind.LABEL:
            continue
        action, target = plan.get(label.category.code, (MappingAction.DEPRECATED, None))
        if target is None:
            relabel.setdefault(label.task_id, RELABEL_REASONS.get(action, RELABEL_REASONS[MappingAction.DEPRECATED]))
            details.append(
                {
                    "label": label.pk,
                    "task": label.task_id,
                    "from": label.category.code,
                    "to": None,
                    "action": str(action),
                }
            )
            continue
        moved[str(action)] += 1
        if target != label.category.code:
            details.append(
                {
                    "label": label.pk,
                    "task": label.task_id,
                    "from": label.category.code,
                    "to": target,
                    "action": str(action),
                }
            )
        old_ids.append(label.pk)
        new_labels.append(
            Label(
                task_id=label.task_id,
                annotator_id=label.annotator_id,
                kind=label.kind,
                category_id=ids[target],
                program_id=label.program_id,
                release=release,
                time_spent_ms=label.time_spent_ms,
                suggested_category_id=label.suggested_category_id,
                suggestion_taken=label.suggestion_taken,
                flagged=label.flagged,
                flag_comment=label.flag_comment,
                supersedes_id=label.pk,
            )
        )
    Label.objects.filter(pk__in=old_ids).update(is_current=False)
    Label.objects.bulk_create(new_labels, batch_size=2000)
    # Tasks' final labels follow the same plan; tasks touched by a split or deprecation start over.
    for task in Task.objects.filter(project=project, final_category__isnull=False).select_related("final_category"):
        action, target = plan.get(task.final_category.code, (MappingAction.DEPRECATED, None))
        if target is None:
            relabel.setdefault(task.pk, RELABEL_REASONS.get(action, RELABEL_REASONS[MappingAction.DEPRECATED]))
        elif target != task.final_category.code:
            Task.objects.filter(pk=task.pk).update(final_category_id=ids[target], final_release=release)
        else:
            Task.objects.filter(pk=task.pk).update(final_release=release)
    for task in Task.objects.filter(pk__in=relabel):
        _reset_for_relabel(task, relabel[task.pk])
    previous = project.release
    Project.objects.filter(pk=project.pk).update(release=release)
    return LabelMigration.objects.create(
        project=project,
        from_release=previous,
        to_release=release,
        carried=sum(moved.values()),
        relabel_tasks=len(relabel),
        counts=dict(moved),
        details=details,
    )


def labels_migrate_for_release(*, release: Release) -> list[LabelMigration]:
    """Migrate every project of the release's taxonomy that is on an older release."""
    projects = Project.objects.filter(taxonomy=release.taxonomy).filter(~Q(release=release))
    return [labels_migrate_project(project=p, release=release) for p in projects]
