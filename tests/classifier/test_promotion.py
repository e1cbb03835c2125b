"""When a new version may replace the active one by itself, and which versions may serve at all."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from classifier.choices import ModelStatus
from classifier.ml.stats import paired_difference
from classifier.models import ModelVersion
from classifier.services.versions import model_version_promote, promotion_allowed


def _version(count: int, hit: float = 0.7) -> ModelVersion:
    return ModelVersion(number=2, metrics={"hit_at_1": hit, "count": count, "meaningful": count >= 30})


def test_too_few_test_clips_wait_for_a_person(settings):
    settings.CLIPCAT_MIN_TEST_CLIPS = 30
    allowed, why = promotion_allowed(version=_version(29), comparison=None)
    assert not allowed and "only 29 test clips (fewer than 30)" in why
    allowed, why = promotion_allowed(version=_version(30), comparison=None)
    assert allowed and "no active model" in why


def test_a_version_worse_beyond_the_noise_is_not_promoted(settings):
    settings.CLIPCAT_MIN_TEST_CLIPS = 30
    old = [1] * 80 + [0] * 20
    worse = paired_difference([0] * 15 + [1] * 65 + [0] * 20, old)  # lost 15 clips it had right, gained none
    allowed, why = promotion_allowed(version=_version(100, 0.65), comparison=worse)
    assert worse["worse"] and not allowed and "worse than the active model beyond the noise" in why


def test_a_difference_within_the_noise_is_promoted(settings):
    settings.CLIPCAT_MIN_TEST_CLIPS = 30
    old = [1] * 80 + [0] * 20
    noisy = paired_difference([0, 0] + [1] * 78 + [1] + [0] * 19, old)  # two lost, one gained
    allowed, why = promotion_allowed(version=_version(100, 0.79), comparison=noisy)
    assert not noisy["worse"] and allowed and "difference -0.010" in why


def test_manual_promotion_always_waits(settings):
    settings.CLIPCAT_PROMOTION = "manual"
    assert promotion_allowed(version=_version(500), comparison=None) == (
        False,
        "promotion is manual (CLIPCAT_PROMOTION=manual): a person decides.",
    )


def test_rolling_back_to_a_version_whose_categories_are_gone_is_refused(small_taxonomy, editor):
    from taxonomy import services
    from taxonomy.models import Category

    first = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    old = ModelVersion.objects.create(taxonomy=small_taxonomy, release=first, number=1, status=ModelStatus.RETIRED)
    training = Category.objects.get(taxonomy=small_taxonomy, code="training")
    services.category_deprecate(category=training, actor=editor, reason="folded into highlights")
    services.release_publish(taxonomy=small_taxonomy, actor=editor)
    with pytest.raises(ValidationError, match="no longer has training"):
        model_version_promote(version=old)
    old.refresh_from_db()
    assert old.status == ModelStatus.RETIRED


def test_rolling_back_across_a_release_that_kept_every_category_is_allowed(small_taxonomy, editor):
    from taxonomy import services
    from taxonomy.models import Category

    first = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    old = ModelVersion.objects.create(taxonomy=small_taxonomy, release=first, number=1, status=ModelStatus.RETIRED)
    cats = Category.objects.get(taxonomy=small_taxonomy, code="cats")
    services.category_rename(category=cats, name="House cats", actor=editor)
    services.release_publish(taxonomy=small_taxonomy, actor=editor)
    assert model_version_promote(version=old).status == ModelStatus.ACTIVE
