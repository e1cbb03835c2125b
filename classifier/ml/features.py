"""Per-clip features computed once per clip and encoder version, cached on disk.

Layout: ``<root>/<backbone_id>/<clip_key>.npy``. A new backbone (other weights, precision or model)
has another id and so another directory; nothing is ever overwritten with features of another model.
Writes are atomic (temporary file in the same directory, then ``os.replace``), so readers never see a
partial file and concurrent workers computing the same clip are harmless.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

import numpy as np
import torch

from classifier.ml.augment import WSDANAugment
from classifier.ml.encoders.extractor import FrameFeatureExtractor
from classifier.ml.encoders.frames import preprocess_frames

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+=-]{0,199}")


class FrameEncoder(Protocol):
    """What :func:`clip_frame_features` needs from a frame extractor."""

    @property
    def backbone_id(self) -> str: ...

    def extract(self, frames: np.ndarray) -> np.ndarray: ...


class TextEncoderLike(Protocol):
    """What :func:`clip_text_features` needs from a text encoder."""

    @property
    def encoder_id(self) -> str: ...

    def encode(self, texts: list[str]) -> np.ndarray: ...


class FeatureCache:
    """On-disk cache of feature arrays keyed by ``(clip_key, backbone_id)``.

    Args:
        root: directory that holds one sub-directory per backbone id.
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, clip_key: str, backbone_id: str) -> Path:
        """Where the features of a clip for a backbone live (whether or not they exist yet)."""
        return self.root / _checked(backbone_id, "backbone_id") / f"{_checked(clip_key, 'clip_key')}.npy"

    def contains(self, clip_key: str, backbone_id: str) -> bool:
        """Whether features are cached."""
        return self.path(clip_key, backbone_id).is_file()

    def get(self, clip_key: str, backbone_id: str) -> np.ndarray | None:
        """Cached features, or ``None`` when absent.

        Args:
            clip_key: stable clip identifier (e.g. the clip's checksum or primary key).
            backbone_id: id of the encoder that produced the features.

        Returns:
            The stored array, or ``None``.
        """
        path = self.path(clip_key, backbone_id)
        try:
            return np.load(path, allow_pickle=False)
        except FileNotFoundError:
            return None

    def put(self, clip_key: str, backbone_id: str, features: np.ndarray) -> Path:
        """Store features atomically, replacing any previous value.

        Args:
            clip_key: stable clip identifier.
            backbone_id: id of the encoder that produced the features.
            features: numeric array (stored as is; object arrays are refused).

        Returns:
            The path written.
        """
        features = np.asarray(features)
        if features.dtype == object:
            raise TypeError("features must be a numeric array")
        path = self.path(clip_key, backbone_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                np.save(fh, features, allow_pickle=False)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path

    def get_or_compute(self, clip_key: str, backbone_id: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """Cached features, computing and storing them on a miss.

        Args:
            clip_key: stable clip identifier.
            backbone_id: id of the encoder that produced the features.
            compute: called only on a miss; returns the features.

        Returns:
            The features (as read back from the cache format on a hit, as computed on a miss).
        """
        cached = self.get(clip_key, backbone_id)
        if cached is not None:
            return cached
        features = np.asarray(compute())
        self.put(clip_key, backbone_id, features)
        return features

    def delete(self, clip_key: str, backbone_id: str) -> bool:
        """Remove cached features; returns whether something was removed."""
        try:
            self.path(clip_key, backbone_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def clip_keys(self, backbone_id: str) -> list[str]:
        """Clip keys with features cached for a backbone, sorted (for training over the cache)."""
        directory = self.root / _checked(backbone_id, "backbone_id")
        if not directory.is_dir():
            return []
        return sorted(p.stem for p in directory.glob("*.npy") if not p.name.startswith("."))

    def backbone_ids(self) -> list[str]:
        """Backbone ids that have a directory in the cache, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and _SAFE_NAME.fullmatch(p.name))


def clip_frame_features(
    cache: FeatureCache, extractor: FrameEncoder, clip_key: str, load_frames: Callable[[], np.ndarray]
) -> np.ndarray:
    """Per-frame features of a clip ``[T, C]`` float32, extracted once per backbone.

    Args:
        cache: the feature cache.
        extractor: e.g. a ``FrameFeatureExtractor``; its ``backbone_id`` is the cache key.
        clip_key: stable clip identifier.
        load_frames: returns the clip's sampled uint8 frames ``[T, H, W, 3]``; only called on a miss,
            so cached clips are not decoded again.

    Returns:
        The features.
    """
    return cache.get_or_compute(clip_key, extractor.backbone_id, lambda: extractor.extract(load_frames()))


def clip_text_features(cache: FeatureCache, encoder: TextEncoderLike, clip_key: str, texts: list[str]) -> np.ndarray:
    """Text embeddings of a clip's texts (title, description, tags) ``[len(texts), dim]``, cached.

    Args:
        cache: the feature cache.
        encoder: a text encoder; its ``encoder_id`` is the cache key.
        clip_key: stable clip identifier; it must change when the texts change (e.g. include a
            hash of them) since the cache cannot see the texts.
        texts: the strings to embed.

    Returns:
        The embeddings.
    """
    return cache.get_or_compute(clip_key, encoder.encoder_id, lambda: encoder.encode(list(texts)))


def clip_wsdan_features(
    cache: FeatureCache,
    extractor: FrameFeatureExtractor,
    augment: WSDANAugment,
    clip_key: str,
    load_frames: Callable[[], np.ndarray],
    seed: int,
) -> dict[str, np.ndarray]:
    """Features of the WS-DAN attention-cropped and attention-dropped frames of a clip, cached.

    Training reads cached features, so WS-DAN views are made offline: attention comes from the torch
    backbone's feature map, the augmented frames go through the extractor's backend, and each view is
    cached under ``<backbone_id>-wsdan<seed>-crop`` / ``-drop``. Several seeds give several views.

    Args:
        cache: the feature cache.
        extractor: frame extractor (any backend; its torch backbone provides the attention).
        augment: WS-DAN settings.
        clip_key: stable clip identifier.
        load_frames: returns uint8 frames ``[T, H, W, 3]``; called only on a miss.
        seed: seed of the random attention choice and thresholds.

    Returns:
        ``{"crop": [T, C], "drop": [T, C]}`` float32.
    """
    ids = {view: f"{extractor.backbone_id}-wsdan{seed}-{view}" for view in ("crop", "drop")}
    cached = {view: cache.get(clip_key, bid) for view, bid in ids.items()}
    if all(v is not None for v in cached.values()):
        return cached
    backbone = extractor.backbone
    pixels = preprocess_frames(load_frames(), extractor.config).to(next(backbone.parameters()).device)
    views = augment.from_backbone(backbone, pixels, torch.Generator().manual_seed(seed))
    out = {"crop": extractor.extract_pixels(views.cropped), "drop": extractor.extract_pixels(views.dropped)}
    for view, features in out.items():
        cache.put(clip_key, ids[view], features)
    return out


def _checked(name: str, what: str) -> str:
    if not isinstance(name, str) or not _SAFE_NAME.fullmatch(name) or ".." in name:
        raise ValueError(f"{what} {name!r} must be 1-200 characters of [A-Za-z0-9._@+=-], starting alphanumeric")
    return name
