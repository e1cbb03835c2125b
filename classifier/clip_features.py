"""A clip's model inputs: frame features, text embeddings and log-mel audio, computed once per clip and
encoder version and cached on disk (classifier.ml.features.FeatureCache). The encoders are loaded once
per process."""

from __future__ import annotations

import hashlib
import io
from functools import lru_cache
from pathlib import Path

import numpy as np
from django.conf import settings

from annotation.models import Clip

LOGMEL_ID = "logmel-64x100-v1"
MAX_AUDIO_CHUNKS = 120  # seconds of audio the model sees (evenly subsampled beyond this)


@lru_cache(maxsize=1)
def feature_cache():
    from classifier.ml.features import FeatureCache

    return FeatureCache(Path(settings.CLIPCAT_FEATURE_DIR))


def frame_extractor(backend: str | None = None):
    """The frame feature extractor of `backend` (default: CLIPCAT_FRAME_BACKEND). A model is served with
    the backend it was trained on (bf16 torch features from a GPU worker are not int8 ONNX ones), so an
    inference worker may hold two; the ONNX backends always run on the CPU."""
    from classifier.ml.encoders.extractor import select_backend

    name = backend or settings.CLIPCAT_FRAME_BACKEND
    if name == "auto":
        name = select_backend("auto", "cuda" if _cuda() else "cpu")
    return _frame_extractor(name)


@lru_cache(maxsize=4)
def _frame_extractor(backend: str):
    from classifier.ml.encoders.extractor import FrameFeatureExtractor
    from classifier.ml.encoders.frames import lite0_config

    device = "cuda" if _cuda() and not backend.startswith("onnx") else "cpu"
    return FrameFeatureExtractor(
        lite0_config(), backend=backend, device=device, onnx_cache_dir=Path(settings.CLIPCAT_ONNX_DIR)
    )


frame_extractor.cache_clear = _frame_extractor.cache_clear


@lru_cache(maxsize=1)
def text_encoder():
    from classifier.ml.encoders.text import create_text_encoder

    return create_text_encoder(settings.CLIPCAT_TEXT_ENCODER)


def _cuda() -> bool:
    import torch

    return settings.CLIPCAT_TRAIN_DEVICE != "cpu" and torch.cuda.is_available()


def _load_npy(field) -> np.ndarray:
    with field.open("rb") as handle:
        return np.load(io.BytesIO(handle.read()), allow_pickle=False)


def clip_texts(clip: Clip) -> list[str]:
    """The texts the text branch reads: title, description and tags (non-empty ones)."""
    tags = ", ".join(clip.tags.values_list("name", flat=True))
    return [text for text in (clip.title, clip.description, tags) if text and text.strip()]


def clip_key(clip: Clip) -> str:
    return f"clip-{clip.pk}-{clip.checksum[:16]}"


def clip_features(clip: Clip, frame_backend: str | None = None) -> dict[str, np.ndarray | None]:
    """{"frames": [T, 1280], "text": [Tt, 512], "audio": [Ta, 64, 100]} for one ready clip (None where a
    modality is missing), read from the cache or computed and cached. `frame_backend` names the frame
    features a model was trained on (default: the configured backend)."""
    from classifier.ml.encoders.audio import log_mel
    from classifier.ml.features import clip_frame_features, clip_text_features

    cache, key = feature_cache(), clip_key(clip)
    frames = None
    if clip.frames:
        frames = clip_frame_features(cache, frame_extractor(frame_backend), key, lambda: _load_npy(clip.frames))
    texts = clip_texts(clip)
    text = None
    if texts:
        digest = hashlib.sha256("\x1f".join(texts).encode()).hexdigest()[:12]
        text = clip_text_features(cache, text_encoder(), f"{key}-t{digest}", texts)
    audio = None
    if clip.audio and clip.has_audio:

        def compute() -> np.ndarray:
            mel = log_mel(_load_npy(clip.audio)).numpy().astype(np.float16)
            if len(mel) > MAX_AUDIO_CHUNKS:
                mel = mel[np.linspace(0, len(mel) - 1, MAX_AUDIO_CHUNKS).round().astype(int)]
            return mel

        audio = cache.get_or_compute(key, LOGMEL_ID, compute).astype(np.float32)
    return {"frames": frames, "text": text, "audio": audio}


def encoder_ids() -> dict[str, str]:
    return {"frames": frame_extractor().backbone_id, "text": text_encoder().encoder_id, "audio": LOGMEL_ID}
