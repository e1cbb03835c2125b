"""Configs as data: frozen dataclasses, validated once on construction, stored as JSON.

Model code never reads these; the training entry points turn them into explicit constructor
arguments (``ModelConfig.model_kwargs()``).
"""

from __future__ import annotations

import dataclasses
import json
import os
import tempfile
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Self

MODALITIES = ("frames", "text", "audio")


class _JsonConfig:
    """Shared JSON round trip for the config dataclasses."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-able dict (tuples become lists)."""
        return json.loads(json.dumps(dataclasses.asdict(self)))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        """Build from a dict; unknown keys are an error, lists become tuples where typed so."""
        names = {f.name for f in dataclasses.fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"{cls.__name__}: unknown keys {sorted(unknown)}")
        hints = typing.get_type_hints(cls)
        kwargs = {}
        for key, value in data.items():
            if isinstance(value, list) and "tuple" in str(hints[key]):
                value = tuple(value)
            kwargs[key] = value
        return cls(**kwargs)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Self:
        return cls.from_dict(json.loads(text))

    def save(self, path: str | os.PathLike) -> None:
        """Write JSON atomically (temp file, then ``os.replace``)."""
        path = Path(path)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w") as fh:
            fh.write(self.to_json())
        os.replace(tmp, path)

    @classmethod
    def load(cls, path: str | os.PathLike) -> Self:
        return cls.from_json(Path(path).read_text())


def _check(cond: bool, msg: str) -> None:
    if not cond:
        raise ValueError(msg)


def _check_device(device: str) -> None:
    _check(device == "auto" or device.split(":")[0] in ("cpu", "cuda"), f"bad device {device!r}")


def _positive(obj: object, *names: str) -> None:
    for name in names:
        value = getattr(obj, name)
        _check(value is None or value > 0, f"{type(obj).__name__}.{name} must be > 0, got {value!r}")


@dataclass(frozen=True)
class ModelConfig(_JsonConfig):
    """Which registered model to build and its architecture overrides.

    ``None`` means "the registered model's default" so a tiny variant stays tiny.
    """

    name: str = "nextvlad_moe"
    modalities: tuple[str, ...] = MODALITIES
    frame_dim: int | None = None
    text_dim: int | None = None
    audio_mels: int | None = None
    audio_steps: int | None = None
    audio_embed_dim: int | None = None
    clusters: int | None = None
    groups: int | None = None
    expansion: int | None = None
    branch_dim: int | None = None
    hidden_size: int | None = None
    num_experts: int | None = None
    gating_reduction: int | None = None
    dropout: float | None = None
    modality_dropout: float | None = None

    def __post_init__(self) -> None:
        _check(bool(self.name), "ModelConfig.name is empty")
        _check(len(self.modalities) > 0, "ModelConfig.modalities is empty")
        _check(len(set(self.modalities)) == len(self.modalities), "ModelConfig.modalities has duplicates")
        for m in self.modalities:
            _check(m in MODALITIES, f"unknown modality {m!r}; known: {MODALITIES}")
        _positive(
            self,
            "frame_dim",
            "text_dim",
            "audio_mels",
            "audio_steps",
            "audio_embed_dim",
            "clusters",
            "groups",
            "expansion",
            "branch_dim",
            "hidden_size",
            "num_experts",
            "gating_reduction",
        )
        for name in ("dropout", "modality_dropout"):
            value = getattr(self, name)
            _check(value is None or 0.0 <= value < 1.0, f"ModelConfig.{name} must be in [0, 1)")

    def model_kwargs(self) -> dict[str, Any]:
        """Constructor arguments for ``create_model(self.name, num_classes=..., **kwargs)``."""
        kwargs = {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.name != "name"}
        return {k: v for k, v in kwargs.items() if v is not None}


@dataclass(frozen=True)
class TrainConfig(_JsonConfig):
    """Supervised training of the aggregation model and heads on cached features."""

    epochs: int = 30
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-5
    schedule: str = "cosine"  # "cosine" | "constant"
    loss: str = "ce"  # "ce": softmax cross-entropy per level | "bce": one-vs-rest (YouTube-8M)
    label_smoothing: float = 0.0
    level_weights: tuple[float, ...] | None = None
    balance: str = "sqrt"  # "none" | "sqrt" | "full": class-balanced sampling on the deepest label
    patience: int = 3
    monitor: str = "loss"  # early stopping on validation "loss" (min) or "accuracy" (path, max)
    val_fraction: float = 0.1
    seed: int = 0
    grad_clip: float | None = 5.0
    device: str = "auto"  # "auto" | "cpu" | "cuda" | "cuda:N"
    precision: str = "fp32"  # "fp32" | "bf16": bf16 autocast in training (about 3x faster on AMX CPUs)
    max_steps_per_epoch: int | None = None
    eval_batch_size: int = 512
    log_every: int = 10

    def __post_init__(self) -> None:
        _positive(
            self,
            "epochs",
            "batch_size",
            "lr",
            "patience",
            "max_steps_per_epoch",
            "eval_batch_size",
            "log_every",
            "grad_clip",
        )
        _check(self.weight_decay >= 0, "TrainConfig.weight_decay must be >= 0")
        _check(self.schedule in ("cosine", "constant"), f"bad schedule {self.schedule!r}")
        _check(self.loss in ("ce", "bce"), f"bad loss {self.loss!r}")
        _check(0.0 <= self.label_smoothing < 1.0, "label_smoothing must be in [0, 1)")
        _check(self.balance in ("none", "sqrt", "full"), f"bad balance {self.balance!r}")
        _check(self.monitor in ("loss", "accuracy"), f"bad monitor {self.monitor!r}")
        _check(self.precision in ("fp32", "bf16"), f"bad precision {self.precision!r}")
        _check(0.0 <= self.val_fraction < 1.0, "val_fraction must be in [0, 1)")
        _check_device(self.device)
        if self.level_weights is not None:
            _check(all(w >= 0 for w in self.level_weights), "level_weights must be >= 0")


@dataclass(frozen=True)
class ContrastiveConfig(_JsonConfig):
    """MoCo v2-style contrastive pre-training on unlabeled clips."""

    epochs: int = 10
    batch_size: int = 128
    lr: float = 1e-3
    weight_decay: float = 1e-5
    queue_size: int = 4096
    momentum: float = 0.999
    temperature: float = 0.2
    proj_dim: int = 128
    crop_min: float = 0.5  # temporal crop keeps at least this share of the valid steps
    drop_prob: float = 0.2  # per-step dropping probability
    noise_std: float = 0.05  # Gaussian feature noise, relative to the feature's std
    seed: int = 0
    device: str = "auto"
    max_steps_per_epoch: int | None = None
    log_every: int = 10

    def __post_init__(self) -> None:
        _positive(
            self,
            "epochs",
            "batch_size",
            "lr",
            "queue_size",
            "temperature",
            "proj_dim",
            "max_steps_per_epoch",
            "log_every",
        )
        _check(0.0 <= self.momentum < 1.0, "momentum must be in [0, 1)")
        _check(0.0 < self.crop_min <= 1.0, "crop_min must be in (0, 1]")
        _check(0.0 <= self.drop_prob < 1.0, "drop_prob must be in [0, 1)")
        _check(self.noise_std >= 0.0, "noise_std must be >= 0")
        _check_device(self.device)
