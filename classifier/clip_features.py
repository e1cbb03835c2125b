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


@lru_cache(maxsize=1)
def frame_extractor():
    from classifier.ml.encoders.extractor import FrameFeatureExtractor
    from classifier.ml.encoders.frames import lite0_config

    device = "cuda" if _cuda() else "cpu"
    return FrameFeatureExtractor(
        lite0_config(),
        backend=settings.CLIPCAT_FRAME_BACKEND,
        device=device,
        onnx_cache_dir=Path(settings.CLIPCAT_ONNX_DIR),
    )


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


def clip_features(clip: Clip) -> dict[str, np.ndarray | None]:
    """{"frames": [T, 1280], "text": [Tt, 512], "audio": [Ta, 64, 100]} for one ready clip (None where a
    modality is missing), read from the cache or computed and cached."""
    from classifier.ml.encoders.audio import log_mel
    from classifier.ml.features import clip_frame_features, clip_text_features

    cache, key = feature_cache(), clip_key(clip)
    frames = clip_frame_features(cache, frame_extractor(), key, lambda: _load_npy(clip.frames)) if clip.frames else None
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
