"""The loop around the model: re-ordering queues after new predictions, and retraining when enough new
labels have come in."""

from __future__ import annotations

from django.conf import settings
from django.db.models import Max

from classifier.choices import RunStatus, RunTrigger
from classifier.models import TrainingRun
from taxonomy.models import Taxonomy

from .inference import active_version
from .runs import training_run_request


def queues_refresh(*, taxonomy_id: int) -> int:
    """Refresh the priorities of every active-learning project of the taxonomy from the active model."""
    from annotation.choices import QueueOrder
    from annotation.models import Project
    from classifier.active_learning import priorities_refresh

    version = active_version(taxonomy_id)
    total = 0
    for project in Project.objects.filter(taxonomy_id=taxonomy_id, queue_order=QueueOrder.ACTIVE_LEARNING):
        total += priorities_refresh(project=project, version=version)
    return total


def retrain_when_labels_accumulate() -> int:
    """Ask for a retrain of each taxonomy with CLIPCAT_RETRAIN_EVERY_LABELS new final labels since its last
    run started. Returns how many runs were requested."""
    from annotation.choices import TaskStatus
    from annotation.models import Task

    requested = 0
    for taxonomy in Taxonomy.objects.all():
        last = (
            TrainingRun.objects.filter(taxonomy=taxonomy)
            .exclude(status=RunStatus.CANCELLED)
            .aggregate(m=Max("created_at"))["m"]
        )
        since = last  # None: never trained, so every label counts
        done = Task.objects.filter(project__taxonomy=taxonomy, status=TaskStatus.DONE, is_gold=False)
        if since is not None:
            done = done.filter(completed_at__gt=since)
        new = done.count()
        if new >= settings.CLIPCAT_RETRAIN_EVERY_LABELS:
            training_run_request(
                taxonomy=taxonomy, trigger=RunTrigger.LABELS, reason=f"{new} new labels since the last run"
            )
            requested += 1
    return requested
