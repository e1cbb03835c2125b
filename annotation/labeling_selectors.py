"""Reads for labeling: which projects a person sees, their own figures, project quality, feedback."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Avg, Count, Exists, OuterRef, Q

from annotation.agreement import alpha_per_level, gold_accuracy
from annotation.choices import AssignmentStatus, LabelKind, TaskStatus
from annotation.models import Assignment, Label, Project, ProjectMember, Task
from annotation.services.labels import category_path_codes, category_paths
from annotation.services.queue import queue_remaining
from taxonomy.models import Category
from taxonomy.selectors import standard_current


def projects_for_user(user):
    """Managers (and admins) see every project; everyone else the projects they are members of."""
    if user.has_perm("annotation.manage_project"):
        return Project.objects.all()
    return Project.objects.filter(Exists(ProjectMember.objects.filter(project=OuterRef("pk"), user=user)))


def sees_answers(user) -> bool:
    """Reviewers and the people who set projects up see gold answers and everyone's labels. Annotators see
    only their own work: labels are given independently, and gold clips measure them unannounced."""
    return user.has_perm("annotation.review_task") or user.has_perm("annotation.manage_project")


def tasks_for_user(user):
    """The tasks a person may read: every task of their projects, or for annotators the tasks they have
    held a lease on."""
    tasks = Task.objects.filter(project__in=projects_for_user(user))
    if sees_answers(user):
        return tasks
    return tasks.filter(Exists(Assignment.objects.filter(task=OuterRef("pk"), annotator=user)))


def labels_for_user(user):
    """The labels a person may read: all labels of their projects, or for annotators their own."""
    labels = Label.objects.filter(task__project__in=projects_for_user(user))
    return labels if sees_answers(user) else labels.filter(annotator=user)


def _paths(category_ids) -> dict[int, tuple[str, ...]]:
    """category id -> path of codes, for many categories (one query for the categories, one for their paths)."""
    return category_paths(list(Category.objects.filter(pk__in=set(category_ids))))


def annotator_stats(*, project: Project, user) -> dict:
    labels = Label.objects.filter(task__project=project, annotator=user, supersedes__isnull=True)
    done = labels.filter(kind=LabelKind.LABEL)
    agg = done.aggregate(n=Count("id"), avg_ms=Avg("time_spent_ms"))
    gold = list(done.filter(task__is_gold=True).values_list("category_id", "task__gold_category_id"))
    paths = _paths([c for pair in gold for c in pair if c])
    depth = project.taxonomy.max_depth
    return {
        "labeled": agg["n"],
        "skipped": labels.filter(kind=LabelKind.SKIP).count(),
        "remaining": queue_remaining(project=project, user=user),
        "seconds_per_label": round((agg["avg_ms"] or 0) / 1000, 1),
        "gold_labeled": len(gold),
        "gold_accuracy": gold_accuracy([(paths[a], paths[b]) for a, b in gold if a and b], max_depth=depth),
    }


def project_stats(*, project: Project) -> dict:
    tasks = Task.objects.filter(project=project, is_gold=False)
    counts = dict(tasks.values_list("status").annotate(n=Count("id")))
    current = list(
        Label.objects.filter(
            task__project=project, task__is_gold=False, kind=LabelKind.LABEL, is_current=True
        ).values_list("task_id", "category_id")
    )
    paths = _paths(c for _, c in current)
    per_task: dict[int, list] = defaultdict(list)
    for task_id, cat in current:
        per_task[task_id].append(paths[cat])
    annotators = list(
        Label.objects.filter(task__project=project, supersedes__isnull=True)
        .values("annotator__username")
        .annotate(
            labels=Count("id", filter=Q(kind=LabelKind.LABEL)),
            skips=Count("id", filter=Q(kind=LabelKind.SKIP)),
            flags=Count("id", filter=Q(flagged=True)),
            avg_ms=Avg("time_spent_ms"),
        )
        .order_by("annotator__username")
    )
    return {
        "tasks": tasks.count(),
        "by_status": {status: counts.get(status, 0) for status in TaskStatus.values},
        "relabel": tasks.exclude(relabel_reason="").filter(status=TaskStatus.OPEN).count(),
        "live_leases": project.tasks.filter(assignments__status=AssignmentStatus.LEASED).count(),
        "alpha": alpha_per_level(per_task.values(), max_depth=project.taxonomy.max_depth),
        "annotators": [
            {
                "username": a["annotator__username"],
                "labels": a["labels"],
                "skips": a["skips"],
                "flags": a["flags"],
                "seconds_per_label": round((a["avg_ms"] or 0) / 1000, 1),
            }
            for a in annotators
        ],
    }


def training_feedback(*, label: Label, user) -> dict | None:
    """In training mode, after a gold clip: the right answer and its standard, and whether it matched."""
    task = label.task
    if not task.is_gold or task.gold_category_id is None:
        return None
    member = ProjectMember.objects.filter(project_id=task.project_id, user=user).first()
    if member is None or not member.training_mode:
        return None
    gold, mine = task.gold_category, label.category
    standard = standard_current(gold)
    gold_path, my_path = category_path_codes(gold), category_path_codes(mine)
    return {
        "correct": gold.pk == mine.pk,
        "levels": {level: gold_path[:level] == my_path[:level] for level in range(1, len(gold_path) + 1)},
        "gold": {"id": gold.pk, "code": gold.code, "path": gold.path},
        "standard": standard.content() if standard else None,
    }
