"""Agreement between annotators on one clip and across a project, per level of the tree.

Pure Python over category paths (tuples of codes from level 1 down), so it is easy to test and reuse:
- per clip: whether all labels agree at each level, and hierarchical partial credit (the shared prefix of
  two paths over the longer path, averaged over pairs);
- per project: Krippendorff's alpha for nominal data, per level;
- the decision: a final path when the labels agree (or a clear majority does), else review.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

Path = tuple[str, ...]


def common_prefix(a: Path, b: Path) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def partial_credit(a: Path, b: Path) -> float:
    """Hierarchical partial credit of two paths: 1.0 when equal, the shared prefix share otherwise."""
    longest = max(len(a), len(b))
    return common_prefix(a, b) / longest if longest else 1.0


@dataclass(frozen=True)
class ClipAgreement:
    per_level: dict[int, bool]  # level (1-based) -> all labels agree there
    partial: float  # mean pairwise hierarchical partial credit
    decision: Path | None  # the final path, or None: send to review
    majority: int  # how many labels back the decision


def clip_agreement(paths: Sequence[Path], *, max_depth: int = 3, majority_share: float = 0.5) -> ClipAgreement:
    """Agreement of the labels of one clip.

    Args:
        paths: one category path per label (skips excluded).
        max_depth: levels of the taxonomy.
        majority_share: a path backed by more than this share of labels (and by at least two) is final.
    Returns:
        Per-level agreement, partial credit, and the decided path (None sends the clip to review).
    """
    if not paths:
        return ClipAgreement(per_level={}, partial=0.0, decision=None, majority=0)
    per_level = {}
    for level in range(1, max_depth + 1):
        values = {p[:level] for p in paths if len(p) >= level}
        depths = {min(len(p), level) for p in paths}
        per_level[level] = len(values) <= 1 and len(depths) == 1
    pairs = list(combinations(paths, 2))
    partial = sum(partial_credit(a, b) for a, b in pairs) / len(pairs) if pairs else 1.0
    (best, count), *rest = Counter(paths).most_common() or [((), 0)]
    tie = bool(rest) and rest[0][1] == count
    unanimous = count == len(paths)
    decided = unanimous or (not tie and count >= 2 and count > majority_share * len(paths))
    return ClipAgreement(per_level=per_level, partial=partial, decision=best if decided else None, majority=count)


def krippendorff_alpha_nominal(units: Iterable[Sequence[str]]) -> float | None:
    """Krippendorff's alpha for nominal values. `units` holds, per clip, the values the annotators gave
    (clips with fewer than two values are not pairable and are ignored). None when undefined."""
    coincidence: Counter = Counter()
    for values in units:
        m = len(values)
        if m < 2:
            continue
        for i, a in enumerate(values):
            for j, b in enumerate(values):
                if i != j:
                    coincidence[(a, b)] += 1 / (m - 1)
    n_c: Counter = Counter()
    for (a, _), weight in coincidence.items():
        n_c[a] += weight
    n = sum(n_c.values())
    if n <= 1:
        return None
    observed = sum(w for (a, b), w in coincidence.items() if a != b)
    expected = (n * n - sum(v * v for v in n_c.values())) / (n - 1)
    if expected == 0:
        return 1.0 if observed == 0 else None
    return 1 - observed / expected


def alpha_per_level(clips: Iterable[Sequence[Path]], *, max_depth: int = 3) -> dict[int, float | None]:
    """Krippendorff's alpha at each level: values are the level-k prefixes of the labels' paths."""
    clips = [list(paths) for paths in clips]
    return {
        level: krippendorff_alpha_nominal([["/".join(p[:level]) for p in paths if len(p) >= level] for paths in clips])
        for level in range(1, max_depth + 1)
    }


def gold_accuracy(pairs: Iterable[tuple[Path, Path]], *, max_depth: int = 3) -> dict[int, float | None]:
    """Accuracy per level of (label path, gold path) pairs."""
    pairs = list(pairs)
    result: dict[int, float | None] = {}
    for level in range(1, max_depth + 1):
        scored = [(label[:level] == gold[:level]) for label, gold in pairs if len(gold) >= level]
        result[level] = sum(scored) / len(scored) if scored else None
    return result
