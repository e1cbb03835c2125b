"""Judging a model: calibration fitted on the validation split, metrics (with n and 95% intervals) on the
test split only, and the paired comparison of two versions on the same test clips."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from classifier import clip_features as cf
from classifier.choices import Split
from classifier.dataset import labeled_clips
from classifier.models import ModelVersion
from classifier.splits import splits_for

MIN_VALIDATION = 10  # fewer validation clips than this fit no calibration: nothing is pre-selected then


def never_preselect(depth: int):
    """The calibration of a model with too few validation clips to fit one: raw probabilities, and no
    suggestion is ever pre-selected."""
    from classifier.ml.calibration import Calibration

    return Calibration(
        temperatures=[1.0] * depth, open_set_method="max_prob", open_set_threshold=1.0, preselect_min_confidence=1.0
    )


def fit_version_calibration(model, val_data, label_space, device):
    """Temperatures per level, the open-set threshold and the pre-selection floor, on validation clips."""
    from classifier.ml.calibration import fit_calibration
    from classifier.ml.train import predict

    if val_data is None or len(val_data) < MIN_VALIDATION:
        return never_preselect(label_space.depth)
    logits, embeddings = predict(model, val_data, device=device)
    return fit_calibration(
        logits,
        val_data.targets,
        label_space.path_log_probs,
        embeddings=embeddings,
        path_targets=_path_targets(val_data.targets, label_space),
        method=settings.CLIPCAT_OPEN_SET_METHOD,
        keep=settings.CLIPCAT_OPEN_SET_KEEP,
        min_precision=settings.CLIPCAT_PRESELECT_PRECISION,
    )


def _path_targets(targets, label_space):
    """Leaf-path index of each clip labelled at a leaf, -1 for clips labelled at an inner category."""
    import torch

    from classifier.ml.labels import IGNORE

    match = ((label_space.path_index[None] == targets[:, None]) | (targets[:, None] == IGNORE)).all(-1)
    unique = match.sum(dim=1) == 1
    return torch.where(unique, match.float().argmax(dim=1), torch.full_like(unique, -1, dtype=torch.long))


def split_metrics(model, calibration, data, label_space, device, report: bool = False) -> dict[str, Any]:
    """Metrics with intervals of `model` (calibrated) on `data`, plus the per-clip "correct" vector."""
    from classifier.ml.evaluation import metrics_from_logits
    from classifier.ml.train import predict

    if data is None or len(data) == 0:
        return {"count": 0}
    logits, _ = predict(model, data, device=device)
    if calibration is not None:
        logits = calibration.calibrate(logits)
    return metrics_from_logits(logits, data.targets, label_space, report=report)


def compare_on_test(new: dict, old: dict) -> dict:
    """Paired bootstrap of hit@1: the new and the active version on the same test clips."""
    import numpy as np

    from classifier.ml.stats import paired_difference

    if not new.get("count") or not old.get("count"):
        return {"n": 0, "worse": False}
    return paired_difference(np.array(new["correct"]), np.array(old["correct"]))


def model_version_evaluate(*, version: ModelVersion, split: str = Split.TEST) -> dict:
    """Metrics of a stored version on one split (the test split by default) of its release's labeled
    clips, calibrated as it serves; "meaningful" says whether the test split is big enough yet."""
    from annotation.models import Clip
    from classifier.ml.calibration import Calibration
    from classifier.ml.evaluation import judged
    from classifier.ml.train import ClipFeatures

    from .inference import _artifact
    from .training import MAX_STEPS

    artifact = _artifact(version.artifact)
    space = artifact.label_space
    examples = [(c, code) for c, code in labeled_clips(version.release) if code in space.categories]
    splits = splits_for(taxonomy_id=version.taxonomy_id, examples=examples) if examples else {}
    examples = [(c, code) for c, code in examples if splits[c] == split]
    if not examples:
        return judged({"count": 0}, settings.CLIPCAT_MIN_TEST_CLIPS) | {"split": split}
    clips = {c.pk: c for c in Clip.objects.filter(pk__in=[c for c, _ in examples]).prefetch_related("tags")}
    data = ClipFeatures.from_clips(
        [cf.clip_features(clips[c], frame_backend=version.frame_backend or None) for c, _ in examples],
        space.targets_tensor([code for _, code in examples]),
        max_steps=MAX_STEPS,
    )
    calibration = Calibration.from_dict(version.calibration) if version.calibration else None
    metrics = split_metrics(artifact.model, calibration, data, space, "cpu", report=True)
    return judged(metrics, settings.CLIPCAT_MIN_TEST_CLIPS) | {"split": split}
