"""Few-shot prototypes, program matching and the text-only query path."""

import pytest
import torch

from classifier.ml.labels import LabelSpace
from classifier.ml.programs import ProgramMatcher
from classifier.ml.prototypes import PrototypeClassifier
from classifier.ml.query import predict_query
from classifier.ml.registry import create_model


def test_prototypes_classify_by_cosine_to_class_means():
    clf = PrototypeClassifier.fit({"cats": torch.tensor([[1.0, 0.1], [2.0, -0.1]]),
                                   "dogs": torch.tensor([[0.0, 1.0]])})
    assert clf.counts == [2, 1]
    ranked = clf.predict(torch.tensor([[3.0, 0.2], [0.1, 5.0]]), k=2)
    assert [r[0][0] for r in ranked] == ["cats", "dogs"]
    assert ranked[0][0][1] == pytest.approx(float(torch.nn.functional.cosine_similarity(
        torch.tensor([3.0, 0.2]), torch.tensor([1.0, 0.0]), dim=0)), abs=1e-2)
    assert clf.predict(torch.tensor([[-1.0, 0.0]]), min_similarity=0.5) == [[]]
    clf.add("birds", torch.tensor([[-1.0, -1.0]]))
    clf.add("dogs", torch.tensor([[0.0, 1.0]]))
    assert clf.counts == [2, 2, 1] and clf.predict(torch.tensor([[-2.0, -1.5]]))[0][0][0] == "birds"
    again = PrototypeClassifier.from_dict(clf.to_dict())
    torch.testing.assert_close(again.scores(torch.eye(2)), clf.scores(torch.eye(2)))
    with pytest.raises(ValueError):
        PrototypeClassifier.fit({"empty": torch.zeros(0, 2)})


def test_programs_match_best_reference_top_k():
    matcher = ProgramMatcher({"news": torch.tensor([[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]),
                              42: torch.tensor([[0.0, 0.0, 1.0]]),
                              "film": torch.tensor([[1.0, 1.0, 0.0]])})
    sims = matcher.similarities(torch.tensor([[0.0, 2.0, 0.1]]))
    assert sims[0, 0] == pytest.approx(2.0 / (4.01**0.5), abs=1e-5)  # best of the two "news" references
    top = matcher.match(torch.tensor([[0.0, 2.0, 0.1], [0.0, 0.0, 3.0]]), k=2)
    assert [p for p, _ in top[0]] == ["news", "film"]
    assert top[1][0] == (42, pytest.approx(1.0))
    assert matcher.match(torch.tensor([[0.0, 0.0, 1.0]]), k=3, min_similarity=0.5) == [[(42, pytest.approx(1.0))]]


def test_query_uses_text_branch_and_returns_valid_paths():
    space = LabelSpace([{"code": "S", "parent_code": None, "level": 1}, {"code": "N", "parent_code": None, "level": 1},
                        {"code": "S1", "parent_code": "S", "level": 2}], "1.0")
    torch.manual_seed(0)
    model = create_model("nextvlad_moe_tiny", num_classes=space.num_classes, frame_dim=8, text_dim=6)
    ranked = predict_query(model, space, torch.randn(6), k=5)
    assert len(ranked) == 2 and {p for p, _ in ranked} == {("S", "S1"), ("N",)}
    assert sum(p for _, p in ranked) == pytest.approx(1.0)
    assert model.training  # mode restored
    frames_only = create_model("nextvlad_moe_tiny", num_classes=space.num_classes, modalities=("frames",),
                               frame_dim=8)
    with pytest.raises(ValueError):
        predict_query(frames_only, space, torch.randn(6))
