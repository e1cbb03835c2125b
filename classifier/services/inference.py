"""Predicting clips with a model version: best valid path, top categories, uncertainty and embedding,
stored as `Prediction` rows; and the projects' active-learning order refreshed from them."""

from __future__ import annotations

import json
import math
from functools import lru_cache

import numpy as np
from django.conf import settings
from django.db import transaction

from annotation.choices import ClipStatus
from annotation.models import Clip
from classifier import clip_features as cf
from classifier.choices import ModelStatus
from classifier.models import ModelVersion, Prediction
from core.prepared import Statement
from taxonomy.models import Category

TOP_K = 3


@lru_cache(maxsize=2)
def _artifact(path: str):
    from classifier.ml.artifact import load_artifact

    artifact = load_artifact(path)
    artifact.model.eval()
    return artifact


def version_calibration(version: ModelVersion, depth: int):
    """The calibration a version serves with; one trained before calibration existed pre-selects nothing."""
    from classifier.ml.calibration import Calibration

    from .evaluation import never_preselect

    return Calibration.from_dict(version.calibration) if version.calibration else never_preselect(depth)


def active_version(taxonomy_id: int) -> ModelVersion | None:
    return ModelVersion.objects.filter(taxonomy_id=taxonomy_id, status=ModelStatus.ACTIVE).first()


def uncertainty(probs: np.ndarray) -> dict[str, np.ndarray]:
    """Uncertainty measures over the path distribution [N, P] (rows sum to 1)."""
    ordered = -np.sort(-probs, axis=1)
    p1 = ordered[:, 0]
    p2 = ordered[:, 1] if probs.shape[1] > 1 else np.zeros_like(p1)
    entropy = -(probs * np.log(np.clip(probs, 1e-12, 1.0))).sum(axis=1) / max(math.log(probs.shape[1]), 1e-12)
    return {"least_confidence": 1.0 - p1, "margin": p1 - p2, "entropy": entropy, "confidence": p1}


def predict_clips(*, version: ModelVersion, clips: list[Clip]) -> list[Prediction]:
    """Predict `clips` with `version` and store the predictions (replacing earlier ones of that version)."""
    import torch

    from classifier.ml.train import ClipFeatures, predict

    from .training import MAX_STEPS

    if not clips:
        return []
    artifact = _artifact(version.artifact)
    space = artifact.label_space
    # The frame features the model was trained on, never a silent mix (bf16 from a GPU, int8 on a CPU).
    backend = version.frame_backend or None
    data = ClipFeatures.from_clips([cf.clip_features(c, frame_backend=backend) for c in clips], max_steps=MAX_STEPS)
    logits, embeddings = predict(artifact.model, data)
    calibration = version_calibration(version, space.depth)
    logits = calibration.calibrate(logits)
    with torch.no_grad():
        path_lp = space.path_log_probs(logits)
        probs = path_lp.exp().numpy()
    measures = uncertainty(probs)
    in_set = calibration.score(path_lp, logits, embeddings)
    preselect = calibration.preselect(measures["confidence"], in_set)
    top = np.argsort(-probs, axis=1)[:, :TOP_K]
    ids = dict(Category.objects.filter(taxonomy_id=version.taxonomy_id).values_list("code", "id"))
    rows = []
    for i, clip in enumerate(clips):
        paths = [[c for c in space.leaf_paths[j] if c in ids] for j in top[i]]
        rows.append(
            Prediction(
                clip=clip,
                model_version=version,
                category_id=ids.get(paths[0][-1]) if paths[0] else None,
                path=paths[0],
                confidence=float(measures["confidence"][i]),
                open_set_score=float(in_set[i]),
                preselect=bool(preselect[i]),
                top=[
                    {"codes": p, "category": ids.get(p[-1]) if p else None, "p": round(float(probs[i, j]), 5)}
                    for p, j in zip(paths, top[i], strict=True)
                ],
                least_confidence=float(measures["least_confidence"][i]),
                margin=float(measures["margin"][i]),
                entropy=float(measures["entropy"][i]),
                embedding=embeddings[i].numpy().astype(np.float16).tobytes(),
            )
        )
    with transaction.atomic():
        Prediction.objects.filter(model_version=version, clip__in=clips).delete()
        Prediction.objects.bulk_create(rows, batch_size=1000)
    return rows


def prediction_batches(*, version: ModelVersion) -> list[list[int]]:
    """Ready clip ids in batches of CLIPCAT_PREDICT_BATCH, for re-predicting everything after promotion."""
    ids = list(Clip.objects.filter(status=ClipStatus.READY).order_by("id").values_list("id", flat=True))
    size = settings.CLIPCAT_PREDICT_BATCH
    return [ids[i : i + size] for i in range(0, len(ids), size)]


# The active model's prediction for a clip: one prepared statement on the labeling page's hot path (every
# "next clip" asks); without an active model it finds nothing.
ACTIVE_PREDICTION = Statement(
    "active_prediction",
    "SELECT v.number, p.top, p.preselect, p.open_set_score FROM classifier_prediction p"
    " JOIN classifier_modelversion v ON v.id = p.model_version_id"
    " WHERE v.taxonomy_id = %s AND v.status = %s AND p.clip_id = %s ORDER BY p.id LIMIT 1",
    ["bigint", "varchar", "bigint"],
)


def suggestion_for_task(task) -> dict | None:
    """The active model's suggestion for a task's clip, for the labeling page (None without a model)."""
    row = ACTIVE_PREDICTION.row([task.project.taxonomy_id, ModelStatus.ACTIVE.value, task.clip_id])
    if row is None:
        return None
    number, top, preselect = row[0], json.loads(row[1]) if isinstance(row[1], str) else row[1], bool(row[2])
    cats = {c.pk: c for c in Category.objects.filter(pk__in=[t["category"] for t in top if t["category"]])}
    top = [
        {"category": {"id": c.pk, "code": c.code, "path": c.path}, "confidence": t["p"]}
        for t in top
        if (c := cats.get(t["category"])) is not None and c.status == "active"
    ]
    if not top:
        return None
    # Pre-select only a confident, in-set suggestion, and never on a re-label clip: its old category was
    # just split or removed, and the model has not seen the new standard at work yet.
    preselect = preselect and not getattr(task, "relabel_reason", "")
    return {"model_version": number, "top": top, "preselect": preselect, "open_set_score": row[3]}


def prelabel_clip(*, clip_id: int) -> list[Prediction]:
    """Predict a newly ready clip with the active model of every taxonomy that has one."""
    clip = Clip.objects.filter(pk=clip_id, status=ClipStatus.READY).prefetch_related("tags").first()
    if clip is None:
        return []
    made = []
    for version in ModelVersion.objects.filter(status=ModelStatus.ACTIVE):
        made += predict_clips(version=version, clips=[clip])
    return made
