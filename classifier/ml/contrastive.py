"""MoCo v2-style contrastive pre-training of the clip encoder on unlabeled clips (He et al. 2020,
Chen et al. 2020): a momentum key encoder, a queue of negative keys, and the InfoNCE loss.

The two views of a clip come from feature-level augmentation of the cached features: a temporal crop,
random dropping of steps, and Gaussian noise. (Image-level WS-DAN augmentation lives in
``classifier.ml.augment``.) Single-device training: BN statistics are not shuffled across devices.
"""

from __future__ import annotations

import copy
import math
import time
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from classifier.ml.config import MODALITIES, ContrastiveConfig
from classifier.ml.train import CancelFn, ClipFeatures, Progress, ProgressFn, TrainingCancelled, resolve_device

Batch = dict[str, Tensor]


def augment_view(
    batch: Batch, generator: torch.Generator, crop_min: float = 0.5, drop_prob: float = 0.2, noise_std: float = 0.05
) -> Batch:
    """One random view of a CPU batch: temporal crop, step dropping, feature noise per modality.

    A clip that had valid steps keeps at least one. Order of steps is kept (NeXtVLAD ignores it).

    Args:
        batch: model batch dict (CPU tensors).
        generator: CPU generator, so views are reproducible.
        crop_min: the crop keeps a share in [crop_min, 1] of each clip's valid steps.
        drop_prob: probability of dropping each remaining step.
        noise_std: noise standard deviation relative to the modality's feature std.

    Returns:
        a new batch dict (inputs are not modified).
    """
    out = dict(batch)
    for name in MODALITIES:
        if name not in batch:
            continue
        x, mask = batch[name], batch[f"{name}_mask"]
        b, t = mask.shape
        length = mask.sum(dim=1, keepdim=True)  # [B, 1]
        rank = mask.cumsum(dim=1) - 1  # position among valid steps
        share = crop_min + (1 - crop_min) * torch.rand(b, 1, generator=generator)
        crop = (share * length).ceil().clamp(min=1)
        start = (torch.rand(b, 1, generator=generator) * (length - crop + 1)).floor()
        keep = mask & (rank >= start) & (rank < start + crop)
        keep &= torch.rand(b, t, generator=generator) >= drop_prob
        # never empty a clip that had steps: keep one random valid step
        empty = ~keep.any(dim=1) & mask.any(dim=1)
        if empty.any():
            pick = torch.where(mask, torch.rand(b, t, generator=generator), -1.0).argmax(dim=1)
            keep[empty, pick[empty]] = True
        if noise_std > 0 and mask.any():
            scale = x[mask].std() if mask.sum() > 1 else x.new_tensor(1.0)
            x = x + noise_std * scale * torch.randn(x.shape, generator=generator)
        out[name], out[f"{name}_mask"] = x, keep
    return out


class MoCo(nn.Module):
    """Query encoder + projection, momentum key encoder, queue.

    Args:
        encoder: model with ``forward_features(batch) -> [B, embed_dim]`` and ``embed_dim``.
        proj_dim: size of the normalised projection.
        queue_size: number of negative keys kept.
        momentum: key encoder update ``k = m * k + (1 - m) * q``.
        temperature: InfoNCE temperature.
    """

    def __init__(
        self,
        encoder: nn.Module,
        proj_dim: int = 128,
        queue_size: int = 4096,
        momentum: float = 0.999,
        temperature: float = 0.2,
    ) -> None:
        super().__init__()
        dim = encoder.embed_dim
        self.encoder_q = encoder
        self.proj_q = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(inplace=True), nn.Linear(dim, proj_dim))
        self.encoder_k = copy.deepcopy(encoder)
        self.proj_k = copy.deepcopy(self.proj_q)
        for p in [*self.encoder_k.parameters(), *self.proj_k.parameters()]:
            p.requires_grad_(False)
        self.momentum = momentum
        self.temperature = temperature
        self.register_buffer("queue", F.normalize(torch.randn(queue_size, proj_dim), dim=1))
        self.register_buffer("queue_ptr", torch.zeros((), dtype=torch.long))

    @torch.no_grad()
    def _momentum_update(self) -> None:
        pairs = [(self.encoder_q, self.encoder_k), (self.proj_q, self.proj_k)]
        for q_mod, k_mod in pairs:
            for q, k in zip(q_mod.parameters(), k_mod.parameters(), strict=True):
                k.mul_(self.momentum).add_(q.detach(), alpha=1 - self.momentum)

    @torch.no_grad()
    def _enqueue(self, keys: Tensor) -> None:
        size = self.queue.shape[0]
        index = (self.queue_ptr + torch.arange(keys.shape[0], device=keys.device)) % size
        self.queue[index] = keys
        self.queue_ptr.copy_((self.queue_ptr + keys.shape[0]) % size)

    def forward(self, view_q: Batch, view_k: Batch) -> Tensor:
        """InfoNCE loss of a batch of view pairs (and the queue update)."""
        q = F.normalize(self.proj_q(self.encoder_q.forward_features(view_q)), dim=1)
        with torch.no_grad():
            self._momentum_update()
            k = F.normalize(self.proj_k(self.encoder_k.forward_features(view_k)), dim=1)
        positive = (q * k).sum(dim=1, keepdim=True)
        negative = q @ self.queue.clone().T
        logits = torch.cat([positive, negative], dim=1) / self.temperature
        loss = F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long, device=q.device))
        self._enqueue(k)
        return loss


@dataclass
class ContrastiveResult:
    """Mean loss per epoch, steps done, wall time."""

    epoch_losses: list[float]
    steps: int
    seconds: float


def pretrain_contrastive(
    model: nn.Module,
    data: ClipFeatures,
    config: ContrastiveConfig,
    progress: ProgressFn | None = None,
    should_cancel: CancelFn | None = None,
) -> ContrastiveResult:
    """Pre-train ``model``'s feature extractor in place (its heads are untouched).

    Args:
        model: a registered model (``forward_features``, ``embed_dim``).
        data: unlabeled clips (targets ignored).
        config: MoCo hyper-parameters.
        progress: called with ``Progress(stage="pretrain", ...)``.
        should_cancel: polled every step; True raises ``TrainingCancelled``.
    """
    started = time.monotonic()
    report = progress or (lambda p: None)
    cancelled = should_cancel or (lambda: False)
    device = resolve_device(config.device)
    torch.manual_seed(config.seed)
    gen = torch.Generator().manual_seed(config.seed)
    moco = MoCo(model, config.proj_dim, config.queue_size, config.momentum, config.temperature).to(device)
    params = [p for p in moco.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=config.lr, weight_decay=config.weight_decay)
    batch_size = min(config.batch_size, len(data))
    steps = max(1, len(data) // batch_size)
    if config.max_steps_per_epoch:
        steps = min(steps, config.max_steps_per_epoch)
    total = steps * config.epochs
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda s: 0.5 * (1 + math.cos(math.pi * s / total)))
    aug = dict(crop_min=config.crop_min, drop_prob=config.drop_prob, noise_std=config.noise_std)
    moco.train()
    epoch_losses = []
    for epoch in range(1, config.epochs + 1):
        order = torch.randperm(len(data), generator=gen)
        running = 0.0
        for step in range(steps):
            if cancelled():
                raise TrainingCancelled(f"cancelled at epoch {epoch} step {step}")
            batch = data.batch(order[step * batch_size : (step + 1) * batch_size])
            view_q = {k: v.to(device) for k, v in augment_view(batch, gen, **aug).items()}
            view_k = {k: v.to(device) for k, v in augment_view(batch, gen, **aug).items()}
            loss = moco(view_q, view_k)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            scheduler.step()
            running += loss.item()
            if (step + 1) % config.log_every == 0:
                report(Progress("pretrain", epoch, step + 1, loss.item()))
        epoch_losses.append(running / steps)
        report(Progress("pretrain", epoch, steps, epoch_losses[-1]))
    return ContrastiveResult(epoch_losses, total, time.monotonic() - started)
