"""On-disk feature cache: keys, atomic writes, compute-once, and use with the real encoders."""

from __future__ import annotations

import os

import numpy as np
import pytest
import skimage.data

from classifier.ml.augment import WSDANAugment
from classifier.ml.encoders.extractor import FrameFeatureExtractor
from classifier.ml.encoders.frames import lite0_config
from classifier.ml.encoders.text import create_text_encoder
from classifier.ml.features import FeatureCache, clip_frame_features, clip_text_features, clip_wsdan_features


def test_put_get_roundtrip_per_backbone(tmp_path):
    cache = FeatureCache(tmp_path)
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    path = cache.put("clip-1", "lite0-224-abc-fp32", a)
    assert path == tmp_path / "lite0-224-abc-fp32" / "clip-1.npy"
    np.testing.assert_array_equal(cache.get("clip-1", "lite0-224-abc-fp32"), a)
    assert cache.get("clip-1", "lite0-224-abc-int8c01") is None  # another backbone version: a miss
    assert cache.get("clip-2", "lite0-224-abc-fp32") is None
    assert cache.contains("clip-1", "lite0-224-abc-fp32")
    assert cache.clip_keys("lite0-224-abc-fp32") == ["clip-1"]
    assert cache.clip_keys("never-used") == []
    assert cache.backbone_ids() == ["lite0-224-abc-fp32"]


def test_get_or_compute_computes_once(tmp_path):
    cache = FeatureCache(tmp_path)
    calls = []

    def compute() -> np.ndarray:
        calls.append(1)
        return np.ones((5, 8), dtype=np.float32)

    first = cache.get_or_compute("c", "b", compute)
    second = cache.get_or_compute("c", "b", compute)
    assert len(calls) == 1
    np.testing.assert_array_equal(first, second)
    assert cache.delete("c", "b") and not cache.delete("c", "b")
    cache.get_or_compute("c", "b", compute)
    assert len(calls) == 2


def test_writes_are_atomic_and_leave_no_temp_files(tmp_path, monkeypatch):
    cache = FeatureCache(tmp_path)
    cache.put("c", "b", np.zeros(3, dtype=np.float32))

    def crash(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        cache.put("c", "b", np.ones(3, dtype=np.float32))
    monkeypatch.undo()
    np.testing.assert_array_equal(cache.get("c", "b"), np.zeros(3))  # old value intact
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["c.npy"]


@pytest.mark.parametrize("bad", ["../escape", "a/b", "", ".hidden", "x" * 300, "with space"])
def test_unsafe_keys_are_refused(tmp_path, bad):
    cache = FeatureCache(tmp_path)
    with pytest.raises(ValueError):
        cache.put(bad, "b", np.zeros(1))
    with pytest.raises(ValueError):
        cache.get("c", bad)


def test_object_arrays_are_refused(tmp_path):
    with pytest.raises(TypeError):
        FeatureCache(tmp_path).put("c", "b", np.array([{"a": 1}], dtype=object))


def test_clip_frame_features_extract_once_with_real_backbone(tmp_path):
    extractor = FrameFeatureExtractor(lite0_config(), backend="torch")
    cache = FeatureCache(tmp_path)
    decoded = []

    def load_frames() -> np.ndarray:
        decoded.append(1)
        return np.random.default_rng(0).integers(0, 255, (3, 120, 160, 3), dtype=np.uint8)

    feats = clip_frame_features(cache, extractor, "clip-9", load_frames)
    again = clip_frame_features(cache, extractor, "clip-9", load_frames)
    assert feats.shape == (3, 1280) and feats.dtype == np.float32
    np.testing.assert_array_equal(feats, again)
    assert len(decoded) == 1  # a cached clip is not decoded again
    assert cache.contains("clip-9", extractor.backbone_id)


def test_clip_text_features_cached_by_encoder_id(tmp_path):
    encoder = create_text_encoder("use-multilingual")
    cache = FeatureCache(tmp_path)
    out = clip_text_features(cache, encoder, "clip-9-t1", ["猫咪日常", "funny cats"])
    assert out.shape == (2, 512)
    np.testing.assert_array_equal(cache.get("clip-9-t1", encoder.encoder_id), out)


def test_clip_wsdan_features_are_cached_views_of_attended_regions(tmp_path):
    extractor = FrameFeatureExtractor(lite0_config(), backend="torch")
    frames = np.stack([skimage.data.chelsea(), skimage.data.chelsea()[:, ::-1]])
    decoded = []

    def load_frames() -> np.ndarray:
        decoded.append(1)
        return frames

    cache = FeatureCache(tmp_path / "a")
    views = clip_wsdan_features(cache, extractor, WSDANAugment(), "clip-1", load_frames, seed=3)
    again = clip_wsdan_features(cache, extractor, WSDANAugment(), "clip-1", load_frames, seed=3)
    assert len(decoded) == 1
    assert views["crop"].shape == views["drop"].shape == (2, 1280)
    np.testing.assert_array_equal(views["crop"], again["crop"])
    assert cache.backbone_ids() == sorted(f"{extractor.backbone_id}-wsdan3-{v}" for v in ("crop", "drop"))
    plain = extractor.extract(frames)
    assert np.isfinite(views["crop"]).all()  # a diffuse attention map may crop the whole frame
    assert not np.allclose(views["drop"], plain, atol=1e-3)  # the attention peak is always erased
    fresh = clip_wsdan_features(
        FeatureCache(tmp_path / "b"), extractor, WSDANAugment(), "clip-1", load_frames, 3
    )
    np.testing.assert_allclose(fresh["drop"], views["drop"], atol=1e-5)  # same seed, same views
