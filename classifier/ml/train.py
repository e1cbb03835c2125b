"""Supervised training of a registered model on cached clip features, and its evaluation.

Same code on CPU and CUDA. Deterministic on CPU for a fixed seed and thread count. A caller sees
progress through a callback and can stop a run with a cancel check (``TrainingCancelled`` is raised).
"""

from __future__ import annotations

import copy
import math
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from classifier.ml import metrics as M
from classifier.ml.config import MODALITIES, TrainConfig
from classifier.ml.labels import END, IGNORE, LabelSpace


class TrainingCancelled(Exception):
    """Raised when the cancel check returns True; the model is left as it was at that step."""


@dataclass(frozen=True)
class Progress:
    """One progress report: stage ("train", "validate", "pretrain", "done"), position, loss, metrics."""

    stage: str
    epoch: int
    step: int
    loss: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)


ProgressFn = Callable[[Progress], None]
CancelFn = Callable[[], bool]


def seed_everything(seed: int) -> None:
    """Seed Python, numpy and torch (all devices)."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def resolve_device(name: str = "auto") -> torch.device:
    """ "auto" picks CUDA when present, else CPU."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)


def resolve_precision(name: str, device: torch.device) -> str:
    """ "auto": bf16 autocast where the hardware has fast bf16 (CUDA; CPUs with AVX512-BF16 or AMX, where
    bench/train.py measured it 2-5x faster than fp32), else fp32. "fp32" and "bf16" are taken as given."""
    if name != "auto":
        return name
    if device.type == "cuda":
        return "bf16"
    probes = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")  # private in torch 2.x: probe softly
    return "bf16" if any(getattr(torch.cpu, probe, lambda: False)() for probe in probes) else "fp32"


@dataclass
class ClipFeatures:
    """Padded features of N clips (the model's batch contract) with optional per-level targets.

    Attributes:
        tensors: "frames" [N, T, D], "frames_mask" bool [N, T], likewise "text" / "audio".
        targets: long [N, depth] class index per level, ``IGNORE`` (-1) where unknown.
    """

    tensors: dict[str, Tensor]
    targets: Tensor | None = None

    def __post_init__(self) -> None:
        sizes = {k: v.shape[0] for k, v in self.tensors.items()}
        if self.targets is not None:
            sizes["targets"] = self.targets.shape[0]
        if len(set(sizes.values())) > 1:
            raise ValueError(f"inconsistent first dimensions: {sizes}")
        for name in MODALITIES:
            if name in self.tensors and f"{name}_mask" not in self.tensors:
                raise ValueError(f"{name!r} has no {name}_mask")

    def __len__(self) -> int:
        return next(iter(self.tensors.values())).shape[0]

    def batch(self, index: Tensor, device: torch.device | str = "cpu") -> dict[str, Tensor]:
        """Rows ``index`` of every tensor, on ``device``."""
        return {k: v[index].to(device, non_blocking=True) for k, v in self.tensors.items()}

    def subset(self, index: Tensor) -> ClipFeatures:
        targets = None if self.targets is None else self.targets[index]
        return ClipFeatures({k: v[index] for k, v in self.tensors.items()}, targets)

    @classmethod
    def from_clips(
        cls,
        clips: Sequence[Mapping[str, Any]],
        targets: Tensor | None = None,
        max_steps: Mapping[str, int] | None = None,
    ) -> ClipFeatures:
        """Pad per-clip features into a batch.

        Args:
            clips: per clip {"frames": [T, D], "text": [Tt, D], "audio": [Ta, mels, steps]}, tensors or
                arrays; a missing, None or empty entry means the clip lacks that modality.
            targets: long [N, depth] (e.g. ``LabelSpace.targets_tensor``).
            max_steps: optional cap per modality; longer sequences are subsampled evenly.
        """
        tensors: dict[str, Tensor] = {}
        for name in MODALITIES:
            seqs = [
                None if c.get(name) is None else torch.as_tensor(np.asarray(c[name]), dtype=torch.float32)
                for c in clips
            ]
            shapes = {tuple(s.shape[1:]) for s in seqs if s is not None and s.shape[0] > 0}
            if not shapes:
                continue
            if len(shapes) > 1:
                raise ValueError(f"{name}: inconsistent feature shapes {shapes}")
            cap = (max_steps or {}).get(name)
            lengths = [0 if s is None else s.shape[0] for s in seqs]
            t = min(max(lengths), cap) if cap else max(lengths)
            out = torch.zeros(len(clips), t, *shapes.pop())
            mask = torch.zeros(len(clips), t, dtype=torch.bool)
            for i, s in enumerate(seqs):
                if s is None or s.shape[0] == 0:
                    continue
                if s.shape[0] > t:
                    s = s[torch.linspace(0, s.shape[0] - 1, t).round().long()]
                out[i, : s.shape[0]] = s
                mask[i, : s.shape[0]] = True
            tensors[name], tensors[f"{name}_mask"] = out, mask
        if not tensors:
            raise ValueError("no clip has any modality")
        return cls(tensors, targets)


@dataclass
class TrainResult:
    """Outcome of a run: the model holds the weights of ``best_epoch``."""

    best_epoch: int
    epochs_run: int
    stopped_early: bool
    val_metrics: dict[str, float]
    history: list[dict[str, float]]
    seconds: float


def sampling_weights(targets: Tensor, balance: str) -> Tensor:
    """Per-clip sampling weight for class-balanced sampling on the deepest known label.

    "none": uniform; "sqrt": 1/sqrt(class count); "full": 1/class count. Clips without any label
    get weight 0.
    """
    known = targets != IGNORE
    has_label = known.any(dim=1)
    depth = targets.shape[1]
    deepest = torch.where(known, torch.arange(depth).expand_as(targets), -1).max(dim=1).values
    deepest = deepest.clamp(min=0)
    key = deepest * (int(targets.max()) + 2) + targets.gather(1, deepest[:, None])[:, 0]
    if balance == "none":
        weights = torch.ones(len(targets))
    else:
        _, inverse, counts = torch.unique(key, return_inverse=True, return_counts=True)
        power = 0.5 if balance == "sqrt" else 1.0
        weights = counts[inverse].double().pow(-power).float()
    return weights * has_label.float()


def level_losses(
    logits: Mapping[str, Tensor],
    targets: Tensor,
    loss: str = "ce",
    label_smoothing: float = 0.0,
    level_weights: Sequence[float] | None = None,
) -> Tensor:
    """Weighted mean over levels of the per-level loss; ``IGNORE`` targets and empty levels are skipped."""
    total, weight_sum = None, 0.0
    for level in range(targets.shape[1]):
        t = targets[:, level]
        valid = t != IGNORE
        if not valid.any():
            continue
        z = logits[f"level{level + 1}"][valid]
        if loss == "ce":
            value = F.cross_entropy(z, t[valid], label_smoothing=label_smoothing)
        else:
            one_hot = F.one_hot(t[valid], z.shape[1]).float()
            value = F.binary_cross_entropy_with_logits(z, one_hot, reduction="sum") / z.shape[0]
        w = 1.0 if level_weights is None else float(level_weights[level])
        total = value * w if total is None else total + value * w
        weight_sum += w
    if total is None:
        raise ValueError("batch has no labels")
    return total / max(weight_sum, 1e-12)


def model_device(model: nn.Module) -> torch.device:
    """Device of a model's first parameter (or buffer); CPU for a model without tensors."""
    for tensor in (*model.parameters(), *model.buffers()):
        return tensor.device
    return torch.device("cpu")


@torch.no_grad()
def predict(
    model: nn.Module, data: ClipFeatures, batch_size: int = 512, device: torch.device | str = "cpu"
) -> tuple[dict[str, Tensor], Tensor]:
    """Logits per level and embeddings of every clip (eval mode, CPU tensors).

    The model runs on ``device``, where the batches go: a model held elsewhere (e.g. the CPU-loaded
    active model evaluated on a CUDA worker) is moved there for the call and moved back afterwards,
    as is its train/eval mode, also when the call fails. A model already on ``device`` is not copied.
    """
    device = torch.device(device)
    home = model_device(model)
    was_training = model.training
    model.eval()
    if home != device:
        model.to(device)
    try:
        logits: dict[str, list[Tensor]] = {}
        embeddings = []
        for start in range(0, len(data), batch_size):
            index = torch.arange(start, min(start + batch_size, len(data)))
            emb = model.forward_features(data.batch(index, device))
            for k, v in model.forward_head(emb).items():
                logits.setdefault(k, []).append(v.float().cpu())
            embeddings.append(emb.float().cpu())
    finally:
        if home != device:
            model.to(home)
        model.train(was_training)
    return {k: torch.cat(v) for k, v in logits.items()}, torch.cat(embeddings)


def evaluate(
    model: nn.Module,
    data: ClipFeatures,
    label_space: LabelSpace,
    batch_size: int = 512,
    device: torch.device | str = "cpu",
    loss: str = "ce",
    report: bool = False,
) -> dict[str, Any]:
    """Metrics on labelled clips, using the consistent path decoding.

    Returns:
        "loss", "accuracy_level{i}", "hit_at_1" / "gap_at_20" (over leaf paths; a clip labelled at an
        inner category counts every leaf below it as positive), "macro_f1" (leaf paths),
        "hierarchical_f1", "ece", "count"; with ``report`` also "per_category" (leaf paths).
    """
    if data.targets is None:
        raise ValueError("evaluation needs targets")
    keep = (data.targets != IGNORE).any(dim=1)
    data = data.subset(torch.nonzero(keep)[:, 0])
    logits, _ = predict(model, data, batch_size, device)
    targets = data.targets
    out: dict[str, Any] = {"count": len(data)}
    if len(data) == 0:
        return out
    out["loss"] = float(level_losses(logits, targets, loss))
    path_lp = label_space.path_log_probs(logits)
    pred_path = path_lp.argmax(dim=1)
    pred_levels = label_space.path_index[pred_path]  # [N, depth]
    for level in range(label_space.depth):
        acc = M.accuracy(targets[:, level].numpy(), pred_levels[:, level].numpy())
        out[f"accuracy_level{level + 1}"] = acc
    # positives over leaf paths: every path consistent with the known targets
    consistent = ((label_space.path_index[None] == targets[:, None]) | (targets[:, None] == IGNORE)).all(-1)
    scores, positives = path_lp.exp().numpy(), consistent.numpy()
    out["hit_at_1"] = M.hit_at_1(scores, positives)
    out["gap_at_20"] = M.gap_at_k(scores, positives, k=20)
    correct = positives[np.arange(len(data)), pred_path.numpy()]
    out["ece"] = M.expected_calibration_error(scores.max(axis=1), correct)
    true_leaf = np.where(positives.sum(1) == 1, positives.argmax(1), -1)
    out["macro_f1"] = M.macro_f1(true_leaf, pred_path.numpy(), len(label_space.leaf_paths))

    def nodes(row: Tensor) -> list[str]:
        return [
            label_space.level_codes[lv][int(i)]
            for lv, i in enumerate(row)
            if i != IGNORE and label_space.level_codes[lv][int(i)] != END
        ]

    out["hierarchical_f1"] = M.hierarchical_f1([nodes(t) for t in targets], [nodes(p) for p in pred_levels])
    if report:
        codes = ["/".join(p) for p in label_space.leaf_paths]
        out["per_category"] = M.per_category_report(true_leaf, pred_path.numpy(), codes)
    return out


def _split(data: ClipFeatures, fraction: float, seed: int) -> tuple[ClipFeatures, ClipFeatures | None]:
    labelled = torch.nonzero((data.targets != IGNORE).any(dim=1))[:, 0]
    n_val = int(round(len(labelled) * fraction))
    if n_val == 0:
        return data, None
    perm = labelled[torch.randperm(len(labelled), generator=torch.Generator().manual_seed(seed))]
    return data.subset(perm[n_val:]), data.subset(perm[:n_val])


def train_supervised(
    model: nn.Module,
    data: ClipFeatures,
    label_space: LabelSpace,
    config: TrainConfig,
    val_data: ClipFeatures | None = None,
    progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> TrainResult:
    """Train ``model`` in place with class-balanced sampling and early stopping.

    Args:
        model: a registered model built for ``label_space.num_classes``.
        data: training clips with targets; ``val_fraction`` of them is held out unless ``val_data``.
        label_space: the release the targets refer to.
        config: training hyper-parameters.
        val_data: explicit held-out clips.
        progress: called with a ``Progress`` every ``log_every`` steps and after each validation.
        should_cancel: polled every step; returning True raises ``TrainingCancelled``.

    Returns:
        ``TrainResult``; the model ends with the weights of the best validation epoch.
    """
    if data.targets is None:
        raise ValueError("training needs targets")
    if tuple(getattr(model, "num_classes", label_space.num_classes)) != label_space.num_classes:
        raise ValueError(f"model heads {model.num_classes} != label space {label_space.num_classes}")
    started = time.monotonic()
    report = progress or (lambda p: None)
    cancelled = should_cancel or (lambda: False)
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    if val_data is None and config.val_fraction > 0:
        data, val_data = _split(data, config.val_fraction, config.seed)
    weights = sampling_weights(data.targets, config.balance)
    n_labelled = int((weights > 0).sum())
    if n_labelled == 0:
        raise ValueError("no labelled clip to train on")
    steps = math.ceil(n_labelled / config.batch_size)
    if config.max_steps_per_epoch:
        steps = min(steps, config.max_steps_per_epoch)
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
    total_steps = steps * config.epochs
    cosine = config.schedule == "cosine"
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / total_steps)) if cosine else 1.0
    )

    best_score, best_epoch, best_state, bad_epochs = -math.inf, 0, None, 0
    history: list[dict[str, float]] = []
    val_metrics: dict[str, float] = {}
    best_metrics: dict[str, float] = {}
    epoch = 0
    for epoch in range(1, config.epochs + 1):
        model.train()
        order = torch.multinomial(weights, steps * config.batch_size, replacement=True, generator=gen)
        running = 0.0
        for step in range(steps):
            if cancelled():
                raise TrainingCancelled(f"cancelled at epoch {epoch} step {step}")
            index = order[step * config.batch_size : (step + 1) * config.batch_size]
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=config.precision == "bf16"):
                logits = model(data.batch(index, device))
            logits = {k: v.float() for k, v in logits.items()}
            loss = level_losses(
                logits, data.targets[index].to(device), config.loss, config.label_smoothing, config.level_weights
            )
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            if config.grad_clip:
                nn.utils.clip_grad_norm_(model.parameters(), config.grad_clip)
            optimizer.step()
            scheduler.step()
            running += loss.item()
            if (step + 1) % config.log_every == 0:
                report(Progress("train", epoch, step + 1, loss.item()))
        record = {"epoch": epoch, "train_loss": running / steps}
        if val_data is not None:
            val_metrics = evaluate(model, val_data, label_space, config.eval_batch_size, device, config.loss)
            record.update({f"val_{k}": v for k, v in val_metrics.items()})
            score = -val_metrics["loss"] if config.monitor == "loss" else val_metrics["hit_at_1"]
            report(Progress("validate", epoch, steps, record["train_loss"], val_metrics))
            if score > best_score:
                best_score, best_epoch, bad_epochs, best_metrics = score, epoch, 0, val_metrics
                best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                bad_epochs += 1
        else:
            best_epoch = epoch
            report(Progress("train", epoch, steps, record["train_loss"]))
        history.append(record)
        if val_data is not None and bad_epochs >= config.patience:
            break
    if best_state is not None:
        model.load_state_dict(best_state)
        val_metrics = best_metrics
    elapsed = time.monotonic() - started
    result = TrainResult(best_epoch, epoch, epoch < config.epochs, val_metrics, history, elapsed)
    report(Progress("done", epoch, steps, history[-1]["train_loss"], val_metrics))
    return result


def clone_model(model: nn.Module) -> nn.Module:
    """Deep copy of a model (e.g. to keep a pre-training snapshot)."""
    return copy.deepcopy(model)
