"""Registry, layers and every registered model on tiny tensors (CPU)."""

import pytest
import torch
import torch.nn.functional as F

from classifier.ml.config import ModelConfig, TrainConfig
from classifier.ml.labels import LabelSpace
from classifier.ml.layers import ContextGating, MixtureOfExperts, NeXtVLAD
from classifier.ml.registry import create_model, list_models, register_model

ROWS = [
    {"code": "A", "parent_code": None, "level": 1}, {"code": "B", "parent_code": None, "level": 1},
    {"code": "A1", "parent_code": "A", "level": 2}, {"code": "A2", "parent_code": "A", "level": 2},
    {"code": "B1", "parent_code": "B", "level": 2},
    {"code": "A1x", "parent_code": "A1", "level": 3}, {"code": "A1y", "parent_code": "A1", "level": 3},
]


def tiny_batch(b=3, frame_dim=1280, text_dim=512, seed=0):
    g = torch.Generator().manual_seed(seed)
    return {
        "frames": torch.randn(b, 4, frame_dim, generator=g),
        "frames_mask": torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0], [0, 0, 0, 0]], dtype=torch.bool)[:b],
        "text": torch.randn(b, 2, text_dim, generator=g),
        "text_mask": torch.tensor([[1, 1], [0, 0], [1, 0]], dtype=torch.bool)[:b],
        "audio": torch.randn(b, 2, 64, 100, generator=g),
        "audio_mask": torch.tensor([[1, 1], [1, 0], [0, 0]], dtype=torch.bool)[:b],
    }


def test_registry_lists_and_rejects_duplicates():
    assert {"nextvlad_moe", "nextvlad_moe_small", "nextvlad_moe_tiny"} <= set(list_models())
    assert list_models("*tiny") == ["nextvlad_moe_tiny"]
    with pytest.raises(KeyError):
        create_model("no_such_model", num_classes=(2,))

    def nextvlad_moe(**kwargs):
        return torch.nn.Identity()

    with pytest.raises(ValueError):
        register_model(nextvlad_moe)


@pytest.mark.parametrize("name", list_models())
def test_every_registered_model_forward_shapes_and_valid_paths(name):
    space = LabelSpace(ROWS, "1.0")
    torch.manual_seed(0)
    model = create_model(name, num_classes=space.num_classes)
    batch = tiny_batch()
    model.train()
    out = model(batch)
    assert set(out) == {"level1", "level2", "level3"}
    for level, n in enumerate(space.num_classes, start=1):
        assert out[f"level{level}"].shape == (3, n)
        assert torch.isfinite(out[f"level{level}"]).all()
    sum(v.sum() for v in out.values()).backward()  # all-missing rows must not break the graph
    model.eval()
    with torch.no_grad():
        emb = model.forward_features(batch)
        out = model.forward_head(emb)
    assert emb.shape == (3, model.embed_dim)
    for ranked in space.decode(out, k=3):
        for path, prob in ranked:
            assert path in space.leaf_paths and 0.0 <= prob <= 1.0
            assert all(space.categories[c].parent_code == (path[i - 1] if i else None) for i, c in enumerate(path))


def test_model_with_subset_of_modalities_and_batches_missing_keys():
    model = create_model("nextvlad_moe_tiny", num_classes=(2, 3), modalities=("frames", "text"),
                         frame_dim=8, text_dim=6).eval()
    batch = tiny_batch(frame_dim=8, text_dim=6)
    with torch.no_grad():
        full = model(batch)["level2"]
        no_audio = model({k: v for k, v in batch.items() if not k.startswith("audio")})["level2"]
        text_only = model({"text": batch["text"], "text_mask": batch["text_mask"]})["level2"]
    torch.testing.assert_close(full, no_audio)  # audio is not a modality of this model
    assert text_only.shape == (3, 3)
    with pytest.raises(ValueError):
        model({})


def test_missing_modality_uses_learned_vector_not_padding_content():
    model = create_model("nextvlad_moe_tiny", num_classes=(2,), frame_dim=8, text_dim=6).eval()
    batch = tiny_batch(frame_dim=8, text_dim=6)
    other = {k: v.clone() for k, v in batch.items()}
    other["frames"][2] = 100.0  # clip 2 has no valid frame
    other["frames"][1, 2:] = -7.0  # padded frames of clip 1
    other["audio"][2] = 5.0
    with torch.no_grad():
        torch.testing.assert_close(model(batch)["level1"], model(other)["level1"])


def test_nextvlad_masking_and_output_size():
    layer = NeXtVLAD(16, clusters=4, expansion=2, groups=4).eval()
    assert layer.output_dim == 4 * 8
    x = torch.randn(2, 5, 16)
    mask = torch.tensor([[1, 1, 1, 0, 0], [0, 0, 0, 0, 0]], dtype=torch.bool)
    out = layer(x, mask)
    torch.testing.assert_close(out[0:1], layer(x[0:1, :3], mask[0:1, :3]))
    assert out.shape == (2, 32) and torch.count_nonzero(out[1]) == 0
    with pytest.raises(ValueError):
        NeXtVLAD(10, groups=3)


def test_moe_logits_equal_mixture_probability():
    moe = MixtureOfExperts(6, num_classes=3, num_experts=2)
    x = torch.randn(4, 6)
    gate = F.softmax(moe.gate(x).view(4, 3, 3), dim=-1)
    experts = torch.sigmoid(moe.experts(x).view(4, 3, 2))
    p = (gate[..., :2] * experts).sum(-1)
    torch.testing.assert_close(torch.sigmoid(moe(x)), p)
    params = moe.class_params()
    other = MixtureOfExperts(6, num_classes=3, num_experts=2)
    other.load_class_params(params)
    torch.testing.assert_close(other(x), moe(x))


def test_context_gating_scales_input():
    gate = ContextGating(8, reduction=2).eval()
    x = torch.rand(3, 8) + 0.1
    y = gate(x)
    assert y.shape == x.shape and ((y > 0) & (y < x)).all()


def test_configs_round_trip_and_validate(tmp_path):
    cfg = ModelConfig(name="nextvlad_moe_tiny", modalities=("frames", "text"), clusters=8)
    cfg.save(tmp_path / "m.json")
    assert ModelConfig.load(tmp_path / "m.json") == cfg
    assert cfg.model_kwargs() == {"modalities": ("frames", "text"), "clusters": 8}
    train = TrainConfig(level_weights=(1.0, 0.5), epochs=3)
    assert TrainConfig.from_json(train.to_json()) == train
    for bad in ({"modalities": ("video",)}, {"clusters": 0}, {"dropout": 1.5}):
        with pytest.raises(ValueError):
            ModelConfig(**bad)
    with pytest.raises(ValueError):
        TrainConfig.from_dict({"epochs": 2, "lr_typo": 0.1})
    with pytest.raises(ValueError):
        TrainConfig(balance="sometimes")
