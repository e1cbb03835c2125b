"""The labeling queue: leasing the next task to a person, keeping leases alive, letting them go.

Correctness rests on one rule: `Task.taken` (live leases + submitted labels) changes only while the
task row is locked, and a task is leased only while `taken < required`. On PostgreSQL the candidate row
is locked with FOR UPDATE SKIP LOCKED, so concurrent annotators pick different tasks without waiting; on
SQLite transactions are serialised (IMMEDIATE), which is correct but slower.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from annotation.choices import AssignmentStatus, QueueOrder, TaskStatus
from annotation.models import Assignment, Project, Task

# Ordering of the queue per project setting. Active learning reads `priority`, which the classifier
# writes (higher = more useful to label next); a new strategy only has to write that score.
MAX_HELD = 2  # the clip on screen and the one preloaded behind it

QUEUE_ORDERING = {
    QueueOrder.SEQUENTIAL: ("id",),
    QueueOrder.RANDOM: ("random_key", "id"),
    QueueOrder.ACTIVE_LEARNING: ("-priority", "id"),
}


def _lease(task: Task, user, project: Project) -> Assignment:
    now = timezone.now()
    expires_at = now + timedelta(seconds=project.lease_seconds)
    if not task.is_gold:  # gold tasks are labeled by everyone once; their slots are not counted
        Task.objects.filter(pk=task.pk).update(taken=F("taken") + 1)
    task.project = project  # the caller's instance: serializers read it without another query
    if task.my_expired_id is not None:  # the same person coming back to a lease they let expire
        Assignment.objects.filter(pk=task.my_expired_id).update(
            status=AssignmentStatus.LEASED, leased_at=now, expires_at=expires_at, finished_at=None
        )
        assignment = Assignment.objects.get(pk=task.my_expired_id)
        assignment.task = task
        return assignment
    return Assignment.objects.create(task=task, annotator=user, expires_at=expires_at)


def leases_expire(*, project: Project | None = None) -> int:
    """Release leases past their expiry: their slot goes back to the task. Returns how many."""
    now = timezone.now()
    stale = Assignment.objects.filter(status=AssignmentStatus.LEASED, expires_at__lt=now)
    if project is not None:
        stale = stale.filter(task__project=project)
    released = 0
    for assignment_id, task_id in stale.values_list("id", "task_id")[:1000]:
        with transaction.atomic():
            task = Task.objects.select_for_update().get(pk=task_id)
            changed = Assignment.objects.filter(
                pk=assignment_id, status=AssignmentStatus.LEASED, expires_at__lt=now
            ).update(status=AssignmentStatus.EXPIRED, finished_at=now)
            if changed and not task.is_gold:
                Task.objects.filter(pk=task.pk, taken__gt=0).update(taken=F("taken") - 1)
            released += changed
    return released


def _candidates(project: Project, user, *, gold: bool):
    # NOT EXISTS on the (task, annotator) index: with the queue-order index the database walks the
    # project's open tasks in order and stops at the first one this person has not had, whatever the
    # size of their history.
    had = Assignment.objects.filter(
        task=OuterRef("pk"),
        annotator=user,
        status__in=[AssignmentStatus.LEASED, AssignmentStatus.SUBMITTED, AssignmentStatus.SKIPPED],
    )
    qs = Task.objects.filter(project=project, status=TaskStatus.OPEN, is_gold=gold).filter(~Exists(had))
    if not gold:
        qs = qs.filter(taken__lt=F("required"))
    return qs.order_by(*QUEUE_ORDERING[QueueOrder(project.queue_order)])


def _take(project: Project, user, *, gold: bool) -> Task | None:
    """Lock the first candidate no one else is locking, with what leasing and the labeling page need."""
    expired = Assignment.objects.filter(task=OuterRef("pk"), annotator=user, status=AssignmentStatus.EXPIRED)
    return (
        _candidates(project, user, gold=gold)
        .select_related("clip__program")
        .annotate(my_expired_id=Subquery(expired.values("pk")[:1]))
        .select_for_update(skip_locked=True, of=("self",))
        .first()
    )


@transaction.atomic
def task_next_for_annotator(
    *, project: Project, user, rng: random.Random | None = None, exclude: list[int] | None = None
) -> Assignment | None:
    """Lease the next task to `user`, or give back a lease they already hold (a reloaded page or a
    reopened browser continues where it was). None when nothing is left for them.

    Args:
        exclude: ids of leases the caller already has in hand; the labeling page passes its current one to
            preload the next clip, so a person holds at most MAX_HELD leases at once.

    Gold tasks are mixed in at the project's `gold_share`; everyone labels each gold task once.
    """
    now = timezone.now()
    live = list(
        Assignment.objects.filter(
            annotator=user, task__project=project, status=AssignmentStatus.LEASED, expires_at__gte=now
        )
        .select_related("task__clip__program")
        .order_by("leased_at")[: MAX_HELD + 1]
    )
    held = next((a for a in live if a.pk not in (exclude or ())), None)
    if held is not None:
        held.expires_at = now + timedelta(seconds=project.lease_seconds)
        Assignment.objects.filter(pk=held.pk).update(expires_at=held.expires_at)
        held.task.project = project
        return held
    if not project.is_active or len(live) >= MAX_HELD:
        return None
    rng = rng or random
    order = [True, False] if project.gold_share and rng.random() < project.gold_share else [False, True]
    # Expired leases are reclaimed by beat every minute; here only when the queue seems empty, so their
    # slots are not missed at the end of a project and "next" stays cheap the rest of the time.
    for reclaim in (False, True):
        if reclaim and not leases_expire(project=project):
            break
        for gold in order:
            if gold and not project.gold_share:
                continue
            task = _take(project, user, gold=gold)
            if task is not None:
                return _lease(task, user, project)
    return None


@transaction.atomic
def assignment_renew(*, assignment: Assignment, user) -> Assignment:
    """Keep a lease alive while the labeling page is open (the page calls this every minute)."""
    from django.core.exceptions import PermissionDenied, ValidationError

    if assignment.annotator_id != user.pk:
        raise PermissionDenied("This lease belongs to someone else.")
    assignment = Assignment.objects.select_for_update().select_related("task__project").get(pk=assignment.pk)
    if assignment.status != AssignmentStatus.LEASED:
        # Reclaimed after expiry (its slot may have gone to someone else): the page asks for the next clip.
        raise ValidationError(f"This lease is {assignment.status}; ask for the next clip.")
    # Past its expiry but not reclaimed yet: the slot is still counted as this lease's, so it can go on.
    assignment.expires_at = timezone.now() + timedelta(seconds=assignment.task.project.lease_seconds)
    assignment.save(update_fields=["expires_at"])
    return assignment


@transaction.atomic
def assignment_release(*, assignment: Assignment, user) -> None:
    """Give a lease back without labeling (the person leaves the page deliberately)."""
    from django.core.exceptions import PermissionDenied

    if assignment.annotator_id != user.pk:
        raise PermissionDenied("This lease belongs to someone else.")
    task = Task.objects.select_for_update().get(pk=assignment.task_id)
    changed = Assignment.objects.filter(pk=assignment.pk, status=AssignmentStatus.LEASED).update(
        status=AssignmentStatus.RELEASED, finished_at=timezone.now()
    )
    if changed and not task.is_gold:
        Task.objects.filter(pk=task.pk, taken__gt=0).update(taken=F("taken") - 1)


def queue_remaining(*, project: Project, user) -> int:
    """How many tasks this person could still be given."""
    return _candidates(project, user, gold=False).count()
