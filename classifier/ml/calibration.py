"""Post-hoc calibration of a trained model on its validation clips: per-level temperature scaling,
open-set ("is this one of the known categories at all?") scores and thresholds, and the confidence
floor above which a prediction is pre-selected for reviewers.

Everything here is fitted on validation outputs only (no gradient reaches the model) and is stored
in the model artifact as a ``Calibration`` (plain JSON).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from classifier.ml.labels import IGNORE

T_MIN, T_MAX = 0.05, 20.0
OPEN_SET_METHODS = ("max_prob", "energy", "prototype")
_GOLDEN = (math.sqrt(5) - 1) / 2


def _level_keys(logits: Mapping[str, Tensor]) -> list[str]:
    depth = len(logits)
    keys = [f"level{i}" for i in range(1, depth + 1)]
    if set(keys) != set(logits):
        raise ValueError(f"expected logits keys {keys}, got {sorted(logits)}")
    return keys


def _nll(z: Tensor, t: Tensor, log_t: float) -> float:
    return float(F.cross_entropy(z / math.exp(log_t), t))


def fit_temperatures(logits: Mapping[str, Tensor], targets: Tensor) -> list[float]:
    """One softmax temperature per level, minimising the NLL of the validation targets.

    Each level is fitted on its rows whose target is known (``IGNORE`` rows are left out). The NLL
    of ``z / T`` is convex in 1/T, hence unimodal in log T, so a golden-section search over
    log T in [log 0.05, log 20] finds the minimum without a learning rate or a starting point;
    T is clamped to that range. A level without any known target keeps T = 1.0.

    Args:
        logits: {"level1": [N, C1], ...} raw model logits.
        targets: long [N, depth], ``IGNORE`` (-1) where unknown.

    Returns:
        temperatures, one per level (T > 1 softens an over-confident level).
    """
    keys = _level_keys(logits)
    if targets.dim() != 2 or targets.shape[1] != len(keys):
        raise ValueError(f"targets must be [N, {len(keys)}], got {tuple(targets.shape)}")
    temperatures = []
    for level, key in enumerate(keys):
        t = targets[:, level].cpu()
        known = t != IGNORE
        if not known.any():
            temperatures.append(1.0)
            continue
        z, t = logits[key].detach().cpu().double()[known], t[known]
        lo, hi = math.log(T_MIN), math.log(T_MAX)
        a, b = hi - _GOLDEN * (hi - lo), lo + _GOLDEN * (hi - lo)
        fa, fb = _nll(z, t, a), _nll(z, t, b)
        for _ in range(80):  # the bracket shrinks by 0.618 each step: far below float precision
            if fa <= fb:
                hi, b, fb = b, a, fa
                a = hi - _GOLDEN * (hi - lo)
                fa = _nll(z, t, a)
            else:
                lo, a, fa = a, b, fb
                b = lo + _GOLDEN * (hi - lo)
                fb = _nll(z, t, b)
        best = min((lo, hi, (lo + hi) / 2), key=lambda x: _nll(z, t, x))
        temperatures.append(float(min(max(math.exp(best), T_MIN), T_MAX)))
    return temperatures


def apply_temperatures(logits: Mapping[str, Tensor], temperatures: list[float]) -> dict[str, Tensor]:
    """Divide each level's logits by its temperature ("level{i}" by ``temperatures[i - 1]``)."""
    keys = _level_keys(logits)
    if len(temperatures) != len(keys):
        raise ValueError(f"{len(temperatures)} temperatures for {len(keys)} levels")
    return {key: logits[key] / float(temp) for key, temp in zip(keys, temperatures, strict=True)}


def _cosine_to_prototypes(embeddings: Tensor, prototypes: Tensor) -> Tensor:
    """[N, P] cosine similarities; empty (all-zero) prototype rows get -1, the lowest cosine."""
    emb = F.normalize(embeddings.detach().float().cpu(), dim=1)
    protos = prototypes.detach().float().cpu()
    sims = emb @ F.normalize(protos, dim=1).T
    return sims.masked_fill((protos.norm(dim=1) == 0)[None], -1.0)


def open_set_scores(
    path_log_probs: Tensor,
    logits: Mapping[str, Tensor],
    embeddings: Tensor | None = None,
    prototypes: Tensor | None = None,
) -> dict[str, np.ndarray]:
    """In-set-ness of every clip: the higher, the likelier it belongs to one of the known categories.

    Pass calibrated inputs (``apply_temperatures`` first, and path log-probabilities decoded from
    those logits) so the scores and the thresholds fitted on them agree.

    Args:
        path_log_probs: [N, P] log-probabilities over the leaf paths (``LabelSpace.path_log_probs``).
        logits: {"level1": [N, C1], ...}.
        embeddings: [N, D] clip embeddings (``model.forward_features``), optional.
        prototypes: [P, D] per-leaf-path prototypes (``class_prototypes``), optional.

    Returns:
        {"max_prob": [N] the highest path probability,
         "energy": [N] the negative free energy summed over levels, sum_l logsumexp(z_l): the
            logsumexp of the summed logits over every combination of one class per level. It uses
            the unnormalised logits (path log-probabilities are normalised and carry no scale), and
            needs no label space, at the price of also counting combinations that are no valid path,
         "prototype": [N] the highest cosine similarity to a prototype (only with embeddings and
            prototypes)}, float64 arrays.
    """
    keys = _level_keys(logits)
    out = {
        "max_prob": path_log_probs.detach().float().exp().max(dim=1).values.cpu().double().numpy(),
        "energy": sum(torch.logsumexp(logits[k].detach().double(), dim=1) for k in keys).cpu().numpy(),
    }
    if embeddings is not None and prototypes is not None:
        out["prototype"] = _cosine_to_prototypes(embeddings, prototypes).max(dim=1).values.double().numpy()
    return out


def class_prototypes(embeddings: Tensor, path_targets: Tensor, num_paths: int) -> Tensor:
    """Prototype of every leaf path: the L2-normalised mean of its clips' L2-normalised embeddings.

    Args:
        embeddings: [N, D].
        path_targets: long [N] leaf-path index, -1 where unknown (left out).
        num_paths: P, the number of leaf paths.

    Returns:
        [P, D] unit rows; all-zero rows for paths without any example (they never match).
    """
    emb = F.normalize(embeddings.detach().float().cpu(), dim=1)
    path_targets = path_targets.cpu()
    known = path_targets >= 0
    sums = torch.zeros(num_paths, emb.shape[1]).index_add_(0, path_targets[known], emb[known])
    return F.normalize(sums, dim=1)  # normalize leaves a zero row at zero


def _prototype_scores_leave_one_out(embeddings: Tensor, path_targets: Tensor, num_paths: int) -> np.ndarray:
    """Prototype scores of the clips the prototypes are built from, each clip's own contribution
    left out of its own path's prototype; otherwise every clip would partly match itself and a
    threshold fitted on these scores would reject too many new clips."""
    emb = F.normalize(embeddings.detach().float().cpu(), dim=1)
    path_targets = path_targets.cpu()
    known = path_targets >= 0
    sums = torch.zeros(num_paths, emb.shape[1]).index_add_(0, path_targets[known], emb[known])
    sims = _cosine_to_prototypes(emb, sums)
    rows = torch.nonzero(known)[:, 0]
    own = path_targets[rows]
    rest = sums[own] - emb[rows]  # the path's sum without this clip
    alone = torch.bincount(own, minlength=num_paths)[own] == 1  # no example of its path is left
    sims[rows, own] = torch.where(
        alone, torch.full_like(own, -1.0, dtype=sims.dtype), F.cosine_similarity(emb[rows], rest, dim=1)
    )
    return sims.max(dim=1).values.double().numpy()


def auroc(in_scores: np.ndarray, out_scores: np.ndarray) -> float:
    """Area under the ROC curve of telling in-set from out-of-set clips by score (higher = in-set).

    The Mann-Whitney statistic: the probability that a random in-set clip scores above a random
    out-of-set clip, ties counting half.

    Returns:
        AUROC in [0, 1]; nan when either side is empty.
    """
    pos = np.asarray(in_scores, dtype=np.float64).reshape(-1)
    neg = np.asarray(out_scores, dtype=np.float64).reshape(-1)
    if pos.size == 0 or neg.size == 0:
        return float("nan")
    values = np.concatenate([pos, neg])
    order = np.argsort(values, kind="mergesort")
    ranks = np.empty(values.size)
    sorted_values = values[order]
    # average rank of each run of equal values (1-based)
    starts = np.r_[0, np.nonzero(np.diff(sorted_values))[0] + 1]
    ends = np.r_[starts[1:], values.size]
    ranks[order] = np.repeat((starts + ends + 1) / 2.0, ends - starts)
    u = ranks[: pos.size].sum() - pos.size * (pos.size + 1) / 2.0
    return float(u / (pos.size * neg.size))


def choose_threshold(in_scores: np.ndarray, keep: float = 0.95) -> float:
    """The highest score t such that at least ``keep`` of the (in-set) validation clips score >= t.

    Used when validation holds no out-of-set clips: the threshold is set by the false-rejection
    rate alone (1 - keep of the known categories' clips are called "unknown").

    Args:
        in_scores: [N] scores of in-set clips, N >= 1.
        keep: share of them to keep, in (0, 1].
    """
    scores = np.sort(np.asarray(in_scores, dtype=np.float64).reshape(-1))[::-1]
    if scores.size == 0:
        raise ValueError("choose_threshold needs at least one score")
    if not 0 < keep <= 1:
        raise ValueError(f"keep must be in (0, 1], got {keep}")
    count = max(1, math.ceil(keep * scores.size - 1e-9))  # the tolerance absorbs 0.95 * 100 = 95.00000000000001
    return float(scores[count - 1])


def _confidence_floor(confidence: np.ndarray, correct: np.ndarray, min_precision: float) -> float:
    """Lowest confidence c such that the clips with confidence >= c are right at rate >= min_precision;
    1.0 (never) when no c qualifies."""
    if confidence.size == 0:
        return 1.0
    order = np.argsort(-confidence, kind="mergesort")
    conf, hits = confidence[order], correct[order].astype(np.float64)
    precision = np.cumsum(hits) / np.arange(1, conf.size + 1)
    last_of_tie = np.r_[conf[1:] != conf[:-1], True]  # a threshold takes all clips tied with it
    ok = np.nonzero(last_of_tie & (precision >= min_precision))[0]
    return float(conf[ok[-1]]) if ok.size else 1.0


@dataclass
class Calibration:
    """What a model artifact stores to calibrate its outputs and gate its suggestions.

    Attributes:
        temperatures: one softmax temperature per level.
        open_set_method: "max_prob", "energy" or "prototype" (see ``open_set_scores``).
        open_set_threshold: clips scoring below it are treated as none of the known categories.
        preselect_min_confidence: calibrated path probability from which a suggestion is pre-selected;
            1.0 (or more) means never.
        prototypes: [P][D] leaf-path prototypes, needed by the "prototype" method.
    """

    temperatures: list[float]
    open_set_method: str
    open_set_threshold: float
    preselect_min_confidence: float
    prototypes: list[list[float]] | None = None

    def __post_init__(self) -> None:
        if self.open_set_method not in OPEN_SET_METHODS:
            raise ValueError(f"unknown open-set method {self.open_set_method!r}; one of {OPEN_SET_METHODS}")
        if self.open_set_method == "prototype" and not self.prototypes:
            raise ValueError("the 'prototype' method needs prototypes")

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-safe dict (floats and lists)."""
        data = asdict(self)
        data["temperatures"] = [float(t) for t in self.temperatures]
        data["open_set_threshold"] = float(self.open_set_threshold)
        data["preselect_min_confidence"] = float(self.preselect_min_confidence)
        if self.prototypes is not None:
            data["prototypes"] = [[float(v) for v in row] for row in self.prototypes]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Calibration:
        return cls(
            temperatures=[float(t) for t in data["temperatures"]],
            open_set_method=str(data["open_set_method"]),
            open_set_threshold=float(data["open_set_threshold"]),
            preselect_min_confidence=float(data["preselect_min_confidence"]),
            prototypes=None if data.get("prototypes") is None else [list(map(float, r)) for r in data["prototypes"]],
        )

    def calibrate(self, logits: Mapping[str, Tensor]) -> dict[str, Tensor]:
        """Raw logits -> calibrated logits (``apply_temperatures`` with this calibration's temperatures)."""
        return apply_temperatures(logits, self.temperatures)

    def score(
        self, path_log_probs: Tensor, logits: Mapping[str, Tensor], embeddings: Tensor | None = None
    ) -> np.ndarray:
        """[N] in-set score of this calibration's method.

        Args:
            path_log_probs, logits: calibrated (``calibrate`` first, then decode the paths from those).
            embeddings: [N, D], needed by the "prototype" method.
        """
        protos = None if self.prototypes is None else torch.tensor(self.prototypes, dtype=torch.float32)
        if self.open_set_method == "prototype" and embeddings is None:
            raise ValueError("the 'prototype' method needs embeddings")
        return open_set_scores(path_log_probs, logits, embeddings, protos)[self.open_set_method]

    def preselect(self, confidence: np.ndarray, in_score: np.ndarray) -> np.ndarray:
        """Boolean [N]: confidence >= ``preselect_min_confidence`` and in_score >= ``open_set_threshold``.
        A floor of 1.0 or more pre-selects nothing, even a clip whose probability rounds to 1.0."""
        confidence, in_score = np.asarray(confidence, dtype=np.float64), np.asarray(in_score, dtype=np.float64)
        if self.preselect_min_confidence >= 1.0:
            return np.zeros(confidence.shape, dtype=bool)
        return (confidence >= self.preselect_min_confidence) & (in_score >= self.open_set_threshold)


def fit_calibration(
    logits: Mapping[str, Tensor],
    targets: Tensor,
    path_log_probs_fn: Callable[[Mapping[str, Tensor]], Tensor],
    embeddings: Tensor | None = None,
    path_targets: Tensor | None = None,
    method: str = "max_prob",
    keep: float = 0.95,
    min_precision: float = 0.9,
) -> Calibration:
    """Fit a ``Calibration`` on validation clips, all of them from known categories.

    1. Temperatures: ``fit_temperatures`` on the per-level targets.
    2. Open-set threshold: ``choose_threshold(keep)`` on the calibrated scores of ``method`` over the
       clips with at least one known target, so ``1 - keep`` of in-set clips fall below it. For
       "prototype", the prototypes are built from these same clips, and each clip is scored with
       itself left out of its own path's prototype (else it would partly match itself).
    3. Pre-selection floor: the lowest calibrated confidence (max path probability) c such that the
       validation clips with confidence >= c have their argmax path right at rate >= ``min_precision``
       (clips with an unknown path target, -1, are left out); 1.0 (never) when no c qualifies or
       ``path_targets`` is not given. The floor looks at confidence alone, not at the open-set score.

    Args:
        logits: {"level1": [N, C1], ...} raw validation logits.
        targets: long [N, depth] per-level targets, ``IGNORE`` where unknown.
        path_log_probs_fn: logits -> [N, P] path log-probabilities (``LabelSpace.path_log_probs``).
        embeddings: [N, D] clip embeddings; with ``path_targets`` needed by "prototype".
        path_targets: long [N] leaf-path index of each clip, -1 where unknown (e.g. labelled at an
            inner category).
        method: open-set score, one of ``OPEN_SET_METHODS``.
        keep: share of in-set validation clips the open-set threshold keeps.
        min_precision: precision the pre-selected validation clips must reach.
    """
    if method not in OPEN_SET_METHODS:
        raise ValueError(f"unknown open-set method {method!r}; one of {OPEN_SET_METHODS}")
    temperatures = fit_temperatures(logits, targets)
    calibrated = apply_temperatures(logits, temperatures)
    path_lp = path_log_probs_fn(calibrated).detach().float().cpu()
    labelled = (targets != IGNORE).any(dim=1).cpu().numpy()
    prototypes = None
    if method == "prototype":
        if embeddings is None or path_targets is None:
            raise ValueError("the 'prototype' method needs embeddings and path_targets")
        num_paths = path_lp.shape[1]
        prototypes = class_prototypes(embeddings, path_targets, num_paths).tolist()
        scores = _prototype_scores_leave_one_out(embeddings, path_targets, num_paths)
    else:
        scores = open_set_scores(path_lp, calibrated)[method]
    threshold = choose_threshold(scores[labelled] if labelled.any() else scores, keep)

    floor = 1.0
    if path_targets is not None:
        known = (path_targets >= 0).cpu().numpy()
        confidence = path_lp.exp().max(dim=1).values.double().numpy()
        correct = (path_lp.argmax(dim=1) == path_targets.cpu()).numpy()
        floor = _confidence_floor(confidence[known], correct[known], min_precision)
    return Calibration(temperatures, method, threshold, floor, prototypes)
