"""Model registry and factory (timm style).

Models are registered by decorating a builder function; callers build them by name only::

    @register_model
    def nextvlad_moe(num_classes, **kwargs): ...

    model = create_model("nextvlad_moe", num_classes=(10, 40, 120))
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable

from torch import nn

_MODEL_ENTRYPOINTS: dict[str, Callable[..., nn.Module]] = {}


def register_model(fn: Callable[..., nn.Module]) -> Callable[..., nn.Module]:
    """Register a model builder under its function name.

    Args:
        fn: builder returning an ``nn.Module``.

    Returns:
        The same function, so it can be used as a decorator.
    """
    name = fn.__name__
    if name in _MODEL_ENTRYPOINTS:
        raise ValueError(f"model {name!r} is already registered")
    _MODEL_ENTRYPOINTS[name] = fn
    return fn


def is_model(name: str) -> bool:
    """Whether a model of this name is registered."""
    _ensure_models_imported()
    return name in _MODEL_ENTRYPOINTS


def list_models(pattern: str = "*") -> list[str]:
    """Registered model names matching a shell-style pattern, sorted."""
    _ensure_models_imported()
    return sorted(n for n in _MODEL_ENTRYPOINTS if fnmatch.fnmatch(n, pattern))


def create_model(name: str, **kwargs) -> nn.Module:
    """Build a registered model.

    Args:
        name: registered model name.
        **kwargs: constructor arguments passed to the builder (e.g. ``num_classes``).

    Returns:
        The freshly initialised model.
    """
    _ensure_models_imported()
    if name not in _MODEL_ENTRYPOINTS:
        raise KeyError(f"unknown model {name!r}; registered: {', '.join(sorted(_MODEL_ENTRYPOINTS))}")
    return _MODEL_ENTRYPOINTS[name](**kwargs)


def _ensure_models_imported() -> None:
    # Importing the models package runs the @register_model decorators.
    from classifier.ml import models  # noqa: F401
