"""Small single-purpose layers of the ClipCat models."""

from classifier.ml.layers.gating import ContextGating
from classifier.ml.layers.moe import MixtureOfExperts
from classifier.ml.layers.nextvlad import NeXtVLAD, masked_batch_norm

__all__ = ["ContextGating", "MixtureOfExperts", "NeXtVLAD", "masked_batch_norm"]
