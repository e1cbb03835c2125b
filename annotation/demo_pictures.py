"""Pictures for the demo clips: scikit-image's sample photographs (and a drawn sea), panned and overlaid
so that every clip differs while each category keeps a look of its own."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
from PIL import Image


@cache
def _photo(name: str) -> np.ndarray:
    import skimage.data as data

    image = getattr(data, name)()
    if image.dtype == bool:
        image = np.where(image, 40, 200).astype(np.uint8)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return image[..., :3].astype(np.uint8)


def _tint(image: np.ndarray, rgb: tuple[float, float, float]) -> np.ndarray:
    return (image.astype(np.float32) * np.array(rgb, np.float32)).clip(0, 255).astype(np.uint8)


def _canvas(image: np.ndarray, size: tuple[int, int], zoom: float = 1.35) -> np.ndarray:
    """Resize so the picture is `zoom` times the frame (room to pan)."""
    height, width = size
    scale = zoom * max(height / image.shape[0], width / image.shape[1])
    target = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    return np.asarray(Image.fromarray(image).resize(target, Image.BILINEAR))


def _sea(size: tuple[int, int]) -> np.ndarray:
    height, width = size[0] * 2, size[1] * 2
    y = np.linspace(0, 1, height)[:, None, None]
    sky = np.array([120, 170, 230]) * (1 - y) + np.array([230, 200, 170]) * y
    image = np.broadcast_to(sky, (height, width, 3)).copy()
    sea_top, sand_top = int(height * 0.45), int(height * 0.8)
    image[sea_top:sand_top] = [20, 80, 140]
    image[sand_top:] = [214, 190, 140]
    return image.astype(np.uint8)


_BASES: dict[str, Callable] = {
    "pitch": lambda v: _tint(_photo("grass"), (0.5, 1.1, 0.45)),
    "cones": lambda v: _tint(_photo("grass"), (0.55, 1.0, 0.5)),
    "court": lambda v: _tint(_photo("brick"), (1.2, 0.8, 0.5)),
    "tutorial": lambda v: _tint(_photo("camera"), (1.0, 0.95, 0.9)),
    "horse": lambda v: _tint(np.minimum(_photo("horse")[:328, :400], 255), (1.1, 0.95, 0.6)),
    "cat": lambda v: _photo("chelsea" if v % 2 == 0 else "cat"),
    "space": lambda v: _photo(("rocket", "moon", "hubble_deep_field")[v % 3]),
    "sea": lambda v: None,
    "recipe": lambda v: _photo("immunohistochemistry"),
    "coffee": lambda v: _photo("coffee"),
}

_BALL = {"pitch": (255, 255, 255), "court": (240, 120, 20), "tutorial": (240, 120, 20)}


def picture_for(recipe: str, size: tuple[int, int], variant: int, start: float = 0.0):
    """A picture function (index, seconds) -> HxWx3 uint8 for one demo clip."""
    height, width = size
    base = _sea(size) if recipe == "sea" else _canvas(_BASES[recipe](variant), size)
    rng = np.random.default_rng(variant * 97 + len(recipe))
    noise = rng.normal(0, 6, (height, width, 3)).astype(np.float32)
    room_y, room_x = base.shape[0] - height, base.shape[1] - width
    direction = 1 if variant % 2 == 0 else -1
    yy, xx = np.mgrid[0:height, 0:width]

    def picture(index: int, seconds: float) -> np.ndarray:
        t = start + seconds
        phase = (np.sin(t * 0.4 * direction + variant) + 1) / 2
        top, left = int(room_y * (0.3 + 0.4 * phase)), int(room_x * phase)
        frame = base[top : top + height, left : left + width].astype(np.float32) + noise
        if recipe == "sea":  # waves move along the water
            band = slice(int(height * 0.45), int(height * 0.8))
            frame[band, :, 2] += 25 * np.sin(xx[band] / 9.0 + t * 3 + yy[band] / 5.0)
        if recipe in _BALL:  # a ball in flight (football, basketball)
            cx = (width * (0.1 + 0.8 * ((t * 0.3 + variant * 0.2) % 1.0))) if recipe == "pitch" else width / 2
            cy = height * (0.3 + 0.4 * abs(np.sin(t * 2.5 + variant)))
            frame[(yy - cy) ** 2 + (xx - cx) ** 2 < 100] = _BALL[recipe]
        if recipe == "cones":  # a row of orange cones
            for k in range(5):
                cx, cy = width * (0.15 + 0.17 * k), height * 0.7
                frame[(abs(xx - cx) < (yy - cy + 14) * 0.5) & (yy > cy - 14) & (yy < cy + 6)] = (250, 120, 20)
        return frame.clip(0, 255).astype(np.uint8)

    return picture
