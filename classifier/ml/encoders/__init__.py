"""Per-modality encoders. Import the submodules directly (kept light: importing the package is free).

- ``frames``: the timm CNN backbone config, weight loading and preprocessing.
- ``checkpoints``: local checkpoint reading and key mapping (never downloads weights).
- ``onnx_runtime``: ONNX export, int8 quantisation and the onnxruntime runner.
- ``extractor``: ``FrameFeatureExtractor``, batched frame features by backend name or ``auto``.
- ``text``: the ``TextEncoder`` interface, its registry and the multilingual USE encoder.
- ``audio``: the audio encoder.
"""
