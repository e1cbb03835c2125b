"""Prediction retention: a taxonomy keeps the predictions of its active version and of the one active before
it; older retired and failed versions' predictions are deleted in batches, reviews of them survive, other
taxonomies and versions never promoted are left alone."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from annotation.choices import ClipStatus
from annotation.models import Clip
from classifier.choices import ModelStatus, SuggestionDecision
from classifier.models import ModelVersion, Prediction, SuggestionReview
from classifier.services.retention import predictions_prune, predictions_prune_all, versions_kept
from classifier.services.versions import model_version_promote
from taxonomy import services as taxonomy_services
from tests.classifier.suggestions import make_version

pytestmark = pytest.mark.django_db


@pytest.fixture
def release(small_taxonomy, editor):
    return taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)


@pytest.fixture
def clips(db):
    return Clip.objects.bulk_create(
        Clip(title=f"clip {i}", file=f"clips/{i}.mp4", checksum=uuid.uuid4().hex * 2, status=ClipStatus.READY)
        for i in range(5)
    )


def predict_all(version, clips) -> None:
    Prediction.objects.bulk_create(
        Prediction(clip=clip, model_version=version, confidence=0.5, entropy=0.5) for clip in clips
    )


def counts(taxonomy) -> dict[int, int]:
    return {
        v.number: Prediction.objects.filter(model_version=v).count()
        for v in ModelVersion.objects.filter(taxonomy=taxonomy)
    }


@pytest.fixture
def three_promoted(small_taxonomy, release, clips):
    """v1, v2, v3 promoted one after the other (v3 active), each with a prediction of every clip."""
    versions = [make_version(small_taxonomy, release, number=n, status=ModelStatus.READY) for n in (1, 2, 3)]
    for version in versions:
        model_version_promote(version=version)
        predict_all(version, clips)
    return versions


def test_only_the_active_and_the_previous_versions_keep_their_predictions(small_taxonomy, three_promoted, users):
    v1, v2, v3 = three_promoted
    review = SuggestionReview.objects.create(
        taxonomy=small_taxonomy, clip=v1.predictions.first().clip, prediction=v1.predictions.first(),
        model_version=v1, confidence=0.5, decision=SuggestionDecision.REJECT, reviewer=users["reviewer"],
    )  # fmt: skip
    assert versions_kept(taxonomy_id=small_taxonomy.pk) == [v3.pk, v2.pk]

    assert predictions_prune(taxonomy_id=small_taxonomy.pk) == 5
    assert counts(small_taxonomy) == {1: 0, 2: 5, 3: 5}
    review.refresh_from_db()
    assert review.prediction is None and review.model_version == v1  # the review stays, with what was suggested
    assert predictions_prune(taxonomy_id=small_taxonomy.pk) == 0  # nothing more to do


def test_batches_of_two(small_taxonomy, three_promoted):
    with CaptureQueriesContext(connection) as queries:
        assert predictions_prune(taxonomy_id=small_taxonomy.pk, batch_size=2) == 5
    deletes = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3  # 2 + 2 + 1, one plain DELETE each
    assert counts(small_taxonomy) == {1: 0, 2: 5, 3: 5}


def test_batch_size_that_divides_the_rows_exactly(small_taxonomy, release, clips):
    old = make_version(small_taxonomy, release, number=1, status=ModelStatus.RETIRED)
    predict_all(old, clips[:4])
    make_version(small_taxonomy, release, number=2, status=ModelStatus.RETIRED, promoted_at=timezone.now())
    make_version(small_taxonomy, release, number=3, status=ModelStatus.ACTIVE, promoted_at=timezone.now())
    assert predictions_prune(taxonomy_id=small_taxonomy.pk, batch_size=2) == 4
    assert predictions_prune(taxonomy_id=small_taxonomy.pk, batch_size=1) == 0
    with pytest.raises(ValueError):
        predictions_prune(taxonomy_id=small_taxonomy.pk, batch_size=0)


def test_a_rollback_keeps_the_version_it_left(small_taxonomy, three_promoted):
    v1, v2, v3 = three_promoted
    model_version_promote(version=v1)  # roll back: v1 active, v3 the previous one
    assert versions_kept(taxonomy_id=small_taxonomy.pk) == [v1.pk, v3.pk]
    assert predictions_prune(taxonomy_id=small_taxonomy.pk) == 5
    assert counts(small_taxonomy) == {1: 5, 2: 0, 3: 5}


def test_a_rollback_during_a_prune_keeps_what_is_left(small_taxonomy, three_promoted, monkeypatch):
    """Each batch works out again which versions to prune: one rolled back to in between is spared (and the
    version it replaces as the previous one is pruned instead)."""
    from classifier.services import retention

    v1, v2, v3 = three_promoted
    delete = retention._delete

    def delete_then_roll_back(version_ids, *, up_to):
        n = delete(version_ids, up_to=up_to)
        if v1.pk in version_ids and ModelVersion.objects.get(pk=v1.pk).status == ModelStatus.RETIRED:
            model_version_promote(version=v1)
        return n

    monkeypatch.setattr(retention, "_delete", delete_then_roll_back)
    assert predictions_prune(taxonomy_id=small_taxonomy.pk, batch_size=2) == 2 + 5
    assert counts(small_taxonomy) == {1: 3, 2: 0, 3: 5}


def test_unpromoted_failed_and_other_taxonomies(small_taxonomy, release, clips, editor):
    """A ready candidate (never promoted) keeps what it predicted; a failed one does not; another taxonomy's
    old versions are that taxonomy's business until its own prune (or the sweep)."""
    now = timezone.now()
    old = make_version(small_taxonomy, release, number=1, status=ModelStatus.RETIRED, promoted_at=now - timedelta(2))
    previous = make_version(
        small_taxonomy, release, number=2, status=ModelStatus.RETIRED, promoted_at=now - timedelta(1)
    )
    active = make_version(small_taxonomy, release, number=3, status=ModelStatus.ACTIVE, promoted_at=now)
    candidate = make_version(small_taxonomy, release, number=4, status=ModelStatus.READY)
    failed = make_version(small_taxonomy, release, number=5, status=ModelStatus.FAILED)
    other = taxonomy_services.taxonomy_create(name="Other taxonomy", actor=editor)
    taxonomy_services.category_add(taxonomy=other, name="Music", actor=editor, code="music")
    other_release = taxonomy_services.release_publish(taxonomy=other, actor=editor)
    other_old = make_version(other, other_release, number=1, status=ModelStatus.RETIRED, promoted_at=now - timedelta(2))
    make_version(other, other_release, number=2, status=ModelStatus.RETIRED, promoted_at=now - timedelta(1))
    make_version(other, other_release, number=3, status=ModelStatus.ACTIVE, promoted_at=now)
    for version in (old, previous, active, candidate, failed, other_old):
        predict_all(version, clips)

    assert predictions_prune(taxonomy_id=small_taxonomy.pk) == 10
    assert counts(small_taxonomy) == {1: 0, 2: 5, 3: 5, 4: 5, 5: 0}
    assert counts(other) == {1: 5, 2: 0, 3: 0}
    assert predictions_prune_all() == 5
    assert counts(other) == {1: 0, 2: 0, 3: 0}


def test_the_prune_is_sent_after_a_promotion(small_taxonomy, three_promoted, monkeypatch):
    """predictions_refresh fans the re-prediction out and sends the prune with it."""
    from classifier import tasks

    sent = []
    monkeypatch.setattr(tasks.predict_batch, "delay", lambda *args: sent.append(("predict_batch", args)))
    monkeypatch.setattr(tasks.queues_refresh, "delay", lambda *args: sent.append(("queues_refresh", args)))
    monkeypatch.setattr(tasks.predictions_prune, "delay", lambda *args: sent.append(("predictions_prune", args)))
    tasks.predictions_refresh(three_promoted[-1].pk)
    assert sent[-1] == ("predictions_prune", (small_taxonomy.pk,))
    assert [name for name, _ in sent[:-1]] == ["predict_batch"]
    assert tasks.predictions_prune(small_taxonomy.pk) == 5  # the task runs the service
