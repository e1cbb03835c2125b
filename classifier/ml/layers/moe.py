"""Mixture of logistic experts with a softmax gate (YouTube-8M starter code, Abu-El-Haija et al. 2016).

For class c: ``p_c = sum_e g_ce * sigmoid(z_ce)`` with gate ``g_c = softmax([a_c1..a_cE, a_c0])``, the
last gate entry belonging to a dummy expert that always says 0. The layer returns the logit of p_c,
computed in log space so it stays finite, plus a per-class bias; the bias is what head mapping
across taxonomy releases adjusts (merge: log-sum, split: minus log n).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn


class MixtureOfExperts(nn.Module):
    """Per-class mixture of logistic experts.

    Args:
        input_dim: size of the input embedding.
        num_classes: number of output classes.
        num_experts: experts per class (a dummy "always 0" expert is added to the gate).

    Shapes:
        forward(x [B, input_dim]) -> logits [B, num_classes]; ``sigmoid(logits)`` is p_c.
    """

    def __init__(self, input_dim: int, num_classes: int, num_experts: int = 2) -> None:
        super().__init__()
        self.input_dim = input_dim
        self.num_classes = num_classes
        self.num_experts = num_experts
        self.gate = nn.Linear(input_dim, num_classes * (num_experts + 1))
        self.experts = nn.Linear(input_dim, num_classes * num_experts)
        self.class_bias = nn.Parameter(torch.zeros(num_classes))

    def forward(self, x: Tensor) -> Tensor:
        b = x.shape[0]
        log_gate = F.log_softmax(self.gate(x).view(b, self.num_classes, self.num_experts + 1), dim=-1)
        z = self.experts(x).view(b, self.num_classes, self.num_experts)
        log_p = torch.logsumexp(log_gate[..., :-1] + F.logsigmoid(z), dim=-1)
        # 1 - p = sum_e g_e * sigmoid(-z_e) + g_dummy
        terms = torch.cat([log_gate[..., :-1] + F.logsigmoid(-z), log_gate[..., -1:]], dim=-1)
        log_q = torch.logsumexp(terms, dim=-1)
        return log_p - log_q + self.class_bias

    def class_params(self) -> dict[str, Tensor]:
        """Parameters grouped per class (detached copies), for remapping classes.

        Returns:
            dict of tensors whose first dimension is the class index.
        """
        c, e, d = self.num_classes, self.num_experts, self.input_dim
        return {
            "gate_weight": self.gate.weight.detach().view(c, e + 1, d).clone(),
            "gate_bias": self.gate.bias.detach().view(c, e + 1).clone(),
            "expert_weight": self.experts.weight.detach().view(c, e, d).clone(),
            "expert_bias": self.experts.bias.detach().view(c, e).clone(),
            "class_bias": self.class_bias.detach().clone(),
        }

    @torch.no_grad()
    def load_class_params(self, params: dict[str, Tensor]) -> None:
        """Inverse of ``class_params``; shapes must match this layer."""
        c = self.num_classes
        self.gate.weight.copy_(params["gate_weight"].reshape(c * (self.num_experts + 1), self.input_dim))
        self.gate.bias.copy_(params["gate_bias"].reshape(-1))
        self.experts.weight.copy_(params["expert_weight"].reshape(c * self.num_experts, self.input_dim))
        self.experts.bias.copy_(params["expert_bias"].reshape(-1))
        self.class_bias.copy_(params["class_bias"])
