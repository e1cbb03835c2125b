"""Confidence intervals: hand-checked values and coverage on simulated data."""

import json
import math

import numpy as np
import pytest

from classifier.ml.stats import bootstrap_interval, metric_with_interval, paired_difference, wilson_interval


def test_wilson_textbook_values_and_edges():
    low, high = wilson_interval(8, 10)
    assert (round(low, 3), round(high, 3)) == (0.490, 0.943)  # the textbook 95% interval for 8/10
    low, high = wilson_interval(0, 10)
    assert low == 0.0 and high == pytest.approx(0.2775, abs=1e-4)
    low, high = wilson_interval(10, 10)
    assert high == 1.0 and low == pytest.approx(0.7225, abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    narrow, wide = wilson_interval(50, 100, z=1.0), wilson_interval(50, 100, z=2.576)
    assert wide[0] < narrow[0] < 0.5 < narrow[1] < wide[1]
    for bad in ((11, 10), (-1, 10), (0, -1)):
        with pytest.raises(ValueError):
            wilson_interval(*bad)


def test_wilson_covers_95_percent_of_simulated_binomials():
    rng = np.random.default_rng(0)
    for n, p in ((50, 0.3), (200, 0.85)):
        draws = rng.binomial(n, p, size=2000)
        covered = [low <= p <= high for low, high in (wilson_interval(int(k), n) for k in draws)]
        assert 0.92 <= np.mean(covered) <= 0.98


def test_bootstrap_matches_the_normal_interval_of_a_mean_and_is_seeded():
    values = np.random.default_rng(1).normal(10.0, 2.0, size=400)
    low, high = bootstrap_interval(values, n_boot=2000, seed=3)
    se = values.std() / math.sqrt(len(values))
    assert low == pytest.approx(values.mean() - 1.96 * se, abs=0.25 * se)
    assert high == pytest.approx(values.mean() + 1.96 * se, abs=0.25 * se)
    assert bootstrap_interval(values, n_boot=2000, seed=3) == (low, high)
    assert bootstrap_interval(values, n_boot=2000, seed=4) != (low, high)
    assert bootstrap_interval(np.full(20, 0.7)) == pytest.approx((0.7, 0.7))
    assert all(math.isnan(v) for v in bootstrap_interval(np.array([])))


def test_bootstrap_resamples_whole_rows_of_2d_input():
    # column 1 is always column 0 + 1: whichever rows are drawn, the difference is exactly 1
    a = np.random.default_rng(2).normal(size=100)
    pairs = np.stack([a, a + 1.0], axis=1)
    low, high = bootstrap_interval(pairs, statistic=lambda x: float(np.mean(x[:, 1] - x[:, 0])), n_boot=200)
    assert low == pytest.approx(1.0) and high == pytest.approx(1.0)
    low, high = bootstrap_interval(pairs, statistic=lambda x: float(np.median(x[:, 0])), n_boot=200)
    assert low < np.median(a) < high


def test_bootstrap_interval_covers_the_true_mean():
    rng = np.random.default_rng(5)
    covered = []
    for seed in range(300):
        sample = rng.exponential(1.0, size=100)
        low, high = bootstrap_interval(sample, n_boot=400, seed=seed)
        covered.append(low <= 1.0 <= high)
    assert 0.88 <= np.mean(covered) <= 0.98  # the percentile bootstrap undercovers a little on skewed data


def test_paired_difference_sees_a_small_consistent_loss_that_separate_intervals_miss():
    rng = np.random.default_rng(0)
    old = (rng.random(200) < 0.7).astype(int)
    new = old.copy()
    new[np.nonzero(old)[0][:5]] = 0  # the new model loses 5 clips and gains none
    result = paired_difference(new, old)
    assert result["n"] == 200 and result["diff"] == pytest.approx(-5 / 200)
    assert result["new"] == pytest.approx(new.mean()) and result["old"] == pytest.approx(old.mean())
    assert result["low"] < result["diff"] < result["high"] < 0 and result["worse"] is True
    # the two unpaired intervals overlap widely: only the pairing shows the loss
    new_ci, old_ci = metric_with_interval(new), metric_with_interval(old)
    assert new_ci["high"] > old_ci["low"] + 0.1
    json.dumps(result)


def test_paired_difference_of_equal_or_noisy_models_is_not_worse():
    same = np.array([1, 0, 1, 1, 0, 1] * 20)
    result = paired_difference(same, same)
    assert result["diff"] == result["low"] == result["high"] == 0.0 and result["worse"] is False
    rng = np.random.default_rng(3)
    old, new = rng.random(150) < 0.6, rng.random(150) < 0.6  # unrelated models of equal skill
    noisy = paired_difference(new, old, n_boot=1000, seed=1)
    assert noisy["low"] < noisy["diff"] < 0 < noisy["high"] and noisy["worse"] is False  # behind, within noise
    assert paired_difference(new, old, seed=1) == paired_difference(new, old, seed=1)
    empty = paired_difference(np.array([]), np.array([]))
    assert empty["n"] == 0 and empty["worse"] is False and math.isnan(empty["diff"])
    with pytest.raises(ValueError):
        paired_difference(np.ones(3), np.ones(4))


def test_paired_difference_covers_the_true_difference():
    rng = np.random.default_rng(7)
    truth = 0.05 - 0.05**2 / 2  # E[min(s + 0.05, 1) - s] for s ~ U(0, 1)
    covered = []
    for seed in range(300):
        skill = rng.random(120)  # per-clip difficulty shared by both models
        old = rng.random(120) < skill
        new = rng.random(120) < np.clip(skill + 0.05, 0, 1)
        result = paired_difference(new, old, n_boot=500, seed=seed)
        covered.append(result["low"] <= truth <= result["high"])
    assert 0.90 <= np.mean(covered) <= 0.99


def test_metric_with_interval():
    result = metric_with_interval(np.array([1] * 8 + [0] * 2))
    assert result["value"] == 0.8 and result["n"] == 10
    assert (round(result["low"], 3), round(result["high"], 3)) == (0.490, 0.943)
    assert metric_with_interval(np.array([True, False]))["value"] == 0.5
    assert metric_with_interval(np.array([])) == {"value": 0.0, "low": 0.0, "high": 1.0, "n": 0}
    json.dumps(metric_with_interval(np.ones(3)))
    with pytest.raises(ValueError):
        metric_with_interval(np.array([0.5, 1.0]))
