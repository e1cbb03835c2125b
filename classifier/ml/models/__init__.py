"""Registered models; importing this package registers them."""

from classifier.ml.models.multimodal import MultimodalClassifier, level_key

__all__ = ["MultimodalClassifier", "level_key"]
