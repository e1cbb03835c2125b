"""The exact reconciliation of bench/faults.py, run after the load has stopped and the sweeps have run.
Each check returns (passed, line to print)."""

from __future__ import annotations

from collections import Counter

from django.db.models import Count, F, Q
from django.utils import timezone

from annotation.choices import AssignmentStatus, ClipStatus, LabelKind
from annotation.models import Assignment, Clip, Label, Task
from classifier.choices import ModelStatus, RunStatus
from classifier.models import ModelVersion, TrainingRun

Check = tuple[bool, str]


def labels_once(name: str, project_id: int, accepted: list[tuple[int, int | None]]) -> Check:
    """Every label a client saw accepted is in the database exactly once, under the lease it was sent for."""
    leases = [lease for lease, _ in accepted]
    twice_by_client = [lease for lease, n in Counter(leases).items() if n > 1]
    stored = dict(Label.objects.filter(assignment_id__in=leases).values_list("assignment_id", "id"))
    per_lease = Counter(Label.objects.filter(assignment_id__in=leases).values_list("assignment_id", flat=True))
    lost = [lease for lease in set(leases) if lease not in stored]
    duplicated = [lease for lease, n in per_lease.items() if n > 1]
    wrong_id = [lease for lease, label in accepted if label is not None and stored.get(lease) != label]
    by_retry = sum(1 for _, label in accepted if label is None)
    in_project = Label.objects.filter(task__project_id=project_id, kind=LabelKind.LABEL).count()
    ok = not (lost or duplicated or wrong_id or twice_by_client)
    return ok, (
        f"{name}: {len(leases)} accepted ({by_retry} found by lease id after a retry), {len(stored)} of them in the "
        f"database once; lost {len(lost)}, stored twice {len(duplicated)}, label id differs {len(wrong_id)}, "
        f"accepted twice by a client {len(twice_by_client)}; labels in the project {in_project} "
        f"({in_project - len(set(leases))} saved but never confirmed to the annotator)"
        + (f"; lost leases {lost[:5]}" if lost else "")
    )


def overlap(project_ids: list[int]) -> list[Check]:
    tasks = Task.objects.filter(project_id__in=project_ids, is_gold=False).annotate(
        n=Count("labels", filter=Q(labels__kind=LabelKind.LABEL, labels__is_current=True))
    )
    over = tasks.filter(n__gt=F("required")).count()
    counter = tasks.exclude(labels_count=F("n")).count()
    pairs = (
        Label.objects.filter(task__project_id__in=project_ids, kind=LabelKind.LABEL)
        .values("task_id", "annotator_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .count()
    )
    return [
        (over == 0, f"clips over their overlap: {over}"),
        (counter == 0, f"tasks whose labels_count differs from their labels: {counter}"),
        (pairs == 0, f"duplicate (clip, person) pairs: {pairs}"),
    ]


def leases(project_ids: list[int]) -> list[Check]:
    """After leases_expire: nothing leased past its expiry, and taken == live leases + submitted labels."""
    stuck = Assignment.objects.filter(
        task__project_id__in=project_ids, status=AssignmentStatus.LEASED, expires_at__lt=timezone.now()
    ).count()
    live = Assignment.objects.filter(task__project_id__in=project_ids, status=AssignmentStatus.LEASED).count()
    wrong = (
        Task.objects.filter(project_id__in=project_ids, is_gold=False)
        .annotate(
            live=Count("assignments", filter=Q(assignments__status=AssignmentStatus.LEASED)),
            done=Count("assignments", filter=Q(assignments__status=AssignmentStatus.SUBMITTED)),
        )
        .exclude(taken=F("live") + F("done"))
    )
    examples = list(wrong.values_list("id", "taken", "live", "done")[:3])
    return [
        (stuck == 0, f"leases still leased past their expiry after leases_expire: {stuck} (live leases: {live})"),
        (
            not examples,
            f"tasks where taken != live leases + submitted labels: {wrong.count()}"
            + (f" (task, taken, live, submitted): {examples}" if examples else ""),
        ),
    ]


def clips(uploaded: list[int]) -> list[Check]:
    """Every uploaded clip ended ready or failed with a reason; no clip anywhere is left processing."""
    rows = list(Clip.objects.filter(pk__in=uploaded).values_list("id", "status", "error_code", "error", "attempts"))
    by_status = Counter(status for _, status, *_ in rows)
    unsettled = [r[0] for r in rows if r[1] not in (ClipStatus.READY, ClipStatus.FAILED)]
    silent = [r[0] for r in rows if r[1] == ClipStatus.FAILED and not r[3]]
    retried = [(r[0], r[4]) for r in rows if r[4] > 1]
    failed = sorted({r[2] for r in rows if r[1] == ClipStatus.FAILED})
    processing = Clip.objects.filter(status=ClipStatus.PROCESSING).count()
    missing = len(uploaded) - len(rows)
    return [
        (
            not unsettled and not silent and not missing,
            f"uploaded clips: {len(uploaded)}: {dict(by_status)}; failed codes {failed}; not settled {unsettled}; "
            f"failed without a reason {silent}; missing {missing}; processed more than once (id, attempts) {retried}",
        ),
        (processing == 0, f"clips left processing (all clips): {processing}"),
    ]


def training(active_before: dict[int, int | None], since) -> list[Check]:
    """No run left running; the active model changed only where a run of this bench succeeded and promoted."""
    runs = list(TrainingRun.objects.filter(created_at__gte=since).order_by("pk"))
    running = TrainingRun.objects.filter(status=RunStatus.RUNNING).count()
    described = [f"#{r.pk} {r.status} (epoch {r.epoch}{', promoted' if r.promoted else ''})" for r in runs]
    checks = [(running == 0, f"training runs left running: {running}; runs during the bench: {described}")]
    for taxonomy_id, before in active_before.items():
        after = (
            ModelVersion.objects.filter(taxonomy_id=taxonomy_id, status=ModelStatus.ACTIVE)
            .values_list("pk", flat=True)
            .first()
        )
        promoted = any(r.taxonomy_id == taxonomy_id and r.promoted and r.status == RunStatus.SUCCEEDED for r in runs)
        ok = after == before or promoted
        checks.append(
            (ok, f"active model of taxonomy {taxonomy_id}: before {before}, after {after} (a run promoted: {promoted})")
        )
    return checks
