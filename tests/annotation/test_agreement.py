"""Agreement arithmetic against hand-computed values."""

import pytest

from annotation.agreement import (
    alpha_per_level,
    clip_agreement,
    gold_accuracy,
    krippendorff_alpha_nominal,
    partial_credit,
)

FOOT = ("sports", "football", "highlights")
FOOT_TRAIN = ("sports", "football", "training")
BASKET = ("sports", "basketball", "highlights-b")
CATS = ("nature", "animals", "cats")


def test_partial_credit():
    assert partial_credit(FOOT, FOOT) == 1.0
    assert partial_credit(FOOT, FOOT_TRAIN) == pytest.approx(2 / 3)
    assert partial_credit(FOOT, BASKET) == pytest.approx(1 / 3)
    assert partial_credit(FOOT, CATS) == 0.0
    assert partial_credit(("sports",), FOOT) == pytest.approx(1 / 3)


def test_clip_agreement_levels_and_decision():
    agree = clip_agreement([FOOT, FOOT])
    assert agree.per_level == {1: True, 2: True, 3: True} and agree.decision == FOOT and agree.partial == 1.0
    differ = clip_agreement([FOOT, FOOT_TRAIN])
    assert differ.per_level == {1: True, 2: True, 3: False}
    assert differ.decision is None and differ.partial == pytest.approx(2 / 3)
    majority = clip_agreement([FOOT, FOOT, BASKET])
    assert majority.decision == FOOT and majority.majority == 2
    tie = clip_agreement([FOOT, BASKET, CATS])
    assert tie.decision is None and tie.per_level[1] is False


def test_krippendorff_alpha_matches_the_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", nominal example: alpha = 0.743.
    # Units as columns of the reliability data matrix (observers A, B, C, D; '*' = missing).
    units = [
        ["1", "1", "1"],
        ["2", "2", "3", "2"],
        ["3", "3", "3", "3"],
        ["3", "3", "3", "3"],
        ["2", "2", "2", "2"],
        ["1", "2", "3", "4"],
        ["4", "4", "4", "4"],
        ["1", "1", "2", "1"],
        ["2", "2", "2", "2"],
        ["5", "5", "5"],
        ["1", "1"],
        ["3"],
    ]
    assert krippendorff_alpha_nominal(units) == pytest.approx(0.743, abs=0.001)


def test_alpha_undefined_and_perfect():
    assert krippendorff_alpha_nominal([["a"], ["b"]]) is None
    assert krippendorff_alpha_nominal([["a", "a"], ["b", "b"]]) == 1.0


def test_alpha_per_level_and_gold_accuracy():
    alphas = alpha_per_level([[FOOT, FOOT_TRAIN], [CATS, CATS], [BASKET, BASKET]])
    assert alphas[1] == 1.0 and alphas[2] == 1.0 and alphas[3] < 1.0
    acc = gold_accuracy([(FOOT, FOOT), (FOOT_TRAIN, FOOT), (CATS, BASKET)])
    assert acc == {1: pytest.approx(2 / 3), 2: pytest.approx(2 / 3), 3: pytest.approx(1 / 3)}
