"""Program classification: which long-form program (show, film) a clip comes from.

Each program has reference embeddings (clips already associated with it); a clip is matched to the
programs whose closest reference is most similar (cosine), top-k with the similarity.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import torch
import torch.nn.functional as F
from torch import Tensor


class ProgramMatcher:
    """Nearest-reference matcher.

    Args:
        references: {program_id: [n_i, D] reference embeddings}, n_i >= 1.
    """

    def __init__(self, references: Mapping[str | int, Tensor]) -> None:
        if not references:
            raise ValueError("no programs given")
        self.program_ids: list[str | int] = []
        owners, rows = [], []
        for i, (pid, emb) in enumerate(references.items()):
            if emb.dim() != 2 or emb.shape[0] == 0:
                raise ValueError(f"program {pid!r}: need [n >= 1, D] embeddings")
            self.program_ids.append(pid)
            rows.append(F.normalize(emb.detach().float(), dim=1))
            owners.append(torch.full((emb.shape[0],), i, dtype=torch.long))
        self.references = torch.cat(rows)
        self.owner = torch.cat(owners)

    def similarities(self, embeddings: Tensor) -> Tensor:
        """[B, num_programs]: per program, the best cosine similarity over its references."""
        sims = F.normalize(embeddings.float(), dim=1) @ self.references.T  # [B, R]
        out = sims.new_full((sims.shape[0], len(self.program_ids)), -2.0)
        return out.scatter_reduce(1, self.owner.expand_as(sims), sims, reduce="amax", include_self=True)

    def match(
        self, embeddings: Tensor, k: int = 5, min_similarity: float = -1.0
    ) -> list[list[tuple[str | int, float]]]:
        """Top-k (program_id, similarity) per clip, best first, above ``min_similarity``."""
        top = self.similarities(embeddings).topk(min(k, len(self.program_ids)), dim=1)
        return [
            [(self.program_ids[j], s) for s, j in zip(vals.tolist(), idx.tolist(), strict=True) if s >= min_similarity]
            for vals, idx in zip(top.values, top.indices, strict=True)
        ]

    @property
    def ids(self) -> Sequence[str | int]:
        return tuple(self.program_ids)
