"""Evaluation metrics on numpy arrays: hit@1, GAP@k (YouTube-8M), accuracy, macro-F1, hierarchical
F1, expected calibration error, per-category report and confusion matrix."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np


def _as_multi_hot(labels: np.ndarray, num_classes: int) -> np.ndarray:
    labels = np.asarray(labels)
    if labels.ndim == 2:
        return labels.astype(bool)
    out = np.zeros((labels.shape[0], num_classes), dtype=bool)
    valid = labels >= 0
    out[np.nonzero(valid)[0], labels[valid]] = True
    return out


def hit_at_1(scores: np.ndarray, labels: np.ndarray) -> float:
    """Share of items whose top-scored class is a positive.

    Args:
        scores: [N, C].
        labels: [N] class indices or [N, C] multi-hot.

    Returns:
        hit@1 in [0, 1] (0.0 for no items).
    """
    scores = np.asarray(scores)
    if scores.shape[0] == 0:
        return 0.0
    positives = _as_multi_hot(labels, scores.shape[1])
    top = scores.argmax(axis=1)
    return float(positives[np.arange(len(top)), top].mean())


def gap_at_k(scores: np.ndarray, labels: np.ndarray, k: int = 20) -> float:
    """Global average precision of the top-k predictions per item (YouTube-8M definition).

    The top-k (class, score) pairs of every item are pooled and sorted by score;
    GAP = sum_i precision(i) * rel(i) / (total number of positive labels).

    Args:
        scores: [N, C].
        labels: [N] class indices or [N, C] multi-hot.
        k: predictions kept per item.

    Returns:
        GAP in [0, 1].
    """
    scores = np.asarray(scores, dtype=np.float64)
    positives = _as_multi_hot(labels, scores.shape[1])
    total = positives.sum()
    if total == 0:
        return 0.0
    k = min(k, scores.shape[1])
    top = np.argsort(-scores, axis=1, kind="stable")[:, :k]
    rows = np.arange(scores.shape[0])[:, None]
    pooled_scores = scores[rows, top].ravel()
    pooled_rel = positives[rows, top].ravel()
    order = np.argsort(-pooled_scores, kind="stable")
    rel = pooled_rel[order]
    precision = np.cumsum(rel) / np.arange(1, len(rel) + 1)
    return float((precision * rel).sum() / total)


def accuracy(y_true: np.ndarray, y_pred: np.ndarray, ignore: int = -1) -> float:
    """Accuracy over items whose true label is not ``ignore`` (0.0 if there are none)."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    valid = y_true != ignore
    return float((y_true[valid] == y_pred[valid]).mean()) if valid.any() else 0.0


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int, ignore: int = -1) -> np.ndarray:
    """[num_classes, num_classes] counts, rows = true class, columns = predicted class."""
    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    valid = y_true != ignore
    flat = y_true[valid] * num_classes + y_pred[valid]
    return np.bincount(flat, minlength=num_classes * num_classes).reshape(num_classes, num_classes)


def _prf(cm: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = np.diag(cm).astype(np.float64)
    pred = cm.sum(axis=0)
    true = cm.sum(axis=1)
    precision = np.divide(tp, pred, out=np.zeros_like(tp), where=pred > 0)
    recall = np.divide(tp, true, out=np.zeros_like(tp), where=true > 0)
    denom = precision + recall
    f1 = np.divide(2 * precision * recall, denom, out=np.zeros_like(tp), where=denom > 0)
    return precision, recall, f1


def macro_f1(y_true: np.ndarray, y_pred: np.ndarray, num_classes: int, ignore: int = -1) -> float:
    """Mean F1 over the classes that occur in the truth or the predictions."""
    cm = confusion_matrix(y_true, y_pred, num_classes, ignore)
    _, _, f1 = _prf(cm)
    seen = (cm.sum(axis=0) + cm.sum(axis=1)) > 0
    return float(f1[seen].mean()) if seen.any() else 0.0


def per_category_report(
    y_true: np.ndarray, y_pred: np.ndarray, codes: Sequence[str], ignore: int = -1
) -> list[dict[str, float | int | str]]:
    """Precision, recall, F1 and support of every class.

    Returns:
        one dict per class: {"code", "support", "predicted", "precision", "recall", "f1"}.
    """
    cm = confusion_matrix(y_true, y_pred, len(codes), ignore)
    precision, recall, f1 = _prf(cm)
    return [
        {
            "code": code,
            "support": int(cm[i].sum()),
            "predicted": int(cm[:, i].sum()),
            "precision": float(precision[i]),
            "recall": float(recall[i]),
            "f1": float(f1[i]),
        }
        for i, code in enumerate(codes)
    ]


def hierarchical_f1(true_paths: Iterable[Sequence[str]], pred_paths: Iterable[Sequence[str]]) -> float:
    """Hierarchical F1 (Kiritchenko et al. 2005): label sets extended with their ancestors.

    hP = sum |T_i & P_i| / sum |P_i|, hR = sum |T_i & P_i| / sum |T_i|, hF = 2 hP hR / (hP + hR).
    Paths are root-first code sequences, so a path already is the node plus its ancestors.
    """
    inter = n_true = n_pred = 0
    for t, p in zip(true_paths, pred_paths, strict=True):
        t, p = set(t), set(p)
        inter += len(t & p)
        n_true += len(t)
        n_pred += len(p)
    if inter == 0:
        return 0.0
    hp, hr = inter / n_pred, inter / n_true
    return 2 * hp * hr / (hp + hr)


def expected_calibration_error(confidence: np.ndarray, correct: np.ndarray, n_bins: int = 15) -> float:
    """ECE with equal-width confidence bins: sum_b |B_b|/N * |accuracy(B_b) - confidence(B_b)|.

    Args:
        confidence: [N] probability of the predicted label.
        correct: [N] whether the prediction was right.
        n_bins: bins over (0, 1]; a confidence of exactly 0 goes to the first bin.
    """
    confidence = np.asarray(confidence, dtype=np.float64)
    correct = np.asarray(correct, dtype=np.float64)
    if confidence.size == 0:
        return 0.0
    bins = np.clip(np.ceil(confidence * n_bins).astype(int) - 1, 0, n_bins - 1)
    ece = 0.0
    for b in range(n_bins):
        members = bins == b
        if members.any():
            ece += members.mean() * abs(correct[members].mean() - confidence[members].mean())
    return float(ece)
