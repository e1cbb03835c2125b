"""Asking for a retrain (with coalescing), cancelling, and finding runs whose worker died."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from classifier.choices import ACTIVE_RUN_STATUSES, RunStatus, RunTrigger
from classifier.models import TrainingRun
from taxonomy.models import Taxonomy


@transaction.atomic
def training_run_request(
    *, taxonomy: Taxonomy, trigger: str, reason: str, actor=None, window_s: int | None = None
) -> TrainingRun:
    """Ask for a retrain. Triggers arriving while a run of this taxonomy is still queued join it (the
    reasons add up), so a burst of edits and labels gives one run. The run starts `window_s` seconds
    after the first trigger."""
    if trigger not in RunTrigger.values:
        raise ValidationError({"trigger": f"Unknown trigger {trigger!r}."})
    Taxonomy.objects.select_for_update().get(pk=taxonomy.pk)  # serialise requests per taxonomy
    queued = TrainingRun.objects.filter(taxonomy=taxonomy, status=RunStatus.QUEUED).first()
    entry = {
        "trigger": trigger,
        "reason": reason,
        "at": timezone.now().isoformat(),
        "by": actor.username if actor is not None and actor.is_authenticated else None,
    }
    if queued is not None:
        queued.reasons = [*queued.reasons, entry]
        queued.save(update_fields=["reasons"])
        return queued
    window = settings.CLIPCAT_RETRAIN_WINDOW_S if window_s is None else window_s
    run = TrainingRun.objects.create(
        taxonomy=taxonomy,
        trigger=trigger,
        reasons=[entry],
        scheduled_for=timezone.now() + timedelta(seconds=window),
        requested_by=actor if actor is not None and actor.is_authenticated else None,
    )
    from classifier.tasks import training_run_execute

    transaction.on_commit(lambda: training_run_execute.apply_async((run.pk,), countdown=window))
    return run


@transaction.atomic
def training_run_cancel(*, run: TrainingRun, actor=None) -> TrainingRun:
    """Cancel a queued run at once, or ask a running one to stop at its next step."""
    run = TrainingRun.objects.select_for_update().get(pk=run.pk)
    if run.status not in ACTIVE_RUN_STATUSES:
        raise ValidationError(f"The run is already {run.status}.")
    who = actor.username if actor is not None and actor.is_authenticated else "system"
    if run.status == RunStatus.QUEUED:
        run.status, run.finished_at = RunStatus.CANCELLED, timezone.now()
        run.log += f"Cancelled by {who} before it started.\n"
    else:
        run.cancel_requested = True
        run.log += f"Cancel requested by {who}.\n"
    run.save(update_fields=["status", "finished_at", "cancel_requested", "log"])
    return run


def training_runs_resend_lost() -> int:
    """Send again the queued runs whose start time passed long ago (longer than a dead worker's heartbeat
    limit): their message was lost with a broker restart, and a lost queued run would absorb every later
    request of its taxonomy. Workers claim a run once (`_claim`), so a second message is harmless."""
    from classifier.tasks import training_run_execute

    now = timezone.now()
    cutoff = now - timedelta(seconds=settings.CLIPCAT_RUN_STALE_S)
    count = 0
    for run_id in TrainingRun.objects.filter(status=RunStatus.QUEUED, scheduled_for__lt=cutoff).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            run = TrainingRun.objects.select_for_update().filter(pk=run_id, status=RunStatus.QUEUED).first()
            if run is None or run.scheduled_for >= cutoff:
                continue
            run.scheduled_for = now
            run.log += f"{now:%H:%M:%S} Still queued long after its start time (its message was lost): sent again.\n"
            run.save(update_fields=["scheduled_for", "log"])
            transaction.on_commit(lambda run_id=run_id: training_run_execute.delay(run_id))
            count += 1
    return count


def training_runs_fail_stale() -> int:
    """Mark runs whose worker stopped sending heartbeats (killed, out of memory) as failed. The active
    model is untouched: promotion is the last, atomic step of a run."""
    cutoff = timezone.now() - timedelta(seconds=settings.CLIPCAT_RUN_STALE_S)
    stale = TrainingRun.objects.filter(status=RunStatus.RUNNING, heartbeat_at__lt=cutoff)
    count = 0
    for run in stale:
        with transaction.atomic():
            changed = TrainingRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, heartbeat_at__lt=cutoff).update(
                status=RunStatus.FAILED,
                finished_at=timezone.now(),
                error="The worker stopped responding (killed or out of memory); the active model is unchanged.",
            )
            if changed and run.model_version_id:
                from classifier.models import ModelVersion

                ModelVersion.objects.filter(pk=run.model_version_id, status="training").update(status="failed")
            count += changed
    return count
