"""Prediction retention: each promotion re-predicts every ready clip, so without pruning a taxonomy holds a
full set of predictions per version it ever had. The active version's are what everything reads; the
previous active version's are kept so that a rollback has its suggestions at once and the two can be
compared. Predictions of older retired (and of failed) versions are deleted in batches; versions that were
never promoted (training, ready) are left alone, whatever they predicted is someone's candidate."""

from __future__ import annotations

from django.db import connection, transaction
from django.db.models import F

from classifier.choices import ModelStatus
from classifier.models import ModelVersion, Prediction, SuggestionReview

BATCH_SIZE = 5000


def versions_kept(*, taxonomy_id: int) -> list[int]:
    """The active version and the one active before it (the most recently promoted of the others)."""
    versions = ModelVersion.objects.filter(taxonomy_id=taxonomy_id)
    kept = list(versions.filter(status=ModelStatus.ACTIVE).values_list("pk", flat=True))
    previous = (
        versions.exclude(pk__in=kept)
        .filter(promoted_at__isnull=False)
        .order_by(F("promoted_at").desc(), "-number")
        .values_list("pk", flat=True)
        .first()
    )
    return kept + ([previous] if previous is not None else [])


def predictions_prune(*, taxonomy_id: int, batch_size: int = BATCH_SIZE) -> int:
    """Delete the predictions of the taxonomy's retired and failed versions except the previous active one,
    at most `batch_size` rows per DELETE, each batch in its own transaction (short locks). Suggestion reviews
    keep their copy of what was suggested; their link to the prediction is cleared. Safe to run at any time
    and more than once (beat, after a promotion). Returns how many predictions were deleted."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    deleted, more = 0, True
    while more:
        with transaction.atomic():
            doomed = _versions_to_prune(taxonomy_id)
            if not doomed:
                break
            rows = Prediction.objects.filter(model_version_id__in=doomed)
            edge = list(rows.order_by("pk").values_list("pk", flat=True)[batch_size - 1 : batch_size])
            more = bool(edge)  # no row at the edge: what is left fits in this batch
            batch = rows.filter(pk__lte=edge[0]) if more else rows
            SuggestionReview.objects.filter(prediction__in=batch).update(prediction=None)
            deleted += _delete(doomed, up_to=edge[0] if more else None)
    return deleted


def _versions_to_prune(taxonomy_id: int) -> list[int]:
    """Worked out again for every batch and locked until it commits: a rollback to one of these versions
    (`model_version_promote` locks the version first) waits for the batch, and the next batch spares it."""
    return list(
        ModelVersion.objects.select_for_update(no_key=True)
        .filter(taxonomy_id=taxonomy_id, status__in=(ModelStatus.RETIRED, ModelStatus.FAILED))
        .exclude(pk__in=versions_kept(taxonomy_id=taxonomy_id))
        .values_list("pk", flat=True)
    )


def predictions_prune_all(*, batch_size: int = BATCH_SIZE) -> int:
    """`predictions_prune` for every taxonomy that has a model (the periodic sweep)."""
    taxonomy_ids = ModelVersion.objects.order_by().values_list("taxonomy_id", flat=True).distinct()
    return sum(predictions_prune(taxonomy_id=t, batch_size=batch_size) for t in list(taxonomy_ids))


def _delete(version_ids: list[int], *, up_to: int | None) -> int:
    """One plain DELETE. The ORM's would load every row first and send the ids back 100 at a time; nothing
    but the suggestion reviews (unlinked just before) points at a prediction, so there is nothing to collect."""
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(version_ids))
    sql = f"DELETE FROM {quote(Prediction._meta.db_table)} WHERE {quote('model_version_id')} IN ({marks})"
    params = list(version_ids)
    if up_to is not None:
        sql += f" AND {quote('id')} <= %s"
        params.append(up_to)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
