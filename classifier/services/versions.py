"""Promotion and rollback of model versions: one atomic switch of the active version per taxonomy."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from classifier.choices import ModelStatus
from classifier.models import ModelVersion


def promotion_allowed(*, version: ModelVersion, baseline: dict | None) -> bool:
    """Auto-promote when there is no active model, or the new one is not worse on hit@1 over the same
    held-out clips. With CLIPCAT_PROMOTION=manual a person always decides."""
    if settings.CLIPCAT_PROMOTION == "manual":
        return False
    if baseline is None or baseline.get("hit_at_1") is None:
        return True
    return (version.primary_metric or 0.0) >= float(baseline["hit_at_1"]) - 1e-9


@transaction.atomic
def model_version_promote(*, version: ModelVersion, reason: str = "", actor=None) -> ModelVersion:
    """Make `version` the active model of its taxonomy (the previous one is retired), then re-predict
    every clip with it once the switch has committed. Also used to roll back to an earlier version."""
    version = ModelVersion.objects.select_for_update().get(pk=version.pk)
    if version.status not in (ModelStatus.READY, ModelStatus.RETIRED, ModelStatus.ACTIVE):
        raise ValidationError(
            f"v{version.number} is {version.status}; only ready or retired versions can be made active."
        )
    if version.status == ModelStatus.ACTIVE:
        return version
    ModelVersion.objects.filter(taxonomy=version.taxonomy, status=ModelStatus.ACTIVE).update(status=ModelStatus.RETIRED)
    version.status, version.promoted_at = ModelStatus.ACTIVE, timezone.now()
    version.save(update_fields=["status", "promoted_at"])
    from classifier.tasks import predictions_refresh

    transaction.on_commit(lambda: predictions_refresh.delay(version.pk))
    return version
