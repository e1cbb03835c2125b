"""Promotion and rollback of model versions: one atomic switch of the active version per taxonomy."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from classifier.choices import ModelStatus
from classifier.metric_text import metric_text
from classifier.models import ModelVersion


def promotion_allowed(*, version: ModelVersion, comparison: dict | None) -> tuple[bool, str]:
    """Whether a new version may replace the active one by itself, and why (shown on the run's page).

    It may when its test split is big enough to mean something (CLIPCAT_MIN_TEST_CLIPS) and, against an
    active model, when it is not worse beyond the noise: the paired bootstrap interval of the hit@1
    difference on the same test clips reaches zero or above. Otherwise a person decides; with
    CLIPCAT_PROMOTION=manual a person always does."""
    metrics = version.metrics or {}
    n, minimum = int(metrics.get("count") or 0), settings.CLIPCAT_MIN_TEST_CLIPS
    if settings.CLIPCAT_PROMOTION == "manual":
        return False, "promotion is manual (CLIPCAT_PROMOTION=manual): a person decides."
    if n < minimum:
        return False, (
            f"only {n} test clips (fewer than {minimum}): its figures are not yet meaningful, so a person decides."
        )
    if comparison is None:
        return True, f"no active model to compare with; test hit@1 {metric_text(metrics, 'hit_at_1')}."
    if not comparison.get("n"):
        return False, "the active model could not be compared on the test clips: a person decides."
    verdict = (
        f"hit@1 {comparison['new']:.3f} against {comparison['old']:.3f} on the same {comparison['n']} test clips, "
        f"difference {comparison['diff']:+.3f} (95% interval {comparison['low']:+.3f} to {comparison['high']:+.3f})"
    )
    if comparison["worse"]:
        return False, f"worse than the active model beyond the noise: {verdict}."
    return True, f"not worse than the active model beyond the noise: {verdict}."


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
    _check_release(version)
    ModelVersion.objects.filter(taxonomy=version.taxonomy, status=ModelStatus.ACTIVE).update(status=ModelStatus.RETIRED)
    version.status, version.promoted_at = ModelStatus.ACTIVE, timezone.now()
    version.save(update_fields=["status", "promoted_at"])
    from classifier.tasks import predictions_refresh

    transaction.on_commit(lambda: predictions_refresh.delay(version.pk))
    return version


def _check_release(version: ModelVersion) -> None:
    """A version trained under an older release may serve only if every category it can predict is still
    active in the latest one (kept, renamed or moved); otherwise it would suggest categories that no
    longer exist, so it is refused with their codes."""
    from taxonomy.choices import CategoryStatus
    from taxonomy.selectors import release_latest

    latest = release_latest(version.taxonomy)
    if latest is None or latest.pk == version.release_id:
        return
    known = set(version.release.entries.filter(status=CategoryStatus.ACTIVE).values_list("code", flat=True))
    now = set(latest.entries.filter(status=CategoryStatus.ACTIVE).values_list("code", flat=True))
    gone = sorted(known - now)
    if gone:
        shown = ", ".join(gone[:8]) + (f" and {len(gone) - 8} more" if len(gone) > 8 else "")
        raise ValidationError(
            f"v{version.number} was trained under release {version.release.version}; release {latest.version} "
            f"no longer has {shown} (merged, split or deprecated), so it would suggest categories that are gone. "
            f"Train a new version instead."
        )
