"""NeXtVLAD aggregation of a variable-length sequence of features (Lin et al., ECCVW 2018).

The input is expanded by ``expansion``, split into ``groups`` lower-dimensional groups, and every
group feature is softly assigned to ``clusters`` shared cluster centres; a per-group sigmoid
attention weights each group's contribution. Padded steps (``mask`` False) contribute nothing, and a
sequence with no valid step aggregates to zeros.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


def masked_batch_norm(bn: nn.BatchNorm1d, x: Tensor, valid: Tensor) -> Tensor:
    """Batch norm whose statistics come from valid rows only; invalid rows come back as zeros.

    Args:
        bn: the batch-norm module (its running stats are updated from valid rows).
        x: [N, C] rows.
        valid: bool [N].

    Returns:
        [N, C] normalised rows.
    """
    n_valid = int(valid.sum())
    if n_valid == x.shape[0] and (n_valid > 1 or not bn.training):
        return bn(x)
    out = torch.zeros_like(x)
    if n_valid > 1 or (n_valid == 1 and not bn.training):
        out[valid] = bn(x[valid])
    elif n_valid == 1:
        # One row cannot give batch statistics: normalise with the running ones.
        rows = x[valid]
        out[valid] = F.batch_norm(rows, bn.running_mean, bn.running_var, bn.weight, bn.bias, eps=bn.eps)
    return out


class NeXtVLAD(nn.Module):
    """NeXtVLAD pooling.

    Args:
        input_dim: feature size of each step.
        clusters: number of cluster centres K.
        expansion: width multiplier lambda of the first projection.
        groups: number of groups G; ``expansion * input_dim`` must divide by it.

    Shapes:
        forward(x [B, T, input_dim], mask bool [B, T]) -> [B, K * expansion * input_dim / G]
    """

    def __init__(self, input_dim: int, clusters: int = 64, expansion: int = 2, groups: int = 8) -> None:
        super().__init__()
        if (expansion * input_dim) % groups:
            raise ValueError(f"expansion*input_dim={expansion * input_dim} not divisible by groups={groups}")
        self.input_dim = input_dim
        self.clusters = clusters
        self.expansion = expansion
        self.groups = groups
        self.group_dim = expansion * input_dim // groups
        self.output_dim = clusters * self.group_dim

        self.expand = nn.Linear(input_dim, expansion * input_dim)
        self.attention = nn.Linear(expansion * input_dim, groups)
        self.assign = nn.Linear(expansion * input_dim, groups * clusters, bias=False)
        self.assign_bn = nn.BatchNorm1d(groups * clusters)
        self.centroids = nn.Parameter(torch.randn(self.group_dim, clusters) / self.group_dim**0.5)

    def forward(self, x: Tensor, mask: Tensor | None = None) -> Tensor:
        b, t, _ = x.shape
        if mask is None:
            mask = torch.ones(b, t, dtype=torch.bool, device=x.device)
        x = self.expand(x)  # [B, T, lambda*N]
        attn = torch.sigmoid(self.attention(x)) * mask.unsqueeze(-1).to(x.dtype)  # [B, T, G]

        logits = self.assign(x).reshape(b * t, -1)
        logits = masked_batch_norm(self.assign_bn, logits, mask.reshape(-1))
        assign = F.softmax(logits.reshape(b, t * self.groups, self.clusters), dim=-1)
        assign = assign * attn.reshape(b, t * self.groups, 1)  # [B, T*G, K]

        feats = x.reshape(b, t * self.groups, self.group_dim)  # [B, T*G, D/G]
        vlad = torch.einsum("bmk,bmd->bdk", assign, feats)  # [B, D/G, K]
        vlad = vlad - assign.sum(dim=1, keepdim=True) * self.centroids  # residuals to the centres
        vlad = F.normalize(vlad, p=2, dim=1)  # intra-normalisation per cluster
        return vlad.reshape(b, self.output_dim)
