"""Query-to-categories: the text branch alone predicts categories for a search query.

The query's sentence embedding goes in as a one-sentence "text" modality; the other modalities are
absent, so the model substitutes its learned missing vectors (train with ``modality_dropout`` > 0 so
the text-only path is well calibrated).
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from classifier.ml.labels import LabelSpace


@torch.no_grad()
def predict_query(
    model: nn.Module, label_space: LabelSpace, query_embedding: Tensor, k: int = 5
) -> list[tuple[tuple[str, ...], float]]:
    """Top-k category paths for one query.

    Args:
        model: a registered model that uses the "text" modality.
        label_space: the model's label space.
        query_embedding: [D] or [S, D] sentence embedding(s) of the query.
        k: number of paths.

    Returns:
        (path, probability) pairs, best first; every path is valid in ``label_space``.
    """
    if "text" not in getattr(model, "modalities", ()):
        raise ValueError("this model has no text branch")
    emb = query_embedding.float()
    if emb.dim() == 1:
        emb = emb[None]
    device = next(model.parameters()).device
    batch = {"text": emb[None].to(device), "text_mask": torch.ones(1, emb.shape[0], dtype=torch.bool, device=device)}
    was_training = model.training
    model.eval()
    logits = model(batch)
    model.train(was_training)
    return label_space.decode(logits, k=k)[0]
