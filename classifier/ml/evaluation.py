"""Metrics of a model on labelled clips, each with its sample size and a 95% interval.

Works from logits (already calibrated, where a calibration exists), so the same numbers come out of a
training run, `manage.py evaluate` and the benchmark. Proportions (hit@1, per-level accuracy) get Wilson
intervals; the other metrics (GAP@20, macro-F1, hierarchical F1, ECE) a percentile bootstrap over clips.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch
from torch import Tensor

from . import metrics as M
from .labels import END, IGNORE, LabelSpace
from .stats import bootstrap_interval, wilson_interval

N_BOOT = 500
PROPORTIONS = ("hit_at_1",)  # and accuracy_level{i}


def metrics_from_logits(
    logits: Mapping[str, Tensor],
    targets: Tensor,
    label_space: LabelSpace,
    report: bool = False,
    intervals: bool = True,
    n_boot: int = N_BOOT,
) -> dict[str, Any]:
    """hit@1, GAP@20, per-level accuracy, macro-F1, hierarchical F1 and ECE over the clips with a label.

    Args:
        logits: {"level1": [N, C1], ...}.
        targets: long [N, depth], ``IGNORE`` where unknown; rows without any label are left out.
        label_space: decodes the paths.
        report: add "per_category" (precision, recall, F1 and support per leaf path).
        intervals: add "intervals" {metric: [low, high]} (95%).

    Returns:
        "count" (the sample size of every figure), the metrics, "correct" (per clip, 1 if the best path
        is right: what a paired comparison needs), "clip_index" (the rows of ``targets`` they stand for).
    """
    keep = torch.nonzero((targets != IGNORE).any(dim=1))[:, 0]
    out: dict[str, Any] = {"count": len(keep)}
    if len(keep) == 0:
        return out
    logits = {k: v[keep].float() for k, v in logits.items()}
    targets = targets[keep]
    path_lp = label_space.path_log_probs(logits)
    pred_path = path_lp.argmax(dim=1)
    pred_levels = label_space.path_index[pred_path]
    consistent = ((label_space.path_index[None] == targets[:, None]) | (targets[:, None] == IGNORE)).all(-1)
    scores, positives = path_lp.exp().numpy(), consistent.numpy()
    n = len(keep)
    correct = positives[np.arange(n), pred_path.numpy()].astype(np.int8)
    confidence = scores.max(axis=1)
    out["hit_at_1"] = float(correct.mean())
    ci: dict[str, list[float]] = {"hit_at_1": list(wilson_interval(int(correct.sum()), n))}
    for level in range(label_space.depth):
        known = targets[:, level] != IGNORE
        right = (pred_levels[:, level] == targets[:, level])[known].numpy()
        out[f"accuracy_level{level + 1}"] = float(right.mean()) if right.size else 0.0
        ci[f"accuracy_level{level + 1}"] = list(wilson_interval(int(right.sum()), int(right.size)))
    out["gap_at_20"] = M.gap_at_k(scores, positives, k=20)
    out["ece"] = M.expected_calibration_error(confidence, correct)
    true_leaf = np.where(positives.sum(1) == 1, positives.argmax(1), -1)
    num_paths = len(label_space.leaf_paths)
    out["macro_f1"] = M.macro_f1(true_leaf, pred_path.numpy(), num_paths)
    true_nodes = [_nodes(label_space, t) for t in targets]
    pred_nodes = [_nodes(label_space, p) for p in pred_levels]
    out["hierarchical_f1"] = M.hierarchical_f1(true_nodes, pred_nodes)
    if intervals:
        rows = np.arange(n)
        ci["gap_at_20"] = _boot(rows, lambda r: M.gap_at_k(scores[r], positives[r], k=20), n_boot)
        ci["ece"] = _boot(rows, lambda r: M.expected_calibration_error(confidence[r], correct[r]), n_boot)
        ci["macro_f1"] = _boot(rows, lambda r: M.macro_f1(true_leaf[r], pred_path.numpy()[r], num_paths), n_boot)
        counts = np.array([_overlap(t, p) for t, p in zip(true_nodes, pred_nodes, strict=True)], dtype=np.float64)
        ci["hierarchical_f1"] = _boot(counts, _micro_f1, n_boot)
        out["intervals"] = {k: [round(float(lo), 4), round(float(hi), 4)] for k, (lo, hi) in ci.items()}
    out["correct"] = correct.tolist()
    out["clip_index"] = keep.tolist()
    if report:
        codes = ["/".join(p) for p in label_space.leaf_paths]
        out["per_category"] = M.per_category_report(true_leaf, pred_path.numpy(), codes)
    return out


def _nodes(label_space: LabelSpace, row: Tensor) -> list[str]:
    return [
        label_space.level_codes[lv][int(i)]
        for lv, i in enumerate(row)
        if i != IGNORE and label_space.level_codes[lv][int(i)] != END
    ]


def _overlap(true: list[str], pred: list[str]) -> tuple[int, int, int]:
    return len(set(true) & set(pred)), len(pred), len(true)


def _micro_f1(counts: np.ndarray) -> float:
    inter, n_pred, n_true = counts.sum(axis=0)
    if inter == 0:
        return 0.0
    precision, recall = inter / n_pred, inter / n_true
    return float(2 * precision * recall / (precision + recall))


def _boot(values: np.ndarray, statistic, n_boot: int) -> list[float]:
    low, high = bootstrap_interval(values, statistic, n_boot=n_boot, seed=0)
    return [float(low), float(high)]


def judged(metrics: Mapping[str, Any], minimum: int) -> dict[str, Any]:
    """The stored form of test metrics: the figures, their intervals, "count", and "meaningful" (False
    below `minimum` clips: pages then say the figure is not yet meaningful). Per-clip vectors are dropped."""
    out = {k: v for k, v in metrics.items() if k not in ("correct", "clip_index")}
    out["meaningful"] = int(metrics.get("count", 0)) >= minimum
    out["min_count"] = minimum
    return out
