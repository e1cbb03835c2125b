"""Train / validation / test splits of a taxonomy's final-labeled clips.

A clip gets its split the first time training sees it, and keeps it: the split is stored (`ClipSplit`),
so a clip that a model was judged on never turns into one it learned from, whatever clips come later or
however the sizes are set then. New clips are stratified by their category: each goes to the split
furthest below its share among that category's clips, ties broken by a hash of the clip (not by the
order of ids), so every category reaches validation and test as soon as it has a few clips.
"""

from __future__ import annotations

import hashlib
from collections import Counter, defaultdict

from django.conf import settings
from django.db import transaction

from classifier.choices import Split
from classifier.models import ClipSplit


def split_shares() -> dict[str, float]:
    validation, test = settings.CLIPCAT_SPLIT_VALIDATION, settings.CLIPCAT_SPLIT_TEST
    if validation < 0 or test < 0 or validation + test >= 1:
        raise ValueError("CLIPCAT_SPLIT_VALIDATION and CLIPCAT_SPLIT_TEST must be >= 0 and add up to less than 1.")
    return {Split.TRAIN: 1.0 - validation - test, Split.VALIDATION: validation, Split.TEST: test}


def _clip_hash(taxonomy_id: int, clip_id: int | str) -> str:
    return hashlib.sha256(f"{taxonomy_id}:{clip_id}".encode()).hexdigest()


def choose_splits(
    existing: dict[int, tuple[str, str]], new: list[tuple[int, str]], shares: dict[str, float], taxonomy_id: int
) -> dict[int, str]:
    """Splits for `new` (clip id, category code) pairs, given `existing` {clip id: (split, code)}.

    Each new clip of a category goes to the split with the largest deficit, share * (count after it)
    minus the clips the split already has; the order of new clips is their hash, so the outcome does not
    depend on which clips arrived in one batch. Pure: no database."""
    counts: dict[str, Counter] = defaultdict(Counter)
    for split, code in existing.values():
        counts[code][split] += 1
    chosen: dict[int, str] = {}
    for clip_id, code in sorted(new, key=lambda row: _clip_hash(taxonomy_id, row[0])):
        have = counts[code]
        total = sum(have.values()) + 1
        split = max(
            shares, key=lambda s: (round(shares[s] * total - have[s], 9), _clip_hash(taxonomy_id, f"{clip_id}:{s}"))
        )
        have[split] += 1
        chosen[clip_id] = split
    return chosen


def splits_for(*, taxonomy_id: int, examples: list[tuple[int, str]]) -> dict[int, str]:
    """{clip id: split} for training examples (clip id, category code), assigning and storing the splits
    of clips seen for the first time. Safe against a concurrent run: the first stored assignment wins."""
    ids = [clip_id for clip_id, _ in examples]
    existing = {
        row.clip_id: (row.split, row.category_code)
        for row in ClipSplit.objects.filter(taxonomy_id=taxonomy_id).only("clip_id", "split", "category_code")
    }
    new = [(clip_id, code) for clip_id, code in examples if clip_id not in existing]
    if new:
        chosen = choose_splits(existing, new, split_shares(), taxonomy_id)
        codes = dict(new)
        with transaction.atomic():
            ClipSplit.objects.bulk_create(
                [
                    ClipSplit(taxonomy_id=taxonomy_id, clip_id=c, split=s, category_code=codes[c])
                    for c, s in chosen.items()
                ],
                ignore_conflicts=True,
                batch_size=2000,
            )
        existing = dict(
            ClipSplit.objects.filter(taxonomy_id=taxonomy_id, clip_id__in=ids).values_list("clip_id", "split")
        )
        return {clip_id: existing[clip_id] for clip_id in ids}
    return {clip_id: existing[clip_id][0] for clip_id in ids}


def clip_ids_in_split(*, taxonomy_id: int, split: str) -> set[int]:
    return set(ClipSplit.objects.filter(taxonomy_id=taxonomy_id, split=split).values_list("clip_id", flat=True))
