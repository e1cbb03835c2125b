"""Active-learning pick at scale: how long choosing the next 100 clips to label takes at 10k, 100k and
1M predictions, per strategy. The uncertainty measures are indexed columns, so the uncertainty strategies
are an index scan; diversity and the balanced mix work on a pool of the 2,000 most uncertain.
Target on a 2-core machine: <= 200 ms at 1M predictions.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/active_learning.py
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
from _django import setup
from _world import ready_clip_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    where = setup("active_learning")

    from django.db import connection

    from classifier.active_learning import pick
    from classifier.choices import ModelStatus, Strategy
    from classifier.models import ModelVersion, Prediction
    from taxonomy import services as tax

    print(f"database: {where}")
    taxonomy = tax.taxonomy_create(name="Bench AL")
    cats = []
    for r in range(4):
        root = tax.category_add(taxonomy=taxonomy, name=f"Root {r}")
        for m in range(5):
            mid = tax.category_add(taxonomy=taxonomy, name=f"Mid {r}.{m}", parent=root)
            cats += [tax.category_add(taxonomy=taxonomy, name=f"Leaf {r}.{m}.{i}", parent=mid) for i in range(5)]
    release = tax.release_publish(taxonomy=taxonomy)
    rng = np.random.default_rng(0)
    made = 0
    for size in sorted(args.sizes):
        version = ModelVersion.objects.create(
            taxonomy=taxonomy, release=release, number=size, status=ModelStatus.READY, artifact=""
        )
        t0 = time.perf_counter()
        batch = 20_000
        for start in range(0, size, batch):
            n = min(batch, size - start)
            clip_ids = ready_clip_rows(n, f"c{made}")
            made += n
            p = rng.dirichlet(np.ones(8), size=n)
            p.sort(axis=1)
            emb = rng.standard_normal((n, 64)).astype(np.float16)
            Prediction.objects.bulk_create(
                [
                    Prediction(
                        clip_id=clip_id,
                        model_version=version,
                        category=cats[int(rng.integers(len(cats)))],
                        path=[],
                        confidence=float(p[i, -1]),
                        least_confidence=float(1 - p[i, -1]),
                        margin=float(p[i, -1] - p[i, -2]),
                        entropy=float(-(p[i] * np.log(p[i])).sum() / np.log(8)),
                        embedding=emb[i].tobytes(),
                    )
                    for i, clip_id in enumerate(clip_ids)
                ],
                batch_size=5000,
            )
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE classifier_prediction")
        print(f"\n{size:,} predictions (written in {time.perf_counter() - t0:.0f} s); pick k={args.k}:")
        for strategy in Strategy:
            times = []
            for _ in range(args.repeats):
                t0 = time.perf_counter()
                chosen = pick(version=version, strategy=strategy, k=args.k)
                times.append(time.perf_counter() - t0)
            assert len(chosen) == args.k
            print(
                f"  {strategy.value:17s} median {statistics.median(times) * 1000:7.1f} ms   "
                f"max {max(times) * 1000:7.1f} ms"
            )


if __name__ == "__main__":
    main()
