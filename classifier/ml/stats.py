"""Confidence intervals for evaluation numbers (numpy only).

A held-out slice of a few hundred clips gives hit@1 to within several points, so a comparison of two
models (promotion, a category ablation) should say whether a difference is beyond that noise:
Wilson intervals for proportions, percentile bootstrap intervals for any statistic, and a paired
bootstrap for the difference of two models scored on the same clips.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

_CHUNK = 2_000_000  # resampled entries held at once by the vectorised paired bootstrap


def wilson_interval(successes: int, n: int, z: float = 1.96) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion.

    Unlike the normal approximation it stays inside [0, 1] and keeps close to its nominal coverage
    for small n and proportions near 0 or 1.

    Args:
        successes: number of successes, 0 <= successes <= n.
        n: number of trials.
        z: standard normal quantile (1.96: a 95% interval).

    Returns:
        (low, high); (0.0, 1.0) when n == 0 (nothing is known).
    """
    if n < 0 or not 0 <= successes <= n:
        raise ValueError(f"need 0 <= successes <= n, got {successes} of {n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    z2 = z * z
    denom = 1.0 + z2 / n
    centre = (p + z2 / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def bootstrap_interval(
    values: np.ndarray,
    statistic: Callable[[np.ndarray], float] = np.mean,
    n_boot: int = 1000,
    seed: int = 0,
    alpha: float = 0.05,
) -> tuple[float, float]:
    """Percentile bootstrap interval of ``statistic`` over the rows of ``values``.

    Args:
        values: [N] or [N, ...]; rows are the samples (e.g. one row per clip) and are resampled
            with replacement, whole.
        statistic: maps a resampled array of the same shape to a number.
        n_boot: bootstrap resamples.
        seed: seed of the resampling (same seed, same interval).
        alpha: 1 - confidence level (0.05: a 95% interval).

    Returns:
        (low, high), the alpha/2 and 1 - alpha/2 quantiles of the resampled statistic;
        (nan, nan) for empty input, where there is nothing to resample (proportions should use
        ``wilson_interval``, which answers (0, 1) then).
    """
    values = np.asarray(values)
    n = values.shape[0] if values.ndim else 0
    if n == 0:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    stats = np.array([float(statistic(values[rng.integers(0, n, n)])) for _ in range(n_boot)])
    low, high = np.quantile(stats, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def paired_difference(
    new_correct: np.ndarray, old_correct: np.ndarray, n_boot: int = 2000, seed: int = 0, alpha: float = 0.05
) -> dict[str, float | int | bool]:
    """Difference of two models' mean score on the same clips, with a paired bootstrap interval.

    Each resample draws clip indices once and uses them for both models, so the noise both models
    share (hard clips, easy clips) cancels: the interval is much narrower than two separate intervals
    would suggest when the models agree on most clips.

    Args:
        new_correct, old_correct: [N] per-clip scores of the two models on the same clips, in the
            same order (0/1 correctness, or any per-clip number).
        n_boot: bootstrap resamples.
        seed: seed of the resampling.
        alpha: 1 - confidence level.

    Returns:
        {"n", "new", "old", "diff" (new mean - old mean), "low", "high" (percentile interval of the
        difference), "worse" (True when high < 0: the new model is worse beyond the noise)}; for
        N == 0 the numbers are nan and "worse" is False.
    """
    new = np.asarray(new_correct, dtype=np.float64)
    old = np.asarray(old_correct, dtype=np.float64)
    if new.shape != old.shape or new.ndim != 1:
        raise ValueError(f"need two 1-D arrays of the same clips, got shapes {new.shape} and {old.shape}")
    n = new.shape[0]
    if n == 0:
        nan = float("nan")
        return {"n": 0, "new": nan, "old": nan, "diff": nan, "low": nan, "high": nan, "worse": False}
    delta = new - old  # mean(new[idx]) - mean(old[idx]) == mean(delta[idx])
    rng = np.random.default_rng(seed)
    chunk = max(1, _CHUNK // n)
    diffs = np.concatenate(
        [delta[rng.integers(0, n, (min(chunk, n_boot - start), n))].mean(axis=1) for start in range(0, n_boot, chunk)]
    )
    low, high = np.quantile(diffs, [alpha / 2, 1 - alpha / 2])
    return {
        "n": int(n),
        "new": float(new.mean()),
        "old": float(old.mean()),
        "diff": float(delta.mean()),
        "low": float(low),
        "high": float(high),
        "worse": bool(high < 0),
    }


def metric_with_interval(correct: np.ndarray) -> dict[str, float | int]:
    """A proportion with its 95% Wilson interval.

    Args:
        correct: [N] 0/1 (or bool) per clip.

    Returns:
        {"value", "low", "high", "n"}; for N == 0, value 0.0 and the interval (0.0, 1.0), so the
        result stays JSON-safe (no nan).
    """
    correct = np.asarray(correct).reshape(-1)
    if correct.size and not np.isin(correct, (0, 1)).all():
        raise ValueError("metric_with_interval takes a 0/1 vector")
    n = int(correct.size)
    successes = int(correct.astype(bool).sum())
    low, high = wilson_interval(successes, n)
    return {"value": successes / n if n else 0.0, "low": low, "high": high, "n": n}
