"""Evaluating a stored model version on the held-out labeled clips of its release."""

from __future__ import annotations

from classifier import clip_features as cf
from classifier.dataset import labeled_clips
from classifier.models import ModelVersion


def model_version_evaluate(*, version: ModelVersion, held_out_only: bool = True) -> dict:
    """hit@1, GAP@20, per-level accuracy, macro-F1, hierarchical F1, ECE and a per-category report."""
    from annotation.models import Clip
    from classifier.ml.train import ClipFeatures, evaluate

    from .inference import _artifact
    from .training import MAX_STEPS, _held_out

    artifact = _artifact(version.artifact)
    space = artifact.label_space
    examples = [
        (c, code)
        for c, code in labeled_clips(version.release)
        if code in space.categories and (_held_out(c) or not held_out_only)
    ]
    if not examples:
        return {"count": 0}
    clips = {c.pk: c for c in Clip.objects.filter(pk__in=[c for c, _ in examples]).prefetch_related("tags")}
    data = ClipFeatures.from_clips(
        [cf.clip_features(clips[c]) for c, _ in examples],
        space.targets_tensor([code for _, code in examples]),
        max_steps=MAX_STEPS,
    )
    return evaluate(artifact.model, data, space, report=True)
