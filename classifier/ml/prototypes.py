"""Prototype (nearest class mean, cosine) classifier for categories that have only a few labels.

A new category gets a prototype = the normalised mean of its labelled clips' embeddings, and is
suggested by cosine similarity until the next retraining gives it a head row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor


class PrototypeClassifier:
    """Cosine similarity to per-category mean embeddings.

    Args:
        codes: category codes, one per prototype row.
        prototypes: [P, D] (normalised here).
        counts: number of labelled clips behind each prototype.
    """

    def __init__(self, codes: Sequence[str], prototypes: Tensor, counts: Sequence[int] | None = None) -> None:
        if len(codes) != prototypes.shape[0] or len(set(codes)) != len(codes):
            raise ValueError("codes must be unique and match the prototype rows")
        self.codes = list(codes)
        self.prototypes = F.normalize(prototypes.detach().float(), dim=1)
        self.counts = list(counts) if counts is not None else [0] * len(codes)

    @classmethod
    def fit(cls, embeddings: Mapping[str, Tensor]) -> PrototypeClassifier:
        """Build from {code: [n_i, D] embeddings of the clips labelled with it} (n_i >= 1)."""
        if not embeddings:
            raise ValueError("no categories given")
        codes, protos, counts = [], [], []
        for code, emb in embeddings.items():
            if emb.dim() != 2 or emb.shape[0] == 0:
                raise ValueError(f"{code!r}: need [n >= 1, D] embeddings")
            codes.append(code)
            protos.append(F.normalize(emb.float(), dim=1).mean(dim=0))
            counts.append(emb.shape[0])
        return cls(codes, torch.stack(protos), counts)

    def add(self, code: str, embeddings: Tensor) -> None:
        """Add (or update with more clips) the prototype of one category."""
        emb = F.normalize(embeddings.float(), dim=1)
        if code in self.codes:
            i = self.codes.index(code)
            n = self.counts[i]
            total = self.prototypes[i] * n + emb.sum(dim=0)  # running mean of normalised embeddings
            self.prototypes[i] = F.normalize(total / (n + emb.shape[0]), dim=0)
            self.counts[i] = n + emb.shape[0]
        else:
            self.codes.append(code)
            self.prototypes = torch.cat([self.prototypes, F.normalize(emb.mean(dim=0), dim=0)[None]])
            self.counts.append(emb.shape[0])

    def scores(self, embeddings: Tensor) -> Tensor:
        """Cosine similarity [B, P] of clip embeddings [B, D] to every prototype."""
        return F.normalize(embeddings.float(), dim=1) @ self.prototypes.T

    def predict(self, embeddings: Tensor, k: int = 1, min_similarity: float = -1.0) -> list[list[tuple[str, float]]]:
        """Top-k (code, cosine) per clip, dropping those below ``min_similarity``."""
        top = self.scores(embeddings).topk(min(k, len(self.codes)), dim=1)
        return [
            [(self.codes[j], s) for s, j in zip(vals.tolist(), idx.tolist(), strict=True) if s >= min_similarity]
            for vals, idx in zip(top.values, top.indices, strict=True)
        ]

    def to_dict(self) -> dict[str, Any]:
        return {"codes": self.codes, "prototypes": self.prototypes.tolist(), "counts": self.counts}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PrototypeClassifier:
        return cls(data["codes"], torch.tensor(data["prototypes"], dtype=torch.float32), data["counts"])
