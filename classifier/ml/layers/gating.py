"""Context gating: a squeeze-and-excitation gate over the fused clip vector (Miech et al. 2017;
the SE form with a bottleneck is the one NeXtVLAD uses)."""

from __future__ import annotations

import torch
from torch import Tensor, nn


class ContextGating(nn.Module):
    """``y = x * sigmoid(W2 relu(BN(W1 x)))``.

    Args:
        dim: size of the gated vector.
        reduction: bottleneck factor of the SE gate; 1 gives the original full-rank gating.
    """

    def __init__(self, dim: int, reduction: int = 8) -> None:
        super().__init__()
        hidden = max(1, dim // reduction)
        self.squeeze = nn.Linear(dim, hidden, bias=False)
        self.bn = nn.BatchNorm1d(hidden)
        self.excite = nn.Linear(hidden, dim)

    def forward(self, x: Tensor) -> Tensor:
        gate = torch.sigmoid(self.excite(torch.relu(self.bn(self.squeeze(x)))))
        return x * gate
