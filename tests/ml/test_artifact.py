"""Model artifacts: atomic single-file save, validated load, identical predictions."""

import json

import pytest
import torch

from classifier.ml.artifact import load_artifact, read_manifest, save_artifact
from classifier.ml.config import ModelConfig
from classifier.ml.labels import LabelSpace
from classifier.ml.registry import create_model

ROWS = [{"code": "A", "parent_code": None, "level": 1}, {"code": "B", "parent_code": None, "level": 1},
        {"code": "A1", "parent_code": "A", "level": 2}, {"code": "A2", "parent_code": "A", "level": 2}]
CFG = ModelConfig(name="nextvlad_moe_tiny", modalities=("frames", "text"), frame_dim=8, text_dim=6)


def build(space):
    torch.manual_seed(0)
    return create_model(CFG.name, num_classes=space.num_classes, **CFG.model_kwargs()).eval()


def test_round_trip_gives_identical_predictions(tmp_path):
    space = LabelSpace(ROWS, "2.1")
    model = build(space)
    path = save_artifact(tmp_path / "v1.pt", model, CFG, space, backbone_id="effnet-lite0@abc",
                         metrics={"hit_at_1": 0.5}, train_config={"epochs": 3})
    assert [p.name for p in tmp_path.iterdir()] == ["v1.pt"]  # no temp file left behind
    art = load_artifact(path)
    assert art.release == "2.1" and art.label_space == space and art.model_config == CFG
    assert art.backbone_id == "effnet-lite0@abc" and art.metrics == {"hit_at_1": 0.5}
    assert not art.model.training
    batch = {"frames": torch.randn(2, 3, 8), "frames_mask": torch.ones(2, 3, dtype=torch.bool),
             "text": torch.randn(2, 1, 6), "text_mask": torch.ones(2, 1, dtype=torch.bool)}
    with torch.no_grad():
        for key, value in model(batch).items():
            torch.testing.assert_close(art.model(batch)[key], value)
    assert read_manifest(path)["num_classes"] == [2, 3]


def test_versions_are_immutable_and_bad_files_rejected(tmp_path):
    space = LabelSpace(ROWS, "2.1")
    model = build(space)
    path = save_artifact(tmp_path / "v1.pt", model, CFG, space, backbone_id="b")
    with pytest.raises(FileExistsError):
        save_artifact(path, model, CFG, space, backbone_id="b")
    with pytest.raises(TypeError):  # metrics must be JSON-able; nothing is written
        save_artifact(tmp_path / "v2.pt", model, CFG, space, backbone_id="b", metrics={"x": object()})
    assert sorted(p.name for p in tmp_path.iterdir()) == ["v1.pt"]

    other = LabelSpace([*ROWS, {"code": "C", "parent_code": None, "level": 1}], "2.2")
    with pytest.raises(ValueError):  # heads do not match the label space
        save_artifact(tmp_path / "v3.pt", model, CFG, other, backbone_id="b")

    torch.save({"format": "clipcat-model/1", "manifest": json.dumps({"format": "other"}), "state_dict": {}},
               tmp_path / "bad.pt")
    with pytest.raises(ValueError):
        load_artifact(tmp_path / "bad.pt")
    payload = torch.load(path, weights_only=True)
    payload["state_dict"].pop(next(iter(payload["state_dict"])))
    torch.save(payload, tmp_path / "truncated.pt")
    with pytest.raises(ValueError):
        load_artifact(tmp_path / "truncated.pt")
