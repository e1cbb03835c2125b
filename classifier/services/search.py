"""Search: a text query -> the categories the active model's text branch predicts for it (the search use
of the category system)."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import ValidationError

from classifier import clip_features as cf
from taxonomy.models import Category, Taxonomy

from .inference import _artifact, active_version

MAX_K = 20


def categories_for_query(*, taxonomy: Taxonomy, q: str, k: int = 5) -> dict:
    """Top-k categories for a text query, from the text path alone of the taxonomy's active model.

    Returns:
        {"query", "model_version", "results": [{"id", "code", "path", "score"}]}, best first; `score` is the
        probability of the whole path.
    """
    import torch

    from classifier.ml.query import predict_query

    q = (q or "").strip()
    if not q:
        raise ValidationError({"q": "Give a query (some words)."})
    k = max(1, min(int(k), MAX_K))
    version = active_version(taxonomy.pk)
    if version is None:
        raise ValidationError({"taxonomy": f"{taxonomy.name!r} has no active model yet; train one first."})
    if not version.artifact or not Path(version.artifact).exists():
        raise ValidationError({"taxonomy": f"The artifact of model v{version.number} is missing on this server."})
    artifact = _artifact(version.artifact)
    if "text" not in getattr(artifact.model, "modalities", ()):
        raise ValidationError({"taxonomy": f"Model v{version.number} has no text branch; it cannot read queries."})
    encoder = cf.text_encoder()
    if version.text_encoder_id and version.text_encoder_id != encoder.encoder_id:
        raise ValidationError(
            {
                "taxonomy": f"Model v{version.number} was trained with text encoder {version.text_encoder_id}, "
                f"this server has {encoder.encoder_id}."
            }
        )
    embedding = torch.from_numpy(encoder.encode([q])[0])
    paths = predict_query(artifact.model, artifact.label_space, embedding, k=k)
    codes = {path[-1] for path, _ in paths if path}
    categories = {c.code: c for c in Category.objects.filter(taxonomy=taxonomy, code__in=codes)}
    results = [
        {"id": c.pk, "code": c.code, "path": c.path, "score": round(float(p), 5)}
        for path, p in paths
        if path and (c := categories.get(path[-1])) is not None
    ]
    return {"query": q, "model_version": version.number, "results": results}
