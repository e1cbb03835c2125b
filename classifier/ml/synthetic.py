"""A generated benchmark world with controlled difficulty, for tests and ``bench/quality.py``.

Clips come as ``ClipFeatures`` in the model's real shapes (frames [N, T, 1280], text [N, S, 512],
log-mel audio [N, A, 64, steps], each with its mask), labelled under a generated three-level
``LabelSpace``. Difficulty is set by ``WorldConfig``:

- every category has a unit *direction* per modality, built down the tree: a leaf's direction is the
  normalised sum of its top-level, level-2 and own components, so siblings share most of it and the
  hierarchy matters (a mistake is likelier within a branch than across);
- a clip's step is ``strength * sqrt(dim) * direction + noise`` (noise N(0, 1) per dimension), on a
  share ``informative`` of its steps; the other steps are noise only. Strength 0 makes a modality carry
  nothing; each modality has its own strength and its own directions, so they add up;
- audio carries its direction as a mel-band profile held over the chunk's time steps, as a tone does,
  and its components are bumps around a mel band (tones), not spread over every band; some clips
  have no audio at all (``missing_audio``), and clips differ in length;
- ``confusable`` leaf pairs (in different level-2 branches of one top level, like match and game
  highlights) share ``confusable_share`` of their direction in every modality;
- ``label_noise`` of the in-set clips carry the label of a random other leaf (``codes``; the truth is
  in ``true_codes``);
- ``out_of_set`` clips belong to ``out_of_set_categories`` categories outside the label space, with
  directions of their own; their ``codes`` are None and their targets ``IGNORE``.

Plain numpy and torch; same config, same world.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from classifier.ml.labels import IGNORE, LabelSpace
from classifier.ml.train import ClipFeatures

MODALITY_DIMS = {"frames": 1280, "text": 512, "audio": 64}  # audio: mel bands


@dataclass(frozen=True)
class WorldConfig:
    """Knobs of a generated world.

    Attributes:
        shape: children per level, e.g. (4, 3, 3): 4 top levels, 3 level-2 categories each, 3 leaves each.
        clips_per_leaf: in-set clips per leaf.
        frames_strength, text_strength, audio_strength: signal per modality, in units of the noise
            (0: the modality carries no signal).
        informative: share of a clip's steps that carry its signal (the rest is noise).
        component_weights: weights of the top-level, level-2 and leaf components of a direction.
        label_noise: share of in-set clips labelled with a random other leaf.
        confusable: number of look-alike leaf pairs.
        confusable_share: cosine similarity of such a pair's directions (siblings have about 0.8 with the
            default component weights).
        out_of_set: clips of categories outside the label space.
        out_of_set_categories: how many such categories (their own directions, under a top level of
            their own).
        frame_steps, text_steps, audio_chunks, audio_steps: sequence lengths (frames and text vary per
            clip between half and all of it).
        missing_audio: share of clips without audio.
        seed: the world's seed.
    """

    shape: tuple[int, ...] = (4, 3, 3)
    clips_per_leaf: int = 60
    frames_strength: float = 0.24
    text_strength: float = 0.4
    audio_strength: float = 1.7
    informative: float = 0.6
    component_weights: tuple[float, float, float] = (1.0, 0.8, 0.7)
    label_noise: float = 0.05
    confusable: int = 3
    confusable_share: float = 0.9
    out_of_set: int = 120
    out_of_set_categories: int = 3
    frame_steps: int = 6
    text_steps: int = 3
    audio_chunks: int = 2
    audio_steps: int = 16
    missing_audio: float = 0.2
    seed: int = 0

    def __post_init__(self) -> None:
        if len(self.shape) != 3 or min(self.shape) < 1:
            raise ValueError(f"shape must be three positive counts, got {self.shape}")
        if self.shape[1] < 2 and self.confusable:
            raise ValueError("confusable pairs need two level-2 categories per top level")
        if self.confusable > self.shape[0] * self.shape[2]:
            raise ValueError(f"at most {self.shape[0] * self.shape[2]} confusable pairs fit shape {self.shape}")
        for name in ("informative", "label_noise", "confusable_share", "missing_audio"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be in [0, 1]")
        if self.clips_per_leaf < 1 or self.out_of_set < 0:
            raise ValueError("clips_per_leaf must be >= 1 and out_of_set >= 0")

    def strength(self, modality: str) -> float:
        return float(getattr(self, f"{modality}_strength"))


@dataclass(frozen=True)
class Split:
    """Clip indices (into the world's clips): in-set train / validation / test, and the out-of-set clips."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    out_of_set: np.ndarray


@dataclass
class World:
    """A generated world.

    Attributes:
        features: every clip (in-set first, then out-of-set), targets from ``codes``.
        codes: observed leaf code per clip (label noise included); None for out-of-set clips.
        true_codes: the leaf each clip was generated from (out-of-set clips: their own category's code,
            which the label space does not have).
        label_space: the in-set categories.
        confusable: the look-alike leaf pairs.
        directions: modality -> {leaf code: unit direction} (out-of-set categories included).
    """

    config: WorldConfig
    features: ClipFeatures
    codes: list[str | None]
    true_codes: list[str]
    label_space: LabelSpace
    confusable: list[tuple[str, str]]
    directions: dict[str, dict[str, np.ndarray]] = field(repr=False)

    def __len__(self) -> int:
        return len(self.codes)

    @property
    def in_set(self) -> np.ndarray:
        return np.array([c is not None for c in self.codes])

    @property
    def leaves(self) -> list[str]:
        return [p[-1] for p in self.label_space.leaf_paths]

    def split(self, seed: int = 0, fractions: tuple[float, float, float] = (0.6, 0.2, 0.2)) -> Split:
        """Train / validation / test indices, stratified by observed leaf (each leaf's clips shuffled
        and cut by ``fractions``); the out-of-set clips are returned apart, for testing only."""
        if len(fractions) != 3 or min(fractions) < 0 or abs(sum(fractions) - 1.0) > 1e-6:
            raise ValueError(f"fractions must be three shares summing to 1, got {fractions}")
        rng = np.random.default_rng(seed)
        parts: list[list[int]] = [[], [], []]
        by_leaf: dict[str, list[int]] = {}
        for i, code in enumerate(self.codes):
            if code is not None:
                by_leaf.setdefault(code, []).append(i)
        for code in sorted(by_leaf):
            index = rng.permutation(by_leaf[code])
            n_train = int(round(len(index) * fractions[0]))
            n_val = int(round(len(index) * fractions[1]))
            parts[0] += index[:n_train].tolist()
            parts[1] += index[n_train : n_train + n_val].tolist()
            parts[2] += index[n_train + n_val :].tolist()
        out = np.array([i for i, c in enumerate(self.codes) if c is None], dtype=np.int64)
        return Split(*(np.array(sorted(p), dtype=np.int64) for p in parts), out)

    def subset(self, index: np.ndarray, modalities: tuple[str, ...] | None = None) -> ClipFeatures:
        """Rows ``index`` of the features, keeping only ``modalities`` (default: all)."""
        data = self.features.subset(torch.as_tensor(np.asarray(index), dtype=torch.long))
        if modalities is None:
            return data
        keep = {k: v for k, v in data.tensors.items() if k.removesuffix("_mask") in modalities}
        return ClipFeatures(keep, data.targets)

    def leave_out(self, code: str) -> World:
        """The same clips, with category ``code`` (a leaf or an inner category, with everything below it)
        taken out of the label space: its clips become out-of-set (code None, targets ``IGNORE``), a
        category the model has never seen."""
        space = self.label_space
        if code not in space.categories:
            raise ValueError(f"{code!r} is not a category of this world")
        siblings = space.children.get(space.categories[code].parent_code, [])
        if len(siblings) < 2:
            raise ValueError(f"{code!r} is its parent's only child; leaving it out would change the tree")
        gone = {c for c in space.categories if code in space.path(c)}
        rows = [c for k, c in space.categories.items() if k not in gone]
        reduced = LabelSpace(rows, f"{space.release}-without-{code}")
        codes = [None if c in gone else c for c in self.codes]
        features = ClipFeatures(dict(self.features.tensors), _targets(reduced, codes))
        confusable = [p for p in self.confusable if not gone & set(p)]
        return replace(self, features=features, codes=codes, label_space=reduced, confusable=confusable)


def _targets(space: LabelSpace, codes: list[str | None]) -> torch.Tensor:
    targets = torch.full((len(codes), space.depth), IGNORE, dtype=torch.long)
    for i, code in enumerate(codes):
        if code is not None:
            targets[i] = torch.tensor(space.targets(code))
    return targets


def _tree(shape: tuple[int, ...], prefix: str = "c") -> list[dict]:
    rows = []
    for a in range(shape[0]):
        rows.append({"code": f"{prefix}{a}", "parent_code": None, "level": 1, "name": f"Top {a}"})
        for b in range(shape[1]):
            rows.append({"code": f"{prefix}{a}.{b}", "parent_code": f"{prefix}{a}", "level": 2})
            for c in range(shape[2]):
                rows.append({"code": f"{prefix}{a}.{b}.{c}", "parent_code": f"{prefix}{a}.{b}", "level": 3})
    return rows


def _unit(v: np.ndarray) -> np.ndarray:
    return v / max(float(np.linalg.norm(v)), 1e-12)


def _directions(
    rng: np.random.Generator, leaves: list[str], dim: int, weights: tuple[float, float, float], bands: bool = False
) -> dict[str, np.ndarray]:
    """Leaf code "a.b.c" -> unit vector: weighted sum of unit components of "a", "a.b" and "a.b.c", each
    a random direction, or with ``bands`` a bump around a random mel band (a tone: sound is local in
    frequency, and two categories' tones may sit close)."""
    components: dict[str, np.ndarray] = {}
    grid = np.arange(dim)

    def component(code: str) -> np.ndarray:
        if code not in components:
            if bands:  # a chord: three partials at random bands
                centres = rng.uniform(1, dim - 1, 3)
                components[code] = _unit(np.exp(-0.5 * (grid[None] - centres[:, None]) ** 2).sum(0))
            else:
                components[code] = _unit(rng.standard_normal(dim))
        return components[code]

    out = {}
    for leaf in leaves:
        top, mid = leaf.split(".")[0], ".".join(leaf.split(".")[:2])
        parts = (component(top), component(mid), component(leaf))
        out[leaf] = _unit(sum(w * p for w, p in zip(weights, parts, strict=True)))
    return out


def _confusable_pairs(shape: tuple[int, ...], count: int, rng: np.random.Generator) -> list[tuple[str, str]]:
    """Pairs of leaves in two different level-2 branches of one top level, no leaf twice."""
    candidates = [(f"c{a}.0.{c}", f"c{a}.1.{c}") for a in range(shape[0]) for c in range(shape[2])]
    order = rng.permutation(len(candidates))[:count]
    return [candidates[i] for i in sorted(order)]


def _sequences(
    rng: np.random.Generator,
    directions: np.ndarray,
    steps: int,
    dim: int,
    strength: float,
    informative: float,
    lengths: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """[N, steps, dim] noise plus, on informative valid steps, strength * sqrt(dim) * direction."""
    n = len(directions)
    x = rng.standard_normal((n, steps, dim), dtype=np.float32)
    mask = np.arange(steps)[None, :] < lengths[:, None]
    carries = mask & (rng.random((n, steps)) < informative)
    x += (strength * math.sqrt(dim)) * carries[..., None] * directions[:, None, :].astype(np.float32)
    x *= mask[..., None]
    return x, mask


def make_world(config: WorldConfig | None = None) -> World:
    """Generate the world of ``config`` (deterministic for its seed)."""
    config = config or WorldConfig()
    # one random stream per part, so that turning one knob (say label noise) leaves the rest as it was
    parts = ("pairs", "labels", *(f"{m}-directions" for m in MODALITY_DIMS), *MODALITY_DIMS)
    rngs = dict(
        zip(parts, map(np.random.default_rng, np.random.SeedSequence(config.seed).spawn(len(parts))), strict=True)
    )
    space = LabelSpace(_tree(config.shape), release=f"world-{config.seed}")
    leaves = [p[-1] for p in space.leaf_paths]
    oos_leaves = [f"x0.{k}.0" for k in range(config.out_of_set_categories)] if config.out_of_set else []
    confusable = _confusable_pairs(config.shape, config.confusable, rngs["pairs"])

    directions: dict[str, dict[str, np.ndarray]] = {}
    for modality, dim in MODALITY_DIMS.items():
        rng = rngs[f"{modality}-directions"]
        own = _directions(rng, leaves + oos_leaves, dim, config.component_weights, bands=modality == "audio")
        # a' = sqrt(s) c + sqrt(1 - s) u, b' = sqrt(s) c - sqrt(1 - s) u with c, u orthonormal:
        # cos(a', b') = 2 s - 1 = confusable_share
        s = (1.0 + config.confusable_share) / 2
        for a, b in confusable:
            common, apart = _unit(own[a] + own[b]), _unit(own[a] - own[b])
            own[a] = _unit(math.sqrt(s) * common + math.sqrt(1 - s) * apart)
            own[b] = _unit(math.sqrt(s) * common - math.sqrt(1 - s) * apart)
        directions[modality] = own

    true_codes = [leaf for leaf in leaves for _ in range(config.clips_per_leaf)]
    if oos_leaves:
        true_codes += [oos_leaves[i % len(oos_leaves)] for i in range(config.out_of_set)]
    n, n_in = len(true_codes), len(leaves) * config.clips_per_leaf
    codes: list[str | None] = list(true_codes[:n_in]) + [None] * (n - n_in)
    rng = rngs["labels"]
    noisy = np.nonzero(rng.random(n_in) < config.label_noise)[0]
    for i in noisy:
        others = [leaf for leaf in leaves if leaf != true_codes[i]]
        codes[i] = others[int(rng.integers(len(others)))]

    tensors: dict[str, torch.Tensor] = {}
    for modality, steps in (("frames", config.frame_steps), ("text", config.text_steps)):
        dirs, rng = np.stack([directions[modality][c] for c in true_codes]), rngs[modality]
        lengths = rng.integers((steps + 1) // 2, steps + 1, n)
        x, mask = _sequences(
            rng, dirs, steps, MODALITY_DIMS[modality], config.strength(modality), config.informative, lengths
        )
        tensors[modality], tensors[f"{modality}_mask"] = torch.from_numpy(x), torch.from_numpy(mask)
    mels = MODALITY_DIMS["audio"]
    dirs, rng = np.stack([directions["audio"][c] for c in true_codes]), rngs["audio"]
    lengths = np.where(rng.random(n) < config.missing_audio, 0, rng.integers(1, config.audio_chunks + 1, n))
    profile, mask = _sequences(rng, dirs, config.audio_chunks, mels, config.audio_strength, config.informative, lengths)
    # a chunk's mel-band profile (signal and the chunk's own noise) held over its time steps, as a tone
    # is, plus noise of every step
    audio = rng.standard_normal((n, config.audio_chunks, mels, config.audio_steps), dtype=np.float32)
    audio = (audio + profile[..., None]) * mask[..., None, None]
    tensors["audio"], tensors["audio_mask"] = torch.from_numpy(audio), torch.from_numpy(mask)

    features = ClipFeatures(tensors, _targets(space, codes))
    return World(config, features, codes, true_codes, space, confusable, directions)


def centroid_accuracy(world: World, split: Split, modality: str) -> float:
    """Leaf accuracy of a nearest-centroid classifier on one modality's mean step (a cheap baseline):
    centroids from the train clips' observed labels, scored on the test clips' observed labels."""
    x = world.features.tensors[modality].float()
    mask = world.features.tensors[f"{modality}_mask"].float()
    while mask.dim() < x.dim():
        mask = mask.unsqueeze(-1)
    pooled = ((x * mask).sum(1) / mask.sum(1).clamp(min=1)).flatten(1).numpy()
    if modality == "audio":
        pooled = pooled.reshape(len(pooled), MODALITY_DIMS["audio"], -1).mean(-1)
    leaves = world.leaves
    train = [i for i in split.train if world.codes[i] is not None]
    centroids = np.stack([pooled[[i for i in train if world.codes[i] == leaf]].mean(0) for leaf in leaves])
    test = [i for i in split.test if world.codes[i] is not None]
    dist = ((pooled[test][:, None, :] - centroids[None]) ** 2).sum(-1)
    predicted = [leaves[j] for j in dist.argmin(1)]
    return float(np.mean([p == world.codes[i] for p, i in zip(predicted, test, strict=True)]))
