"""Label space of one taxonomy release: per-level class lists, consistent path decoding, and head
mapping from one release to the next.

Paths can be shorter than the tree depth (a level-1 or level-2 category without children). Such a
path is padded with an ``END`` class at the deeper levels, so the per-level softmaxes define a
proper distribution over the leaf paths and a short path is neither favoured nor penalised. ``END``
only exists at a level where some path actually ends earlier.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

import torch
import torch.nn.functional as F
from torch import Tensor, nn

END = "<end>"
IGNORE = -1
FRESH_CLASS_BIAS = -4.0  # new categories start unlikely, so they do not take predictions before retraining
MAPPING_ACTIONS = ("kept", "renamed", "moved", "merged", "split", "deprecated")


@dataclass(frozen=True)
class Category:
    """One category row of a release."""

    code: str
    parent_code: str | None
    level: int
    name: str = ""


class LabelSpace:
    """Classes of every level of one taxonomy release.

    Args:
        categories: rows with ``code``, ``parent_code``, ``level`` (1-based) and optionally ``name``
            (``Category`` objects or mappings; other keys such as ``path`` are ignored).
        release: release id, e.g. "3.1".
    """

    def __init__(self, categories: Iterable[Category | Mapping[str, Any]], release: str) -> None:
        rows = [
            c
            if isinstance(c, Category)
            else Category(str(c["code"]), c.get("parent_code") or None, int(c["level"]), str(c.get("name", "")))
            for c in categories
        ]
        self.release = str(release)
        self.categories: dict[str, Category] = {}
        for row in rows:
            if row.code in self.categories or row.code == END:
                raise ValueError(f"duplicate or reserved category code {row.code!r}")
            self.categories[row.code] = row
        if not self.categories:
            raise ValueError("a label space needs at least one category")
        self.children: dict[str | None, list[str]] = {}
        for row in sorted(self.categories.values(), key=lambda r: r.code):
            parent = self.categories.get(row.parent_code) if row.parent_code else None
            if row.parent_code and parent is None:
                raise ValueError(f"category {row.code!r} has unknown parent {row.parent_code!r}")
            expected = parent.level + 1 if parent else 1
            if row.level != expected:
                raise ValueError(f"category {row.code!r} has level {row.level}, expected {expected}")
            self.children.setdefault(row.parent_code, []).append(row.code)
        self.depth = max(r.level for r in self.categories.values())
        leaves = [c for c in sorted(self.categories) if self.is_leaf(c)]
        self.leaf_paths: list[tuple[str, ...]] = [self.path(c) for c in leaves]
        ends_before = {len(p) for p in self.leaf_paths}
        levels: list[list[str]] = []
        for level in range(1, self.depth + 1):
            codes = sorted(c for c, r in self.categories.items() if r.level == level)
            if any(n < level for n in ends_before):
                codes = [END, *codes]
            levels.append(codes)
        self.level_codes: tuple[tuple[str, ...], ...] = tuple(tuple(c) for c in levels)
        self._index = [{c: i for i, c in enumerate(codes)} for codes in self.level_codes]
        self.path_index = torch.tensor([self._padded_indices(p) for p in self.leaf_paths], dtype=torch.long)

    # -- structure ---------------------------------------------------------------------------------

    @property
    def num_classes(self) -> tuple[int, ...]:
        """Number of classes per level (``END`` included where present)."""
        return tuple(len(c) for c in self.level_codes)

    def is_leaf(self, code: str) -> bool:
        return not self.children.get(code)

    def path(self, code: str) -> tuple[str, ...]:
        """Codes from the root category down to ``code``."""
        out = []
        node: str | None = code
        while node is not None:
            out.append(node)
            node = self.categories[node].parent_code
        return tuple(reversed(out))

    def index(self, level: int, code: str) -> int:
        """Class index of ``code`` in the head of 1-based ``level``."""
        return self._index[level - 1][code]

    def _padded_indices(self, path: tuple[str, ...]) -> list[int]:
        return [self.index(i + 1, path[i] if i < len(path) else END) for i in range(self.depth)]

    def targets(self, code: str) -> list[int]:
        """Per-level targets of a label: its path, then ``END`` below a leaf, ``IGNORE`` below an
        inner category (the label says nothing about the deeper levels)."""
        path = self.path(code)
        if self.is_leaf(code):
            return self._padded_indices(path)
        return [self.index(i + 1, path[i]) if i < len(path) else IGNORE for i in range(self.depth)]

    def targets_tensor(self, codes: Iterable[str]) -> Tensor:
        """LongTensor [N, depth] of ``targets`` for a list of label codes."""
        return torch.tensor([self.targets(c) for c in codes], dtype=torch.long).reshape(-1, self.depth)

    # -- decoding ----------------------------------------------------------------------------------

    def path_log_probs(self, logits: Mapping[str, Tensor]) -> Tensor:
        """Log-probability of every leaf path.

        A path scores the sum over levels of the per-level log-softmax; the scores are then
        renormalised over the valid paths, so invalid combinations get no mass.

        Args:
            logits: {"level1": [B, C1], ...} as returned by the model.

        Returns:
            [B, P] log-probabilities over ``leaf_paths`` (each row sums to 1 in probability).
        """
        index = self.path_index.to(next(iter(logits.values())).device)
        total = 0
        for level in range(self.depth):
            log_p = F.log_softmax(logits[f"level{level + 1}"].float(), dim=-1)
            total = total + log_p[:, index[:, level]]
        return F.log_softmax(total, dim=-1)

    def decode(self, logits: Mapping[str, Tensor], k: int = 1) -> list[list[tuple[tuple[str, ...], float]]]:
        """Top-k valid paths per clip.

        Returns:
            for each clip, ``k`` (path, probability) pairs, best first; every path is a root-to-leaf
            path of this release (shorter than ``depth`` where the tree is).
        """
        scores = self.path_log_probs(logits)
        top = scores.topk(min(k, scores.shape[1]), dim=1)
        return [
            [(self.leaf_paths[j], math.exp(s)) for s, j in zip(vals.tolist(), idx.tolist(), strict=True)]
            for vals, idx in zip(top.values, top.indices, strict=True)
        ]

    # -- serialisation -----------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        return {"release": self.release, "categories": [asdict(c) for c in self.categories.values()]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> LabelSpace:
        return cls(data["categories"], release=data["release"])

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LabelSpace:
        return cls.from_dict(json.loads(text))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LabelSpace) and self.to_dict() == other.to_dict()

    def __repr__(self) -> str:
        return f"LabelSpace(release={self.release!r}, num_classes={self.num_classes})"


# -- head mapping across releases -----------------------------------------------------------------

Mapping_ = Mapping[str, tuple[str, list[str]] | list]


def head_sources(old: LabelSpace, new: LabelSpace, mapping: Mapping_) -> dict[str, list[tuple[str, float]]]:
    """Which old classes initialise each new class, with a log-mass adjustment.

    Args:
        old, new: label spaces of the two releases.
        mapping: {old_code: (action, [new codes])}; an old code missing from it is "kept" when the new
            release has the same code and "deprecated" otherwise.

    Returns:
        {new_code: [(old_code, log_adjust), ...]}; new codes without sources start fresh.
    """
    sources: dict[str, list[tuple[str, float]]] = {}
    for code in old.categories:
        default = ("kept", [code]) if code in new.categories else ("deprecated", [])
        action, targets = mapping.get(code, default)
        targets = list(targets)
        if action not in MAPPING_ACTIONS:
            raise ValueError(f"{code!r}: unknown mapping action {action!r}")
        for target in targets:
            if target not in new.categories:
                raise ValueError(f"{code!r} maps to {target!r}, which is not in release {new.release}")
        if action in ("kept", "renamed", "moved", "merged") and len(targets) != 1:
            raise ValueError(f"{code!r}: {action!r} needs exactly one target, got {targets}")
        if action == "split" and len(targets) < 1:
            raise ValueError(f"{code!r}: 'split' needs targets")
        if action == "deprecated" and targets:
            raise ValueError(f"{code!r}: 'deprecated' takes no targets")
        adjust = -math.log(len(targets)) if action == "split" else 0.0
        for target in targets:
            sources.setdefault(target, []).append((code, adjust))
    return sources


@torch.no_grad()
def remap_head(
    old_model: nn.Module, new_model: nn.Module, old: LabelSpace, new: LabelSpace, mapping: Mapping_
) -> dict[str, int]:
    """Initialise ``new_model`` (built for ``new.num_classes``) from ``old_model``.

    The backbone is copied. In the heads, kept / renamed / moved categories keep their class
    parameters; a merge target gets the mean of its sources' parameters and the log-sum of their
    biases (so it receives their probability mass); split targets copy their parent with the bias
    lowered by log(n) (together they hold the parent's mass); new categories keep their fresh init
    with a low bias (``FRESH_CLASS_BIAS``).

    Returns:
        counts {"copied", "merged", "split", "fresh"} of new classes.
    """
    old_state = old_model.state_dict()
    backbone = {k: v for k, v in old_state.items() if not k.startswith("heads.")}
    missing, _ = new_model.load_state_dict(backbone, strict=False)
    if any(not k.startswith("heads.") for k in missing):
        raise ValueError(f"backbones differ: {[k for k in missing if not k.startswith('heads.')]}")
    old_params = [old_model.heads[f"level{lv}"].class_params() for lv in range(1, old.depth + 1)]

    def old_block(code: str, level: int) -> dict[str, Tensor]:
        # END exists at several levels with different rows: take the one of the level being filled
        # (or the old deepest level when the new release is deeper); a category has one level only.
        level = min(level, old.depth) if code == END else old.categories[code].level
        params = old_params[level - 1]
        return {k: v[old.index(level, code)] for k, v in params.items()}

    sources = head_sources(old, new, mapping)
    counts = {"copied": 0, "merged": 0, "split": 0, "fresh": 0}
    for level in range(1, new.depth + 1):
        head = new_model.heads[f"level{level}"]
        params = head.class_params()
        for i, code in enumerate(new.level_codes[level - 1]):
            if code == END:
                src = [(END, 0.0)] if END in old.level_codes[min(level, old.depth) - 1] else []
            else:
                src = sources.get(code, [])
            if not src:
                params["class_bias"][i] = FRESH_CLASS_BIAS
                counts["fresh"] += 1
                continue
            blocks = [old_block(c, level) for c, _ in src]
            for key in ("gate_weight", "gate_bias", "expert_weight", "expert_bias"):
                params[key][i] = torch.stack([b[key] for b in blocks]).mean(dim=0)
            biases = torch.stack([b["class_bias"] + adj for b, (_, adj) in zip(blocks, src, strict=True)])
            params["class_bias"][i] = torch.logsumexp(biases, dim=0)
            kind = "merged" if len(src) > 1 else "split" if src[0][1] < 0 else "copied"
            counts[kind] += 1
        head.load_class_params(params)
    return counts
