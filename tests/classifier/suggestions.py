"""Model versions and predictions made directly (no artifact), for the API, the review service and the review
page: what a model would have said about a few clips."""

from __future__ import annotations

from classifier.choices import ModelStatus
from classifier.models import ModelVersion, Prediction


def make_version(taxonomy, release, number: int = 1, status: str = ModelStatus.ACTIVE, **fields) -> ModelVersion:
    fields.setdefault("metrics", {"hit_at_1": 0.5 + number / 100, "gap_at_20": 0.6, "accuracy_level1": 0.9})
    return ModelVersion.objects.create(taxonomy=taxonomy, release=release, number=number, status=status, **fields)


def predict(version: ModelVersion, clip, category, confidence: float, *others) -> Prediction:
    """A prediction of `category` at `confidence`; `others` are further (category, p) pairs for the top list."""
    codes = list(category.get_ancestors(include_self=True).values_list("code", flat=True))
    top = [{"codes": codes, "category": category.pk, "p": confidence}]
    top += [
        {"codes": list(c.get_ancestors(include_self=True).values_list("code", flat=True)), "category": c.pk, "p": p}
        for c, p in others
    ]
    second = others[0][1] if others else 0.0
    return Prediction.objects.create(
        clip=clip,
        model_version=version,
        category=category,
        path=codes,
        confidence=confidence,
        top=top,
        least_confidence=1 - confidence,
        margin=confidence - second,
        entropy=1 - confidence,
    )
