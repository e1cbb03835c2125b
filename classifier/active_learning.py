"""Active learning: which clips people should label next, from the active model's predictions.

Least confidence, margin and entropy are indexed columns of `Prediction`, so ordering a million clips is
an index scan, not a loop in Python. Diversity (k-center greedy on embeddings) and the category-balanced
mix work on a candidate pool of the most uncertain clips; for a project's queue the candidates are the
clips of its open tasks, never the rest of what the model predicted.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
from django.db import transaction
from django.db.models import F, FloatField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from classifier.choices import Strategy
from classifier.models import ModelVersion, Prediction

POOL = 2000  # candidates considered by diversity and balanced
ORDER = {
    Strategy.LEAST_CONFIDENCE: "-least_confidence",
    Strategy.MARGIN: "margin",
    Strategy.ENTROPY: "-entropy",
}
SCORE = {
    Strategy.LEAST_CONFIDENCE: F("least_confidence"),
    Strategy.MARGIN: 1.0 - F("margin"),
    Strategy.ENTROPY: F("entropy"),
}


def pick(*, version: ModelVersion, strategy: str, k: int, clip_ids=None, exclude_clip_ids=None) -> list[int]:
    """The k clips to label next under a strategy (clip ids, most useful first).

    Args:
        clip_ids: only these clips are candidates (ids, or a `values("clip_id")` subquery); None: every clip
            the version predicted.
        exclude_clip_ids: clips that are never candidates.
    """
    strategy = Strategy(strategy)
    qs = Prediction.objects.filter(model_version=version)
    if clip_ids is not None:
        qs = qs.filter(clip_id__in=clip_ids)
    if exclude_clip_ids is not None:
        qs = qs.exclude(clip_id__in=exclude_clip_ids)
    if strategy in ORDER:
        return list(qs.order_by(ORDER[strategy]).values_list("clip_id", flat=True)[:k])
    pool = list(qs.order_by("-entropy").values_list("clip_id", "category_id", "entropy", "embedding")[: max(POOL, k)])
    if strategy == Strategy.BALANCED:
        return balanced(pool, k)
    return k_center_greedy(pool, k)


def balanced(pool: list[tuple], k: int) -> list[int]:
    """Round-robin over predicted categories, most uncertain first within each: no category floods the queue."""
    by_category: dict = defaultdict(list)
    for clip_id, category_id, _, _ in pool:  # pool is already most-uncertain first
        by_category[category_id].append(clip_id)
    queues = sorted(by_category.values(), key=len, reverse=True)
    out: list[int] = []
    while len(out) < k and any(queues):
        for q in queues:
            if q and len(out) < k:
                out.append(q.pop(0))
    return out


def k_center_greedy(pool: list[tuple], k: int) -> list[int]:
    """Sener & Savarese (2018): repeatedly take the clip farthest from those already taken (cosine)."""
    if not pool:
        return []
    emb = np.stack([np.frombuffer(e, dtype=np.float16).astype(np.float32) for *_, e in pool])
    emb /= np.linalg.norm(emb, axis=1, keepdims=True) + 1e-8
    chosen = [0]
    distance = 1.0 - emb @ emb[0]
    for _ in range(min(k, len(pool)) - 1):
        nxt = int(np.argmax(distance))
        chosen.append(nxt)
        distance = np.minimum(distance, 1.0 - emb @ emb[nxt])
    return [pool[i][0] for i in chosen]


@transaction.atomic
def priorities_refresh(*, project, version: ModelVersion | None) -> int:
    """Write each open task's queue priority from the model's predictions under the project's strategy."""
    from annotation.choices import TaskStatus
    from annotation.models import Task

    tasks = Task.objects.filter(project=project, status=TaskStatus.OPEN, is_gold=False)
    if version is None:
        return tasks.update(priority=0.0)
    strategy = Strategy(project.al_strategy)
    if strategy in SCORE:
        score = (
            Prediction.objects.filter(model_version=version, clip_id=OuterRef("clip_id"))
            .annotate(s=SCORE[strategy])
            .values("s")[:1]
        )
        return tasks.update(priority=Coalesce(Subquery(score, output_field=FloatField()), Value(0.0)))
    clip_ids = pick(version=version, strategy=strategy, k=POOL, clip_ids=tasks.values("clip_id"))
    ranks = {clip_id: float(len(clip_ids) - i) for i, clip_id in enumerate(clip_ids)}
    tasks.update(priority=0.0)
    changed = [t for t in tasks.filter(clip_id__in=ranks) if not setattr(t, "priority", ranks[t.clip_id])]
    Task.objects.bulk_update(changed, ["priority"], batch_size=1000)
    return len(changed)


def project_priorities_refresh(*, project_id: int) -> int:
    """Order one project's active-learning queue from its taxonomy's active model, right after it was
    created, gained tasks or changed strategy. Without an active model (or if the project no longer uses
    active learning) nothing is written: new tasks already have priority 0."""
    from annotation.choices import QueueOrder
    from annotation.models import Project
    from classifier.services.inference import active_version

    project = Project.objects.filter(pk=project_id, queue_order=QueueOrder.ACTIVE_LEARNING).first()
    if project is None:
        return 0
    version = active_version(project.taxonomy_id)
    return 0 if version is None else priorities_refresh(project=project, version=version)
