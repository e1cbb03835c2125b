"""The generated benchmark world: real shapes, deterministic, and its difficulty knobs do what they say."""

import numpy as np
import pytest
import torch

from classifier.ml.labels import IGNORE
from classifier.ml.registry import create_model
from classifier.ml.synthetic import MODALITY_DIMS, WorldConfig, centroid_accuracy, make_world

SMALL = dict(shape=(3, 2, 2), clips_per_leaf=30, out_of_set=12, out_of_set_categories=2, confusable=2)


def world(**overrides):
    return make_world(WorldConfig(**{**SMALL, **overrides}))


def test_shapes_masks_and_labels():
    w = world(label_noise=0.0)
    n = 12 * 30 + 12
    t = w.features.tensors
    assert t["frames"].shape == (n, 6, 1280) and t["frames_mask"].shape == (n, 6)
    assert t["text"].shape == (n, 3, 512) and t["text_mask"].shape == (n, 3)
    assert t["audio"].shape == (n, 2, 64, 16) and t["audio_mask"].shape == (n, 2)
    assert all(t[f"{m}_mask"].dtype == torch.bool for m in MODALITY_DIMS)
    # every clip has frames and text (between half and all steps); padding is zero; some clips lack audio
    assert (t["frames_mask"].sum(1) >= 3).all() and (t["text_mask"].sum(1) >= 2).all()
    assert (t["frames"][~t["frames_mask"]] == 0).all()
    assert 0 < (~t["audio_mask"].any(1)).sum() < n
    assert w.label_space.num_classes == (3, 6, 12) and len(w.leaves) == 12
    assert w.codes[: 12 * 30] == w.true_codes[: 12 * 30] and w.codes[12 * 30 :] == [None] * 12
    assert (w.features.targets[12 * 30 :] == IGNORE).all() and (w.features.targets[: 12 * 30] != IGNORE).all()
    assert not set(w.true_codes[12 * 30 :]) & set(w.label_space.categories)
    # the features are what the model takes
    model = create_model("nextvlad_moe_tiny", num_classes=w.label_space.num_classes)
    logits = model.eval()(w.features.batch(torch.arange(8)))
    assert [v.shape[1] for v in logits.values()] == [3, 6, 12]


def test_same_seed_same_world_other_seed_other_world():
    a, b, c = world(seed=3), world(seed=3), world(seed=4)
    for key in a.features.tensors:
        assert torch.equal(a.features.tensors[key], b.features.tensors[key])
    assert a.codes == b.codes and a.confusable == b.confusable
    assert not torch.equal(a.features.tensors["frames"], c.features.tensors["frames"])
    assert a.split(1).train.tolist() == b.split(1).train.tolist() != a.split(2).train.tolist()


def test_split_is_stratified_disjoint_and_keeps_out_of_set_apart():
    w = world()
    s = w.split(0, (0.5, 0.2, 0.3))
    parts = [set(s.train.tolist()), set(s.val.tolist()), set(s.test.tolist())]
    assert not (parts[0] & parts[1] or parts[0] & parts[2] or parts[1] & parts[2])
    assert set().union(*parts) == {i for i, c in enumerate(w.codes) if c is not None}
    assert set(s.out_of_set.tolist()) == {i for i, c in enumerate(w.codes) if c is None}
    for leaf in w.leaves:
        count = sum(w.codes[i] == leaf for i in s.train)
        total = sum(c == leaf for c in w.codes)
        assert count == round(total * 0.5)
    with pytest.raises(ValueError):
        w.split(0, (0.5, 0.5, 0.5))


@pytest.mark.parametrize("modality", ["frames", "text", "audio"])
def test_strength_zero_is_chance_and_high_strength_separates(modality):
    silent = {f"{m}_strength": 0.0 for m in MODALITY_DIMS}
    w0 = world(label_noise=0.0, **silent)
    chance = 1 / len(w0.leaves)
    assert centroid_accuracy(w0, w0.split(0), modality) < chance + 0.1
    strong = world(label_noise=0.0, missing_audio=0.0, informative=1.0, **{**silent, f"{modality}_strength": 3.0})
    assert centroid_accuracy(strong, strong.split(0), modality) > 0.9
    # the other modalities of that world still carry nothing
    other = next(m for m in MODALITY_DIMS if m != modality)
    assert centroid_accuracy(strong, strong.split(0), other) < chance + 0.1


def test_directions_follow_the_tree_and_confusable_pairs_look_alike():
    w = world()
    for modality in MODALITY_DIMS:
        d = w.directions[modality]
        assert all(abs(np.linalg.norm(v) - 1) < 1e-6 for v in d.values())
        pairs = {frozenset(p) for p in w.confusable}
        confusable = [float(d[a] @ d[b]) for a, b in w.confusable]
        siblings, cousins, others = [], [], []
        for i, a in enumerate(w.leaves):
            for b in w.leaves[i + 1 :]:
                if frozenset((a, b)) in pairs:
                    continue
                cos = float(d[a] @ d[b])
                (siblings if a[:4] == b[:4] else cousins if a[:2] == b[:2] else others).append(cos)
        assert np.allclose(confusable, w.config.confusable_share)
        if modality == "audio":  # chords of tone bumps: all positive, their overlaps by chance
            assert min(confusable) > np.mean(siblings) > np.mean(cousins) > np.mean(others)
        else:
            assert min(confusable) > max(siblings + cousins + others), modality
            assert np.mean(siblings) > np.mean(cousins) > np.mean(others) + 0.2


def test_confusable_pairs_are_confused_more_by_a_centroid():
    w = world(label_noise=0.0, confusable=3, frames_strength=0.6)
    x = w.features.tensors["frames"].sum(1) / w.features.tensors["frames_mask"].sum(1, keepdim=True)
    means = {leaf: x[[i for i, c in enumerate(w.codes) if c == leaf]].mean(0) for leaf in w.leaves}
    close = [float((means[a] - means[b]).norm()) for a, b in w.confusable]
    pairs = {frozenset(p) for p in w.confusable}
    rest = [
        float((means[a] - means[b]).norm())
        for i, a in enumerate(w.leaves)
        for b in w.leaves[i + 1 :]
        if frozenset((a, b)) not in pairs
    ]
    assert max(close) < min(rest)


def test_label_noise_rate():
    w = world(clips_per_leaf=100, label_noise=0.2)
    wrong = np.mean([c != t for c, t in zip(w.codes, w.true_codes, strict=True) if c is not None])
    assert 0.15 < wrong < 0.25
    assert all(c in w.leaves for c in w.codes if c is not None)


def test_leave_out_a_leaf_or_a_top_level():
    w = world()
    leaf = w.leaves[0]
    w2 = w.leave_out(leaf)
    assert leaf not in w2.label_space.categories and len(w2.leaves) == 11
    gone = [i for i, c in enumerate(w.codes) if c == leaf]
    assert all(w2.codes[i] is None for i in gone) and (w2.features.targets[gone] == IGNORE).all()
    assert w2.features.tensors["frames"] is w.features.tensors["frames"]  # same clips
    assert len(w2.split(0).out_of_set) == len(gone) + 12
    top = w.label_space.level_codes[0][0]
    w3 = w.leave_out(top)
    assert w3.label_space.num_classes == (2, 4, 8)
    assert all(c is None or not c.startswith(top + ".") for c in w3.codes)
    with pytest.raises(ValueError):
        w.leave_out("nope")


def test_bad_configs_are_refused():
    with pytest.raises(ValueError):
        WorldConfig(shape=(2, 2))
    with pytest.raises(ValueError):
        WorldConfig(label_noise=1.5)
    with pytest.raises(ValueError):
        WorldConfig(shape=(2, 1, 2), confusable=1)
