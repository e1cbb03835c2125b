"""FrameFeatureExtractor: per-frame embeddings through the fastest backend for the device.

Backends:
    ``torch``      eager fp32 (reference; any device).
    ``torch-amp``  channels-last + autocast (bf16 where supported, else fp16); the GPU path.
    ``onnx``       onnxruntime fp32 on the CPU.
    ``onnx-int8``  onnxruntime with static int8 quantisation on the CPU (the fastest CPU path).
    ``auto``       ``torch-amp`` on CUDA, ``onnx-int8`` on the CPU.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from classifier.ml.encoders.checkpoints import file_sha256
from classifier.ml.encoders.frames import (
    BackboneConfig,
    FrameBackbone,
    create_frame_backbone,
    preprocess_frames,
)
from classifier.ml.encoders.onnx_runtime import (
    RECIPE_VERSION,
    OnnxFeatureRunner,
    cached_file,
    calibration_digest,
    export_onnx,
    quantize_int8,
    sample_calibration_digest,
    sample_calibration_frames,
)

BACKENDS = ("torch", "torch-amp", "onnx", "onnx-int8")


def select_backend(name: str, device: str) -> str:
    """Resolve a backend name (or ``auto``) for a device.

    Args:
        name: one of :data:`BACKENDS` or ``auto``.
        device: torch device string (``cpu``, ``cuda``, ``cuda:1``).

    Returns:
        A concrete backend name.

    Raises:
        ValueError: unknown name, or an onnxruntime backend asked for on a non-CPU device.
    """
    on_cuda = torch.device(device).type == "cuda"
    if name == "auto":
        return "torch-amp" if on_cuda else "onnx-int8"
    if name not in BACKENDS:
        raise ValueError(f"unknown frame backend {name!r}; choose one of {', '.join(BACKENDS)} or 'auto'")
    if name.startswith("onnx") and torch.device(device).type != "cpu":
        raise ValueError(f"backend {name!r} runs on the CPU only, not on {device!r}")
    return name


def amp_dtype(device: str) -> torch.dtype:
    """Autocast dtype for ``torch-amp``: bf16 where the device supports it, otherwise fp16."""
    if torch.device(device).type == "cuda" and not torch.cuda.is_bf16_supported():
        return torch.float16
    return torch.bfloat16


class FrameFeatureExtractor:
    """Batched per-frame features ``[N, C]`` float32 from uint8 RGB frames.

    Args:
        config: backbone configuration (model, local checkpoint, preprocessing).
        backend: a name from :data:`BACKENDS` or ``auto``.
        device: torch device for the torch backends; the onnx backends need ``cpu``.
        batch_size: frames per forward pass.
        onnx_cache_dir: where exported ``.onnx`` files are kept; required by the onnx backends.
        threads: CPU threads for onnxruntime (default: the cores this process may use).
        calibration_frames: uint8 frames ``[N, H, W, 3]`` for int8 calibration; defaults to real
            photographs bundled with scikit-image. They are part of the int8 backbone id.
    """

    def __init__(
        self,
        config: BackboneConfig,
        *,
        backend: str = "auto",
        device: str = "cpu",
        batch_size: int = 32,
        onnx_cache_dir: Path | None = None,
        threads: int | None = None,
        calibration_frames: np.ndarray | None = None,
    ) -> None:
        self.config = config
        self.device = device
        self.backend = select_backend(backend, device)
        self.batch_size = batch_size
        self._backbone = create_frame_backbone(config) if self.backend.startswith("torch") else None
        self._weights_sha256 = self._backbone.weights_sha256 if self._backbone else file_sha256(config.checkpoint_path)
        self._calibration = calibration_frames
        self._calibration_digest = ""
        if self.backend == "onnx-int8":
            self._calibration_digest = (
                sample_calibration_digest(config.input_size)
                if calibration_frames is None
                else calibration_digest(calibration_frames)
            )
        self._runner = self._build_runner(onnx_cache_dir, threads)

    @property
    def precision(self) -> str:
        """Numeric precision of the features: ``fp32``, ``bf16``, ``fp16`` or ``int8r<recipe>c<calib>``."""
        if self.backend == "torch-amp":
            return "bf16" if amp_dtype(self.device) == torch.bfloat16 else "fp16"
        if self.backend == "onnx-int8":
            return f"int8r{RECIPE_VERSION}c{self._calibration_digest}"
        return "fp32"

    @property
    def backbone_id(self) -> str:
        """Cache key of the features: model name, input size, weights hash and precision."""
        cfg = self.config
        return f"{cfg.model_name}-{cfg.input_size}-{self._weights_sha256[:12]}-{self.precision}"

    @property
    def dim(self) -> int:
        """Feature dimension (1280 for EfficientNet-Lite0)."""
        return self._dim

    @property
    def backbone(self) -> FrameBackbone:
        """The torch backbone, loaded on first use (the onnx backends need it only to export)."""
        if self._backbone is None:
            self._backbone = create_frame_backbone(self.config)
        return self._backbone

    def extract(self, frames: np.ndarray) -> np.ndarray:
        """Embed frames.

        Args:
            frames: uint8 RGB ``[N, H, W, 3]``; ``input_size`` squares are used as they are, any
                other size is resized and centre-cropped.

        Returns:
            float32 ``[N, dim]``.
        """
        if len(frames) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = [
            self._runner(preprocess_frames(frames[i : i + self.batch_size], self.config))
            for i in range(0, len(frames), self.batch_size)
        ]
        return np.concatenate(out).astype(np.float32, copy=False)

    def extract_pixels(self, pixels: torch.Tensor) -> np.ndarray:
        """Embed already preprocessed inputs (e.g. WS-DAN crops).

        Args:
            pixels: float32 ``[N, 3, input_size, input_size]``, normalised as by ``preprocess_frames``.

        Returns:
            float32 ``[N, dim]``.
        """
        if len(pixels) == 0:
            return np.zeros((0, self.dim), dtype=np.float32)
        pixels = pixels.detach().float().cpu().contiguous()
        out = [self._runner(pixels[i : i + self.batch_size]) for i in range(0, len(pixels), self.batch_size)]
        return np.concatenate(out).astype(np.float32, copy=False)

    def _build_runner(self, onnx_cache_dir: Path | None, threads: int | None):
        if self.backend.startswith("torch"):
            runner = _TorchRunner(self.backbone, self.device, amp=self.backend == "torch-amp")
            self._dim = self.backbone.num_features
            return runner
        if onnx_cache_dir is None:
            raise ValueError(f"backend {self.backend!r} needs onnx_cache_dir for its exported model")
        cache = Path(onnx_cache_dir)
        stem = f"{self.config.model_name}-{self.config.input_size}-{self._weights_sha256[:12]}"
        fp32 = cached_file(cache / f"{stem}-fp32.r{RECIPE_VERSION}.onnx", lambda p: export_onnx(self.backbone, p))
        path = fp32
        if self.backend == "onnx-int8":
            path = cached_file(
                cache / f"{stem}-{self.precision}.onnx",
                lambda p: quantize_int8(fp32, p, self._calibration_inputs()),
            )
        runner = _OnnxRunner(OnnxFeatureRunner(path, threads))
        self._dim = runner.dim
        return runner

    def _calibration_inputs(self) -> np.ndarray:
        frames = self._calibration
        if frames is None:
            frames = sample_calibration_frames(self.config.input_size)
        return preprocess_frames(frames, self.config).numpy()


class _TorchRunner:
    """Runs the torch backbone; ``amp`` turns on channels-last and autocast."""

    def __init__(self, backbone: FrameBackbone, device: str, amp: bool) -> None:
        self.device = torch.device(device)
        self.amp = amp
        self.backbone = backbone.to(self.device)
        if amp:
            self.backbone = self.backbone.to(memory_format=torch.channels_last)
        self.dtype = amp_dtype(device)

    @torch.inference_mode()
    def __call__(self, pixels: torch.Tensor) -> np.ndarray:
        pixels = pixels.to(self.device, non_blocking=True)
        if not self.amp:
            return self.backbone.pooled_features(pixels).cpu().numpy()
        pixels = pixels.contiguous(memory_format=torch.channels_last)
        with torch.autocast(device_type=self.device.type, dtype=self.dtype):
            features = self.backbone.pooled_features(pixels)
        return features.float().cpu().numpy()


class _OnnxRunner:
    def __init__(self, runner: OnnxFeatureRunner) -> None:
        self.runner = runner
        self.dim = runner.dim

    def __call__(self, pixels: torch.Tensor) -> np.ndarray:
        return self.runner(pixels.numpy())
