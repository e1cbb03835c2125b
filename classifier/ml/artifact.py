"""One artifact per model version: a single file holding the weights, label space and release, model
config, metrics and frame backbone id. Saved atomically; loaded with ``weights_only=True`` and
validated (the rebuilt model must accept the weights exactly).
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import torch
from torch import nn

from classifier.ml.config import ModelConfig
from classifier.ml.labels import LabelSpace
from classifier.ml.registry import create_model

FORMAT = "clipcat-model/1"


@dataclass
class Artifact:
    """A loaded model version."""

    model: nn.Module
    model_config: ModelConfig
    label_space: LabelSpace
    backbone_id: str
    metrics: dict[str, Any] = field(default_factory=dict)
    train_config: dict[str, Any] | None = None
    created_at: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def release(self) -> str:
        return self.label_space.release


def save_artifact(
    path: str | os.PathLike,
    model: nn.Module,
    model_config: ModelConfig,
    label_space: LabelSpace,
    backbone_id: str,
    metrics: dict[str, Any] | None = None,
    train_config: dict[str, Any] | None = None,
    extra: dict[str, Any] | None = None,
    overwrite: bool = False,
) -> Path:
    """Write the artifact file atomically (temp file in the same directory, fsync, ``os.replace``).

    Args:
        path: target file (e.g. ``.../model-<version>.pt``).
        model: trained model built from ``model_config`` for ``label_space.num_classes``.
        model_config: how to rebuild the model.
        label_space: classes and release of the heads.
        backbone_id: id of the frame feature extractor the features came from.
        metrics, train_config, extra: JSON-able records kept with the weights.
        overwrite: model versions are immutable, so an existing file is an error unless True.

    Returns:
        the written path.
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"An artifact already exists at {path}; model versions are immutable.")
    if tuple(getattr(model, "num_classes", ())) != label_space.num_classes:
        raise ValueError(f"model heads {getattr(model, 'num_classes', None)} != {label_space.num_classes}")
    manifest = {
        "format": FORMAT,
        "model_config": model_config.to_dict(),
        "label_space": label_space.to_dict(),
        "num_classes": list(label_space.num_classes),
        "backbone_id": backbone_id,
        "metrics": metrics or {},
        "train_config": train_config,
        "extra": extra or {},
        "created_at": datetime.now(UTC).isoformat(),
    }
    payload = {
        "format": FORMAT,
        "manifest": json.dumps(manifest, sort_keys=True),  # fails here, not at load, if not JSON-able
        "state_dict": {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            torch.save(payload, fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def _read(path: str | os.PathLike) -> tuple[dict[str, Any], dict[str, torch.Tensor]]:
    payload = torch.load(path, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise ValueError(f"{path}: not a {FORMAT} artifact")
    manifest = json.loads(payload["manifest"])
    if manifest.get("format") != FORMAT:
        raise ValueError(f"{path}: manifest format {manifest.get('format')!r}")
    return manifest, payload["state_dict"]


def read_manifest(path: str | os.PathLike) -> dict[str, Any]:
    """The artifact's JSON manifest (config, label space, metrics...) without building the model."""
    return _read(path)[0]


def load_artifact(path: str | os.PathLike, device: str | torch.device = "cpu") -> Artifact:
    """Load and validate an artifact; the model is rebuilt from its config, in eval mode.

    Raises:
        ValueError: wrong format, inconsistent label space, or weights that do not fit the model.
    """
    manifest, state_dict = _read(path)
    model_config = ModelConfig.from_dict(manifest["model_config"])
    label_space = LabelSpace.from_dict(manifest["label_space"])
    if tuple(manifest["num_classes"]) != label_space.num_classes:
        raise ValueError(f"{path}: num_classes {manifest['num_classes']} != label space {label_space.num_classes}")
    model = create_model(model_config.name, num_classes=label_space.num_classes, **model_config.model_kwargs())
    try:
        model.load_state_dict(state_dict, strict=True)
    except RuntimeError as exc:
        raise ValueError(f"{path}: weights do not fit {model_config.name}: {exc}") from exc
    model.to(device).eval()
    return Artifact(
        model=model,
        model_config=model_config,
        label_space=label_space,
        backbone_id=manifest["backbone_id"],
        metrics=manifest["metrics"],
        train_config=manifest["train_config"],
        created_at=manifest["created_at"],
        extra=manifest["extra"],
    )
