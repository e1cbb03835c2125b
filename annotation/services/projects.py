"""Projects: creating them, adding people, and keeping their tasks in step with the clips in scope."""

from __future__ import annotations

import random

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q

from annotation.choices import ClipStatus, MemberRole
from annotation.hooks import project_queue_changed
from annotation.models import Clip, Project, ProjectMember, Task
from taxonomy.models import Release, Taxonomy
from taxonomy.selectors import release_latest

FILTER_KEYS = {"program", "tags", "search", "ids", "status"}


def clips_in_scope(clip_filter: dict):
    """The ready clips a project's saved filter selects."""
    unknown = set(clip_filter) - FILTER_KEYS
    if unknown:
        raise ValidationError({"clip_filter": f"Unknown filter keys: {', '.join(sorted(unknown))}."})
    qs = Clip.objects.filter(status=ClipStatus.READY)
    if clip_filter.get("program"):
        qs = qs.filter(program_id=clip_filter["program"])
    if clip_filter.get("tags"):
        qs = qs.filter(tags__name__in=[str(t).lower() for t in clip_filter["tags"]]).distinct()
    if clip_filter.get("search"):
        term = str(clip_filter["search"])
        qs = qs.filter(Q(title__icontains=term) | Q(description__icontains=term))
    if clip_filter.get("ids") is not None:  # an explicit empty list selects no clips, not all of them
        qs = qs.filter(pk__in=[int(i) for i in clip_filter["ids"]])
    return qs


@transaction.atomic
def project_create(
    *,
    name: str,
    taxonomy: Taxonomy,
    actor=None,
    release: Release | None = None,
    instructions: str = "",
    clip_filter: dict | None = None,
    overlap: int = 1,
    queue_order: str = "sequential",
    gold_share: float = 0.0,
    lease_seconds: int = 600,
    al_strategy: str = "entropy",
) -> Project:
    """Create a project on a release of the taxonomy (the latest by default) and its tasks."""
    release = release or release_latest(taxonomy)
    if release is None:
        raise ValidationError({"release": f"{taxonomy.name!r} has no release yet; publish one first."})
    if release.taxonomy_id != taxonomy.pk:
        raise ValidationError({"release": "The release belongs to another taxonomy."})
    if Project.objects.filter(name__iexact=name.strip()).exists():
        raise ValidationError({"name": f"A project named {name.strip()!r} already exists."})
    project = Project(
        name=name.strip(),
        taxonomy=taxonomy,
        release=release,
        instructions=instructions,
        clip_filter=clip_filter or {},
        overlap=overlap,
        queue_order=queue_order,
        gold_share=gold_share,
        lease_seconds=lease_seconds,
        al_strategy=al_strategy,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    project.full_clean()
    clips_in_scope(project.clip_filter)  # validates the filter
    project.save()
    if actor is not None and actor.is_authenticated:
        ProjectMember.objects.create(project=project, user=actor, role=MemberRole.MANAGER)
    project_sync_tasks(project=project)
    return project


UPDATABLE = (
    "name",
    "instructions",
    "clip_filter",
    "overlap",
    "queue_order",
    "al_strategy",
    "gold_share",
    "lease_seconds",
    "is_active",
)


@transaction.atomic
def project_update(*, project: Project, **changes) -> Project:
    """Change a project's settings. A new overlap applies to open tasks (never below what they already hold);
    a new clip filter adds tasks for clips that entered the scope (tasks of clips that left it stay, with
    their labels)."""
    from django.db.models import F
    from django.db.models.functions import Greatest

    unknown = set(changes) - set(UPDATABLE)
    if unknown:
        raise ValidationError(f"These cannot be changed: {', '.join(sorted(unknown))}.")
    project = Project.objects.select_for_update().get(pk=project.pk)
    if "clip_filter" in changes:
        if not isinstance(changes["clip_filter"], dict):
            raise ValidationError({"clip_filter": 'The clip filter is an object, e.g. {"tags": ["sports"]}.'})
        clips_in_scope(changes["clip_filter"])
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
        if Project.objects.filter(name__iexact=changes["name"]).exclude(pk=project.pk).exists():
            raise ValidationError({"name": f"A project named {changes['name']!r} already exists."})
    reorder = any(getattr(project, f) != changes[f] for f in ("queue_order", "al_strategy") if f in changes)
    for field, value in changes.items():
        setattr(project, field, value)
    project.full_clean()
    project.save()
    if "overlap" in changes:
        from annotation.choices import TaskStatus

        Task.objects.filter(project=project, status=TaskStatus.OPEN, is_gold=False).update(
            required=Greatest(F("taken"), F("labels_count"), project.overlap)
        )
    added = project_sync_tasks(project=project) if "clip_filter" in changes else 0
    if reorder and not added:  # new tasks have already said so
        project_queue_changed.send(sender=Project, project=project)
    return project


@transaction.atomic
def project_sync_tasks(*, project: Project, seed: int | None = None) -> int:
    """Create a task for each ready clip in scope that has none yet. Returns how many were added."""
    have = set(Task.objects.filter(project=project).values_list("clip_id", flat=True))
    rng = random.Random(seed if seed is not None else project.pk)
    new = [
        Task(project=project, clip_id=clip_id, required=project.overlap, random_key=rng.random())
        for clip_id in clips_in_scope(project.clip_filter).values_list("id", flat=True)
        if clip_id not in have
    ]
    Task.objects.bulk_create(new, batch_size=2000)
    if len(new) >= ANALYZE_AFTER:
        _refresh_planner_statistics()
    if new:
        project_queue_changed.send(sender=Project, project=project)  # the classifier orders them (after commit)
    return len(new)


# A project that gains this many tasks at once has its table statistics refreshed on the spot: until
# autovacuum gets to it (a minute or more), PostgreSQL would plan "next clip" as if the project were
# empty and walk every task on each request (measured: 480 ms instead of 0.1 ms at 10,000 tasks).
ANALYZE_AFTER = 1000


def _refresh_planner_statistics() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Task._meta.db_table}")


@transaction.atomic
def project_member_set(*, project: Project, user, role: str = MemberRole.ANNOTATOR, training_mode: bool = False):
    """Add a person to a project, or change their role and training mode."""
    if role not in MemberRole.values:
        raise ValidationError({"role": f"Choose one of {', '.join(MemberRole.values)}."})
    member, _ = ProjectMember.objects.update_or_create(
        project=project, user=user, defaults={"role": role, "training_mode": training_mode}
    )
    return member


@transaction.atomic
def task_gold_set(*, task: Task, category) -> Task:
    """Make a task a gold clip with a known answer (used to train and measure annotators)."""
    if category is not None and category.taxonomy_id != task.project.taxonomy_id:
        raise ValidationError({"category": "The gold answer must come from the project's taxonomy."})
    Task.objects.filter(pk=task.pk).update(is_gold=category is not None, gold_category=category, taken=0)
    task.refresh_from_db()
    return task
