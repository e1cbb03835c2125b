"""Label space: targets, END padding, consistent decoding, JSON, and head mapping across releases."""

import math

import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from classifier.ml.labels import END, IGNORE, LabelSpace, head_sources, remap_head
from classifier.ml.registry import create_model


def rows(spec):
    """spec: {code: parent or None}; levels follow from the parents."""
    out = []
    for code, parent in spec.items():
        level = 1
        p = parent
        while p:
            level, p = level + 1, spec[p]
        out.append({"code": code, "parent_code": parent, "level": level, "name": code.lower()})
    return out


OLD = {"A": None, "A1": "A", "A1x": "A1", "A1y": "A1", "A2": "A", "B": None, "B1": "B", "C": None, "C1": "C"}
NEW = {"A": None, "A1": "A", "A1x": "A1", "A2r": "A", "B": None, "B2": "B", "B3": "B", "C": None, "C1": "C",
       "C2": "C"}
MAPPING = {"A1y": ("merged", ["A1x"]), "A2": ("renamed", ["A2r"]), "B1": ("split", ["B2", "B3"])}


def test_levels_targets_and_end_padding():
    space = LabelSpace(rows(OLD), "1.0")
    assert space.depth == 3
    assert space.level_codes == (("A", "B", "C"), ("A1", "A2", "B1", "C1"), (END, "A1x", "A1y"))
    assert space.leaf_paths == [("A", "A1", "A1x"), ("A", "A1", "A1y"), ("A", "A2"), ("B", "B1"), ("C", "C1")]
    assert space.targets("A1x") == [0, 0, 1]
    assert space.targets("B1") == [1, 2, 0]  # a shallow leaf: END below it
    assert space.targets("A1") == [0, 0, IGNORE]  # an inner category says nothing about level 3
    assert space.targets("A") == [0, IGNORE, IGNORE]
    flat = LabelSpace(rows({"X": None, "Y": None}), "0.1")
    assert flat.num_classes == (2,) and flat.leaf_paths == [("X",), ("Y",)]


def test_invalid_trees_are_rejected():
    with pytest.raises(ValueError):
        LabelSpace([{"code": "A", "parent_code": "Z", "level": 2}], "1")
    with pytest.raises(ValueError):
        LabelSpace([{"code": "A", "parent_code": None, "level": 2}], "1")
    with pytest.raises(ValueError):
        LabelSpace([{"code": "A", "parent_code": None, "level": 1}] * 2, "1")


def test_decoding_is_consistent_even_when_levels_disagree():
    space = LabelSpace(rows(OLD), "1.0")
    # level 1 says B, level 2 says A1, level 3 says A1y: each alone would give an invalid path
    logits = {"level1": torch.tensor([[0.0, 3.0, 0.0]]), "level2": torch.tensor([[5.0, 0.0, 0.0, 0.0]]),
              "level3": torch.tensor([[0.0, 0.0, 5.0]])}
    (best, prob), *rest = space.decode(logits, k=5)[0]
    assert best == ("A", "A1", "A1y")  # 0 + 5 + 5 beats B/B1/END: 3 + 0 + 0
    assert len(rest) == 4 and all(p in space.leaf_paths for p, _ in rest)
    probs = space.path_log_probs(logits).exp()
    assert probs.sum().item() == pytest.approx(1.0)
    # a strong END at level 3 favours the shallow leaves
    logits["level3"] = torch.tensor([[9.0, 0.0, 0.0]])
    assert space.decode(logits)[0][0][0] in {("A", "A2"), ("B", "B1"), ("C", "C1")}


def test_json_round_trip():
    space = LabelSpace(rows(OLD), "1.0")
    again = LabelSpace.from_json(space.to_json())
    assert again == space and again.level_codes == space.level_codes and again.release == "1.0"


def test_head_sources_and_bad_mappings():
    old, new = LabelSpace(rows(OLD), "1.0"), LabelSpace(rows(NEW), "2.0")
    sources = head_sources(old, new, MAPPING)
    assert sources["A1x"] == [("A1x", 0.0), ("A1y", 0.0)]
    assert sources["B2"] == [("B1", -math.log(2))] == sources["B3"]
    assert "C2" not in sources
    with pytest.raises(ValueError):
        head_sources(old, new, {"A2": ("renamed", ["nope"])})
    with pytest.raises(ValueError):
        head_sources(old, new, {"A2": ("teleported", ["A2r"])})


def test_head_mapping_across_release_with_merge_and_split():
    old, new = LabelSpace(rows(OLD), "1.0"), LabelSpace(rows(NEW), "2.0")
    torch.manual_seed(0)
    kwargs = dict(frame_dim=8, text_dim=6, modalities=("frames", "text"))
    old_model = create_model("nextvlad_moe_tiny", num_classes=old.num_classes, **kwargs)
    g = torch.Generator().manual_seed(1)
    batch = {"frames": torch.randn(64, 3, 8, generator=g), "frames_mask": torch.ones(64, 3, dtype=torch.bool),
             "text": torch.randn(64, 2, 6, generator=g), "text_mask": torch.ones(64, 2, dtype=torch.bool)}
    with torch.no_grad():  # settle the BN statistics and spread the logits so predictions differ
        for _ in range(40):
            old_model(batch)
        for head in old_model.heads.values():
            head.experts.weight.mul_(5)
    old_model.eval()
    # give the merged pair the same class parameters (biases differ) so the merge is exact
    level3 = old_model.heads["level3"]
    params = level3.class_params()
    for key in ("gate_weight", "gate_bias", "expert_weight", "expert_bias"):
        params[key][old.index(3, "A1y")] = params[key][old.index(3, "A1x")]
    params["class_bias"][old.index(3, "A1y")] = params["class_bias"][old.index(3, "A1x")] + 0.3
    level3.load_class_params(params)

    new_model = create_model("nextvlad_moe_tiny", num_classes=new.num_classes, **kwargs).eval()
    counts = remap_head(old_model, new_model, old, new, MAPPING)
    assert counts == {"copied": 7, "merged": 1, "split": 2, "fresh": 1}  # copied: A B C A1 A2r C1 END

    with torch.no_grad():
        before, after = old_model(batch), new_model(batch)

    def col(logits, space, level, code):
        return logits[f"level{level}"][:, space.index(level, code)]

    # kept / renamed categories: identical logits
    torch.testing.assert_close(after["level1"], before["level1"])
    for old_code, new_code in (("A1", "A1"), ("C1", "C1"), ("A2", "A2r")):
        torch.testing.assert_close(col(after, new, 2, new_code), col(before, old, 2, old_code))
    torch.testing.assert_close(col(after, new, 3, END), col(before, old, 3, END))
    # split targets inherit the parent: together they hold exactly its mass
    b2, b3 = col(after, new, 2, "B2"), col(after, new, 2, "B3")
    torch.testing.assert_close(b2, b3)
    torch.testing.assert_close(torch.logaddexp(b2, b3), col(before, old, 2, "B1"))
    # merged target gets the mass of both sources
    merged_sources = torch.logaddexp(col(before, old, 3, "A1x"), col(before, old, 3, "A1y"))
    torch.testing.assert_close(col(after, new, 3, "A1x"), merged_sources)

    # path level: every new path holds exactly the old mass sent to it (up to the fresh C2's share)
    transfer = {("A", "A1", "A1x"): [("A", "A1", "A1x"), ("A", "A1", "A1y")], ("A", "A2r"): [("A", "A2")],
                ("B", "B2"): [("B", "B1")], ("B", "B3"): [("B", "B1")], ("C", "C1"): [("C", "C1")]}
    p_old, p_new = old.path_log_probs(before).exp(), new.path_log_probs(after).exp()
    share = {("B", "B2"): 0.5, ("B", "B3"): 0.5}
    kept_paths = list(transfer)
    expected = torch.stack([sum(p_old[:, old.leaf_paths.index(o)] * share.get(n, 1.0) for o in transfer[n])
                            for n in kept_paths], dim=1)
    got = p_new[:, [new.leaf_paths.index(n) for n in kept_paths]]
    torch.testing.assert_close(got / got.sum(1, keepdim=True), expected, atol=1e-5, rtol=1e-4)
    assert p_new[:, new.leaf_paths.index(("C", "C2"))].max() < 0.05  # a fresh category takes little

    old_best = {r[0][0] for r in old.decode(before)}
    assert len(old_best) >= 3  # several different predictions are covered
    tie = {("B", "B3"): ("B", "B2")}  # the two split targets tie exactly
    new_best = [tie.get(r[0][0], r[0][0]) for r in new.decode(after)]
    assert new_best == [kept_paths[i] for i in expected.argmax(dim=1).tolist()]


@st.composite
def trees(draw):
    """Random trees of depth 1 to 3; any node may be a leaf, so paths end at level 1, 2 or 3."""
    spec = {}

    def grow(parent, level):
        for i in range(draw(st.integers(1 if parent is None else 0, 3))):
            code = f"{parent or 'n'}{i}"
            spec[code] = parent
            if level < 3:
                grow(code, level + 1)

    grow(None, 1)
    return spec


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(spec=trees(), seed=st.integers(0, 2**16))
def test_identity_mapping_leaves_predictions_unchanged(spec, seed):
    old, new = LabelSpace(rows(spec), "1.0"), LabelSpace(rows(spec), "1.1")
    torch.manual_seed(seed)
    kwargs = dict(frame_dim=8, text_dim=6, modalities=("frames", "text"))
    old_model = create_model("nextvlad_moe_tiny", num_classes=old.num_classes, **kwargs).eval()
    with torch.no_grad():  # distinct class biases, so a row copied from the wrong class shows
        for head in old_model.heads.values():
            head.class_bias.normal_(0.0, 2.0)
    new_model = create_model("nextvlad_moe_tiny", num_classes=new.num_classes, **kwargs).eval()
    remap_head(old_model, new_model, old, new, {code: ("kept", [code]) for code in spec})
    g = torch.Generator().manual_seed(seed)
    batch = {"frames": torch.randn(16, 3, 8, generator=g), "frames_mask": torch.ones(16, 3, dtype=torch.bool),
             "text": torch.randn(16, 2, 6, generator=g), "text_mask": torch.ones(16, 2, dtype=torch.bool)}
    with torch.no_grad():
        before, after = old.path_log_probs(old_model(batch)), new.path_log_probs(new_model(batch))
    assert torch.allclose(after, before, rtol=0.0, atol=1e-6), (spec, (after - before).abs().max())
