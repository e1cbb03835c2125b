"""Multimodal clip classifier: NeXtVLAD per modality -> concat fusion -> context gating -> MoE heads.

One head per taxonomy level. A modality the model does not use is ignored; a modality missing for a
clip (all-False mask, or absent from the batch) is replaced by a learned "missing" vector, so the
text branch alone can still predict categories (search queries) and clips without audio work.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import Tensor, nn

from classifier.ml.encoders.audio import AudioCNN
from classifier.ml.layers import ContextGating, MixtureOfExperts, NeXtVLAD, masked_batch_norm
from classifier.ml.registry import register_model

Batch = dict[str, Tensor]


def level_key(level: int) -> str:
    """Head name of a 1-based taxonomy level."""
    return f"level{level}"


class ModalityBranch(nn.Module):
    """NeXtVLAD over one modality's steps, projected to ``out_dim``, with a learned missing vector.

    Args:
        input_dim: feature size per step.
        out_dim: branch output size.
        clusters, expansion, groups: NeXtVLAD arguments.
        dropout: dropout on the VLAD vector.
    """

    def __init__(
        self, input_dim: int, out_dim: int, clusters: int, expansion: int, groups: int, dropout: float
    ) -> None:
        super().__init__()
        self.vlad = NeXtVLAD(input_dim, clusters=clusters, expansion=expansion, groups=groups)
        self.dropout = nn.Dropout(dropout)
        self.proj = nn.Linear(self.vlad.output_dim, out_dim, bias=False)
        self.bn = nn.BatchNorm1d(out_dim)
        self.missing = nn.Parameter(torch.zeros(out_dim))

    def forward(self, x: Tensor, mask: Tensor, present: Tensor) -> Tensor:
        """x [B, T, D], mask bool [B, T], present bool [B] -> [B, out_dim]."""
        h = self.proj(self.dropout(self.vlad(x, mask)))
        h = masked_batch_norm(self.bn, h, present)
        return torch.where(present.unsqueeze(-1), h, self.missing.expand_as(h))


class MultimodalClassifier(nn.Module):
    """NeXtVLAD + context gating + mixture-of-experts classifier with one head per taxonomy level.

    Args:
        num_classes: classes per level, e.g. ``(12, 60, 240)``.
        modalities: used modalities, any of "frames", "text", "audio".
        frame_dim: frame feature size.
        text_dim: sentence embedding size.
        audio_mels: mel bands of an audio chunk.
        audio_steps: time steps of an audio chunk (kept for the config; the CNN pools over time).
        audio_embed_dim: audio CNN output size per chunk.
        audio_channels: audio CNN block widths.
        clusters, expansion, groups: NeXtVLAD arguments (shared by the branches).
        branch_dim: size of each modality vector before fusion.
        hidden_size: size of the fused clip embedding.
        num_experts: MoE experts per class.
        gating_reduction: SE bottleneck factor of the context gating.
        dropout: dropout on the VLAD vectors.
        modality_dropout: in training, probability of hiding a present modality of a clip (the
            missing vector replaces it) so the model learns to cope with any one modality.
    """

    def __init__(
        self,
        num_classes: Sequence[int],
        modalities: Sequence[str] = ("frames", "text", "audio"),
        frame_dim: int = 1280,
        text_dim: int = 512,
        audio_mels: int = 64,
        audio_steps: int = 100,
        audio_embed_dim: int = 128,
        audio_channels: Sequence[int] = (16, 32, 64),
        clusters: int = 64,
        expansion: int = 2,
        groups: int = 8,
        branch_dim: int = 512,
        hidden_size: int = 1024,
        num_experts: int = 2,
        gating_reduction: int = 8,
        dropout: float = 0.5,
        modality_dropout: float = 0.0,
    ) -> None:
        super().__init__()
        if not num_classes or any(n < 1 for n in num_classes):
            raise ValueError(f"num_classes must be non-empty positive counts, got {num_classes}")
        unknown = set(modalities) - {"frames", "text", "audio"}
        if unknown or not modalities:
            raise ValueError(f"bad modalities {modalities}")
        self.num_classes = tuple(int(n) for n in num_classes)
        self.modalities = tuple(modalities)
        self.embed_dim = hidden_size
        self.modality_dropout = modality_dropout
        self.audio_steps = audio_steps

        input_dims = {"frames": frame_dim, "text": text_dim, "audio": audio_embed_dim}
        if "audio" in self.modalities:
            self.audio_encoder = AudioCNN(audio_embed_dim, n_mels=audio_mels, channels=tuple(audio_channels))
        self.branches = nn.ModuleDict(
            {
                m: ModalityBranch(input_dims[m], branch_dim, clusters, expansion, groups, dropout)
                for m in self.modalities
            }
        )
        self.fuse = nn.Linear(branch_dim * len(self.modalities), hidden_size, bias=False)
        self.fuse_bn = nn.BatchNorm1d(hidden_size)
        self.gating = ContextGating(hidden_size, reduction=gating_reduction)
        self.heads = nn.ModuleDict(
            {level_key(i + 1): MixtureOfExperts(hidden_size, n, num_experts) for i, n in enumerate(self.num_classes)}
        )

    def _modality_inputs(self, batch: Batch, name: str, b: int, device: torch.device) -> tuple[Tensor, ...]:
        x = batch.get(name)
        if x is None:  # absent for the whole batch: one empty step, masked out
            if name == "audio":
                shape = (b, 1, self.audio_encoder.n_mels, self.audio_steps)
            else:
                shape = (b, 1, self.branches[name].vlad.input_dim)
            return torch.zeros(shape, device=device), torch.zeros(b, 1, dtype=torch.bool, device=device)
        mask = batch.get(f"{name}_mask")
        if mask is None:
            mask = torch.ones(x.shape[:2], dtype=torch.bool, device=x.device)
        return x, mask.bool()

    def forward_features(self, batch: Batch) -> Tensor:
        """Clip embedding.

        Args:
            batch: "frames" [B, T, Df], "text" [B, Tt, Dt], "audio" [B, Ta, mels, steps] with
                "<name>_mask" bool [B, T*]; any of them may be missing.

        Returns:
            [B, hidden_size] embedding (input of the heads).
        """
        present_keys = [k for k in ("frames", "text", "audio") if k in batch]
        if not present_keys:
            raise ValueError("batch has no modality")
        ref = batch[present_keys[0]]
        b, device = ref.shape[0], ref.device
        parts = []
        for name in self.modalities:
            x, mask = self._modality_inputs(batch, name, b, device)
            present = mask.any(dim=1)
            if self.training and self.modality_dropout > 0:
                keep = torch.rand(b, device=device) >= self.modality_dropout
                present = present & keep
                mask = mask & present.unsqueeze(1)
            if name == "audio":
                x = self.audio_encoder.embed_chunks(x, mask)
            parts.append(self.branches[name](x, mask, present))
        h = self.fuse_bn(self.fuse(torch.cat(parts, dim=-1)))
        return self.gating(h)

    def forward_head(self, embedding: Tensor) -> dict[str, Tensor]:
        """Per-level logits: {"level1": [B, C1], "level2": [B, C2], ...}."""
        return {name: head(embedding) for name, head in self.heads.items()}

    def forward(self, batch: Batch) -> dict[str, Tensor]:
        return self.forward_head(self.forward_features(batch))


def _build(num_classes: Sequence[int], defaults: dict, **kwargs) -> MultimodalClassifier:
    return MultimodalClassifier(num_classes=num_classes, **{**defaults, **kwargs})


@register_model
def nextvlad_moe(num_classes: Sequence[int], **kwargs) -> MultimodalClassifier:
    """Default model: K=64 clusters, expansion 2, 8 groups, 1024-d embedding, 2 experts."""
    return _build(num_classes, {}, **kwargs)


@register_model
def nextvlad_moe_small(num_classes: Sequence[int], **kwargs) -> MultimodalClassifier:
    """Cheaper variant for CPU-only installs: K=32, 512-d embedding."""
    return _build(num_classes, dict(clusters=32, branch_dim=256, hidden_size=512), **kwargs)


@register_model
def nextvlad_moe_tiny(num_classes: Sequence[int], **kwargs) -> MultimodalClassifier:
    """Tiny variant for tests: a few clusters, small widths."""
    defaults = dict(
        clusters=4,
        expansion=2,
        groups=2,
        branch_dim=16,
        hidden_size=32,
        audio_embed_dim=16,
        audio_channels=(4, 8),
        gating_reduction=4,
        dropout=0.1,
    )
    return _build(num_classes, defaults, **kwargs)
