"""Calibration: temperature scaling, open-set scores and thresholds, pre-selection floor, artifact JSON."""

import json
import math

import numpy as np
import pytest
import torch
from scipy.stats import mannwhitneyu

from classifier.ml.calibration import (
    T_MAX,
    T_MIN,
    Calibration,
    _confidence_floor,
    apply_temperatures,
    auroc,
    choose_threshold,
    class_prototypes,
    fit_calibration,
    fit_temperatures,
    open_set_scores,
)
from classifier.ml.labels import IGNORE, LabelSpace
from classifier.ml.metrics import expected_calibration_error


def overconfident(n=20000, classes=(4, 7), scale=5.0, seed=0):
    """True logits z (targets drawn from softmax(z)) and the model's logits scale * z."""
    g = torch.Generator().manual_seed(seed)
    true = {f"level{i}": 1.5 * torch.randn(n, c, generator=g) for i, c in enumerate(classes, start=1)}
    targets = torch.stack([torch.multinomial(z.softmax(1), 1, generator=g)[:, 0] for z in true.values()], dim=1)
    return {k: scale * z for k, z in true.items()}, targets


def level_ece(logits, targets):
    known = targets != IGNORE
    probs = logits.softmax(1)[known]
    return expected_calibration_error(probs.max(1).values.numpy(), (probs.argmax(1) == targets[known]).numpy())


def test_fit_temperatures_undoes_overconfidence_per_level():
    logits, targets = overconfident()
    targets[::3, 1] = IGNORE  # unknown rows are left out, whatever their logits
    logits["level2"][::3] *= 100
    logits["level3"] = torch.randn(len(targets), 3)  # a level nobody labelled
    targets = torch.cat([targets, torch.full((len(targets), 1), IGNORE)], dim=1)
    temps = fit_temperatures(logits, targets)
    assert temps[0] == pytest.approx(5.0, rel=0.05) and temps[1] == pytest.approx(5.0, rel=0.05)
    assert temps[2] == 1.0
    calibrated = apply_temperatures(logits, temps)
    for level in (0, 1):
        key = f"level{level + 1}"
        assert level_ece(logits[key], targets[:, level]) > 0.15
        assert level_ece(calibrated[key], targets[:, level]) < 0.03


def test_temperatures_are_clamped_and_apply_is_exact():
    g = torch.Generator().manual_seed(1)
    targets = torch.randint(0, 5, (500, 1), generator=g)
    perfect = {"level1": 10.0 * torch.nn.functional.one_hot(targets[:, 0], 5).float()}
    wrong = {"level1": 10.0 * torch.nn.functional.one_hot((targets[:, 0] + 1) % 5, 5).float()}
    assert fit_temperatures(perfect, targets)[0] == pytest.approx(T_MIN, rel=1e-3)  # sharper is always better
    assert fit_temperatures(wrong, targets)[0] == pytest.approx(T_MAX, rel=1e-3)  # flatter is always better
    logits, _ = overconfident(n=10)
    same = apply_temperatures(logits, [1.0, 1.0])
    assert all(torch.equal(same[k], logits[k]) for k in logits)
    scaled = apply_temperatures(logits, [2.0, 4.0])
    torch.testing.assert_close(scaled["level2"] * 4.0, logits["level2"])
    with pytest.raises(ValueError):
        apply_temperatures(logits, [1.0])
    with pytest.raises(ValueError):
        fit_temperatures(logits, torch.zeros(10, 3, dtype=torch.long))


def test_auroc_hand_values_and_scipy():
    assert auroc(np.array([3.0, 4.0]), np.array([1.0, 2.0])) == 1.0
    assert auroc(np.array([1.0, 2.0]), np.array([3.0, 4.0])) == 0.0
    assert auroc(np.ones(4), np.ones(3)) == 0.5
    assert auroc(np.array([0.1, 0.4, 0.35, 0.8]), np.array([0.3, 0.2])) == 0.75
    assert auroc(np.array([0.5]), np.array([0.5, 0.1])) == 0.75  # the tie counts half
    assert math.isnan(auroc(np.array([]), np.array([1.0])))
    rng = np.random.default_rng(0)
    pos, neg = rng.integers(0, 10, 300).astype(float), rng.integers(-2, 8, 200).astype(float)  # many ties
    assert auroc(pos, neg) == pytest.approx(mannwhitneyu(pos, neg).statistic / (300 * 200))


def test_choose_threshold_keeps_the_asked_share():
    assert choose_threshold(np.arange(100.0), keep=0.95) == 5.0  # 5..99: exactly 95 kept
    assert choose_threshold(np.arange(100.0), keep=1.0) == 0.0
    scores = np.random.default_rng(0).normal(size=1001)
    t = choose_threshold(scores, keep=0.95)
    assert 0.95 <= np.mean(scores >= t) < 0.95 + 2 / 1001
    assert choose_threshold(np.array([0.3]), keep=0.5) == 0.3
    with pytest.raises(ValueError):
        choose_threshold(np.array([]))
    with pytest.raises(ValueError):
        choose_threshold(scores, keep=0.0)


def test_class_prototypes_and_open_set_scores():
    emb = torch.tensor([[2.0, 0.0], [0.0, 3.0], [1.0, 1.0], [5.0, 5.0]])
    protos = class_prototypes(emb, torch.tensor([0, 0, -1, 2]), num_paths=3)
    torch.testing.assert_close(protos, torch.tensor([[0.7071, 0.7071], [0.0, 0.0], [0.7071, 0.7071]]), atol=1e-4,
                               rtol=0)
    logits = {"level1": torch.tensor([[0.0, math.log(3.0)]]), "level2": torch.tensor([[1.0, 1.0]])}
    path_lp = torch.log(torch.tensor([[0.2, 0.5, 0.3]]))
    scores = open_set_scores(path_lp, logits)
    assert set(scores) == {"max_prob", "energy"}
    assert scores["max_prob"][0] == pytest.approx(0.5)
    assert scores["energy"][0] == pytest.approx(math.log(4.0) + 1.0 + math.log(2.0))
    # the empty prototype row never matches: a clip pointing away from the others still scores -1 at worst
    with_protos = open_set_scores(path_lp.repeat(2, 1), {k: v.repeat(2, 1) for k, v in logits.items()},
                                  torch.tensor([[1.0, 1.0], [-1.0, -1.0]]), protos)
    assert with_protos["prototype"] == pytest.approx([1.0, -1.0], abs=1e-5)


def test_calibration_round_trips_through_json_and_checks_itself():
    cal = Calibration([1.5, 2.0], "prototype", 0.42, 0.8, prototypes=[[0.6, 0.8], [1.0, 0.0]])
    data = json.loads(json.dumps(cal.to_dict()))
    assert Calibration.from_dict(data) == cal
    plain = Calibration([np.float32(1.25)], "max_prob", np.float64(0.3), 0.9)
    assert json.loads(json.dumps(plain.to_dict()))["temperatures"] == [1.25]
    assert Calibration.from_dict(plain.to_dict()).prototypes is None
    with pytest.raises(ValueError):
        Calibration([1.0], "entropy", 0.0, 0.5)
    with pytest.raises(ValueError):
        Calibration([1.0], "prototype", 0.0, 0.5)


def test_preselect_needs_both_the_confidence_floor_and_the_open_set_threshold():
    cal = Calibration([1.0], "max_prob", open_set_threshold=0.5, preselect_min_confidence=0.8)
    got = cal.preselect(np.array([0.79, 0.8, 0.95, 0.95, 1.0]), np.array([0.9, 0.9, 0.9, 0.4, 0.5]))
    assert got.tolist() == [False, True, True, False, True]
    never = Calibration([1.0], "max_prob", open_set_threshold=0.0, preselect_min_confidence=1.0)
    assert not never.preselect(np.array([1.0, 0.99]), np.array([1.0, 1.0])).any()


def test_confidence_floor_is_the_lowest_confidence_that_reaches_the_precision():
    conf, correct = np.array([0.9, 0.8, 0.7, 0.6]), np.array([1, 1, 0, 1])
    assert _confidence_floor(conf, correct, 0.75) == 0.6  # all four: 3/4
    assert _confidence_floor(conf, correct, 0.8) == 0.8  # the top two: 2/2
    assert _confidence_floor(np.array([0.9, 0.9]), np.array([1, 0]), 0.9) == 1.0  # a tie goes in whole
    assert _confidence_floor(np.array([]), np.array([]), 0.9) == 1.0


ROWS = [{"code": c, "parent_code": p, "level": lv} for c, p, lv in [
    ("A", None, 1), ("B", None, 1), ("C", None, 1), ("A1", "A", 2), ("A2", "A", 2), ("B1", "B", 2), ("B2", "B", 2),
    ("B3", "B", 2)]]  # C is a leaf at level 1: END at level 2


def synthetic_validation(space, n, seed, out_of_set=False):
    """Per-level logits that point (noisily) at each clip's path, scaled x4 (over-confident), and embeddings
    near a per-path direction; out-of-set clips get embeddings from a direction of their own."""
    g = torch.Generator().manual_seed(seed)
    paths = torch.randint(0, len(space.leaf_paths), (n,), generator=g)
    index = space.path_index[paths]
    logits = {}
    for level, c in enumerate(space.num_classes):
        z = torch.randn(n, c, generator=g) + 1.5 * torch.nn.functional.one_hot(index[:, level], c)
        logits[f"level{level + 1}"] = 4.0 * z
    directions = torch.randn(len(space.leaf_paths) + 1, 16, generator=torch.Generator().manual_seed(99))
    centre = directions[-1].expand(n, -1) if out_of_set else directions[paths]
    embeddings = centre + 0.6 * torch.randn(n, 16, generator=g)
    targets = torch.stack([space.path_index[p] for p in paths.tolist()])
    return logits, targets, paths, embeddings


@pytest.mark.parametrize("method", ["max_prob", "energy", "prototype"])
def test_fit_calibration_end_to_end(method):
    space = LabelSpace(ROWS, "1.0")
    logits, targets, paths, emb = synthetic_validation(space, 3000, seed=0)
    targets[:200, 1] = IGNORE  # labelled at level 1 only: no leaf path
    path_targets = paths.clone()
    path_targets[:200] = -1
    cal = fit_calibration(logits, targets, space.path_log_probs, emb, path_targets, method=method, keep=0.95,
                          min_precision=0.9)
    assert all(t > 2.0 for t in cal.temperatures)  # the x4 over-confidence is seen and softened
    assert Calibration.from_dict(json.loads(json.dumps(cal.to_dict()))) == cal
    assert (cal.prototypes is not None) == (method == "prototype")

    def scored(logits, emb):
        calibrated = cal.calibrate(logits)
        path_lp = space.path_log_probs(calibrated)
        return path_lp, cal.score(path_lp, calibrated, emb)

    path_lp, in_score = scored(logits, emb)
    assert 0.95 <= np.mean(in_score >= cal.open_set_threshold) <= 0.951
    confidence = path_lp.exp().max(1).values.numpy()
    right = (path_lp.argmax(1) == paths).numpy()
    assert 0.0 < cal.preselect_min_confidence < 1.0
    chosen = confidence[200:] >= cal.preselect_min_confidence
    assert right[200:][chosen].mean() >= 0.9 and chosen.mean() > 0.2
    pre = cal.preselect(confidence, in_score)
    assert not pre[confidence < cal.preselect_min_confidence].any()

    # fresh clips of the same categories keep about `keep`
    fresh_logits, _, _, fresh_emb = synthetic_validation(space, 3000, seed=1)
    assert 0.93 <= np.mean(scored(fresh_logits, fresh_emb)[1] >= cal.open_set_threshold) <= 0.97
    if method == "prototype":
        out_logits, _, _, out_emb = synthetic_validation(space, 500, seed=2, out_of_set=True)
        assert auroc(in_score, scored(out_logits, out_emb)[1]) > 0.95


def test_prototype_threshold_is_fitted_leaving_each_clip_out_of_its_own_prototype():
    # with a few clips per path, a clip scored against a prototype it is part of looks far more typical
    # than a new clip will: the in-sample threshold would reject many fresh in-set clips
    space = LabelSpace(ROWS, "1.0")
    fresh_logits, _, _, fresh_emb = synthetic_validation(space, 3000, seed=1)
    kept_loo, kept_in_sample = [], []
    for seed in range(10, 16):
        logits, targets, paths, emb = synthetic_validation(space, 36, seed=seed)
        cal = fit_calibration(logits, targets, space.path_log_probs, emb, paths, method="prototype")
        in_sample = choose_threshold(cal.score(space.path_log_probs(cal.calibrate(logits)), logits, emb), 0.95)
        fresh = cal.score(space.path_log_probs(cal.calibrate(fresh_logits)), fresh_logits, fresh_emb)
        kept_loo.append(np.mean(fresh >= cal.open_set_threshold))
        kept_in_sample.append(np.mean(fresh >= in_sample))
    assert 0.88 <= np.mean(kept_loo) <= 1.0 and np.mean(kept_in_sample) < np.mean(kept_loo) - 0.1


def test_fit_calibration_without_path_targets_never_preselects():
    space = LabelSpace(ROWS, "1.0")
    logits, targets, _, _ = synthetic_validation(space, 500, seed=3)
    cal = fit_calibration(logits, targets, space.path_log_probs)
    assert cal.preselect_min_confidence == 1.0 and cal.open_set_method == "max_prob"
    with pytest.raises(ValueError):
        fit_calibration(logits, targets, space.path_log_probs, method="prototype")
