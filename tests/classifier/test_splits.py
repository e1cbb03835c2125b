"""Train / validation / test splits: stratified per category, stored once and never moved, so no clip a
model was judged on becomes a clip it learned from."""

from __future__ import annotations

from collections import Counter

import pytest

from classifier.choices import Split
from classifier.models import ClipSplit
from classifier.splits import choose_splits, splits_for

SHARES = {Split.TRAIN: 0.6, Split.VALIDATION: 0.2, Split.TEST: 0.2}


def test_every_category_is_split_in_its_proportions():
    examples = [(i, f"cat{i % 7}") for i in range(1, 701)]
    chosen = choose_splits({}, examples, SHARES, taxonomy_id=1)
    per_category = Counter((code, chosen[clip]) for clip, code in examples)
    for c in range(7):
        assert [per_category[(f"cat{c}", s)] for s in SHARES] == [60, 20, 20]


def test_a_category_reaches_validation_and_test_with_its_first_few_clips():
    chosen = choose_splits({}, [(i, "rare") for i in range(1, 6)], SHARES, taxonomy_id=1)
    assert Counter(chosen.values()) == {Split.TRAIN: 3, Split.VALIDATION: 1, Split.TEST: 1}


def test_the_outcome_does_not_depend_on_how_clips_arrive():
    examples = [(i, f"cat{i % 3}") for i in range(1, 301)]
    at_once = choose_splits({}, examples, SHARES, taxonomy_id=4)
    assert at_once == choose_splits({}, list(reversed(examples)), SHARES, taxonomy_id=4)


def test_clips_added_later_leave_earlier_splits_alone_and_keep_the_proportions():
    first = [(i, "a") for i in range(1, 51)]
    earlier = choose_splits({}, first, SHARES, taxonomy_id=1)
    later = choose_splits({c: (s, "a") for c, s in earlier.items()}, [(i, "a") for i in range(51, 101)], SHARES, 1)
    assert not set(earlier) & set(later)
    assert Counter([*earlier.values(), *later.values()]) == {Split.TRAIN: 60, Split.VALIDATION: 20, Split.TEST: 20}


def test_splits_are_stored_once_and_survive_a_change_of_sizes_or_labels(db, small_taxonomy, settings):
    from annotation.models import Clip

    clips = [
        Clip.objects.create(title=f"c{i}", file=f"clips/c{i}.mp4", checksum=f"{i:064d}", status="ready")
        for i in range(20)
    ]
    examples = [(c.pk, "match-highlights" if i % 2 else "training") for i, c in enumerate(clips)]
    first = splits_for(taxonomy_id=small_taxonomy.pk, examples=examples)
    assert ClipSplit.objects.filter(taxonomy=small_taxonomy).count() == 20
    settings.CLIPCAT_SPLIT_TEST = 0.5  # sizes changed, labels changed: stored splits stay
    relabeled = [(clip_id, "match-highlights") for clip_id, _ in examples]
    assert splits_for(taxonomy_id=small_taxonomy.pk, examples=relabeled) == first
    assert Counter(first.values())[Split.TEST] == 4  # 2 of each category's 10


def test_sizes_that_leave_nothing_to_train_on_are_refused(db, small_taxonomy, settings):
    settings.CLIPCAT_SPLIT_VALIDATION, settings.CLIPCAT_SPLIT_TEST = 0.5, 0.5
    with pytest.raises(ValueError, match="add up to less than 1"):
        splits_for(taxonomy_id=small_taxonomy.pk, examples=[(1, "training")])
