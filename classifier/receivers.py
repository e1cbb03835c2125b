"""Reactions to other apps' events: a release asks for a retrain; a ready clip gets pre-labeled; a project's
changed queue is ordered by the active model."""

from django.db import transaction

from classifier.choices import RunTrigger


def retrain_on_release(sender, release, actor=None, **kwargs) -> None:
    """A new release: retrain (its labels were just migrated) unless there is nothing to learn from yet."""
    from annotation.models import Task
    from classifier.services.runs import training_run_request
    from classifier.services.training import MIN_LABELED

    if Task.objects.filter(project__taxonomy=release.taxonomy, final_category__isnull=False).count() < MIN_LABELED:
        return
    training_run_request(
        taxonomy=release.taxonomy,
        trigger=RunTrigger.RELEASE,
        reason=f"release {release.version} published",
        actor=actor,
    )


def prelabel_on_ready(sender, clip_id: int, **kwargs) -> None:
    from classifier.tasks import clip_prelabel

    transaction.on_commit(lambda: clip_prelabel.delay(clip_id))


def order_queue_on_change(sender, project, **kwargs) -> None:
    """New tasks, or a new queue order or strategy: an active-learning queue is ordered by the active model
    now, not at the next promotion."""
    from annotation.choices import QueueOrder
    from classifier.tasks import project_priorities_refresh

    if project.queue_order == QueueOrder.ACTIVE_LEARNING:
        project_id = project.pk
        transaction.on_commit(lambda: project_priorities_refresh.delay(project_id))


def suggestion(task) -> dict | None:
    from classifier.services.inference import suggestion_for_task

    return suggestion_for_task(task)
