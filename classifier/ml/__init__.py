"""ClipCat machine learning: pure PyTorch, no Django.

Encoders, NeXtVLAD aggregation, context gating, mixture-of-experts head, training, metrics and
model artifacts. Nothing in this package imports Django; the `classifier` app calls into it.
"""
