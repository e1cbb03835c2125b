"""Pictures for the demo clips: scikit-image's sample photographs (and a drawn sea), panned, zoomed and
tinted per clip, so that no colour or photo alone names a category.

A clip is one or two shots, each a *recipe* (a photo plus what moves on it: a ball, cones, waves).
Which recipes a clip of a category gets is decided in `annotation.demo` (shared pools, per-category
bias, random others); this module only draws them.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
from PIL import Image


@cache
def _photo(name: str) -> np.ndarray:
    import skimage.data as data

    if name == "faces":  # a contact sheet of scikit-image's small face photographs
        faces = (data.lfw_subset()[:24] * 255).astype(np.uint8)
        sheet = np.concatenate([np.concatenate(list(faces[r * 6 : r * 6 + 6]), axis=1) for r in range(4)], axis=0)
        image = sheet
    else:
        image = getattr(data, name)()
    if image.dtype == bool:
        image = np.where(image, 40, 200).astype(np.uint8)
    elif image.dtype != np.uint8:
        image = (255 * (image - image.min()) / max(1e-9, float(np.ptp(image)))).astype(np.uint8)
    if image.ndim == 2:
        image = np.stack([image] * 3, axis=-1)
    return image[..., :3].astype(np.uint8)


def _tint(image: np.ndarray, rgb: tuple[float, float, float]) -> np.ndarray:
    return (image.astype(np.float32) * np.array(rgb, np.float32)).clip(0, 255).astype(np.uint8)


def _canvas(image: np.ndarray, size: tuple[int, int], zoom: float = 1.35) -> np.ndarray:
    """Resize so the picture is `zoom` times the frame (room to pan)."""
    height, width = size
    scale = zoom * max(height / image.shape[0], width / image.shape[1])
    target = (max(width, round(image.shape[1] * scale)), max(height, round(image.shape[0] * scale)))
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


# recipe -> base image (variant -> HxWx3 uint8). The in-set categories draw from the first group, the
# out-of-set clips (none of the demo categories) from OUT_OF_SET_RECIPES only.
_BASES: dict[str, Callable[[int], np.ndarray]] = {
    "pitch": lambda v: _tint(_photo("grass"), (0.5, 1.1, 0.45)),
    "cones": lambda v: _tint(_photo("grass"), (0.55, 1.0, 0.5)),
    "grass": lambda v: _tint(_photo("grass"), (0.8, 1.0, 0.6)),
    "track": lambda v: _tint(_photo("gravel"), (1.1, 0.8, 0.7)),
    "court": lambda v: _tint(_photo("brick"), (1.2, 0.8, 0.5)),
    "tutorial": lambda v: _tint(_photo("camera"), (1.0, 0.95, 0.9)),
    "horse": lambda v: _tint(_photo("horse")[:328, :400], (1.1, 0.95, 0.6)),
    "cat": lambda v: _photo("chelsea" if v % 2 == 0 else "cat"),
    "space": lambda v: _photo(("rocket", "moon", "hubble_deep_field")[v % 3]),
    "sea": lambda v: np.zeros((1, 1, 3), np.uint8),  # drawn by _sea
    "recipe": lambda v: _photo("immunohistochemistry"),
    "pizza": lambda v: _photo("retina"),
    "bread": lambda v: _tint(_photo("cell"), (1.15, 0.9, 0.6)),
    "coffee": lambda v: _photo("coffee"),
    # none of the demo categories: a person talking, a motorbike, documents, a clock, coins, a cartoon
    "talk": lambda v: _photo("astronaut"),
    "motorbike": lambda v: _moto(),
    "document": lambda v: _photo("page" if v % 2 == 0 else "text"),
    "clock": lambda v: _photo("clock"),
    "coins": lambda v: _photo("coins"),
    "cartoon": lambda v: _photo("logo" if v % 2 == 0 else "colorwheel"),
    "faces": lambda v: _photo("faces"),
}
OUT_OF_SET_RECIPES = ("talk", "motorbike", "document", "clock", "coins", "cartoon", "faces")
RECIPES = tuple(r for r in _BASES if r not in OUT_OF_SET_RECIPES)

_BALL = {"pitch": (255, 255, 255), "court": (240, 120, 20), "tutorial": (240, 120, 20)}


@cache
def _moto() -> np.ndarray:
    import skimage.data as data

    left = data.stereo_motorcycle()[0]
    return left[..., :3].astype(np.uint8)


@cache
def _base(recipe: str, variant: int, size: tuple[int, int], zoom: float) -> np.ndarray:
    if recipe == "sea":
        return _sea(size)
    return _canvas(_BASES[recipe](variant), size, zoom)


def shot(recipe: str, size: tuple[int, int], variant: int, seed: int, start: float = 0.0):
    """A picture function (index, seconds) -> HxWx3 uint8 for one shot: the recipe's photo panned from a
    random place, at a random zoom and tint (so mean colour says little), with light noise."""
    height, width = size
    rng = np.random.default_rng(seed)
    zoom = float(rng.choice((1.25, 1.45, 1.7)))
    base = _base(recipe, variant % 6, size, zoom)
    tint = rng.uniform(0.7, 1.3, 3).astype(np.float32)
    brightness = float(rng.uniform(-25, 25))
    noise = rng.normal(0, 6, (height, width, 3)).astype(np.float32)
    room_y, room_x = base.shape[0] - height, base.shape[1] - width
    direction = float(rng.choice((-1.0, 1.0))) * float(rng.uniform(0.2, 0.6))
    phase0 = float(rng.uniform(0, 2 * np.pi))
    yy, xx = np.mgrid[0:height, 0:width]

    def picture(index: int, seconds: float) -> np.ndarray:
        t = start + seconds
        phase = (np.sin(t * direction + phase0) + 1) / 2
        top, left = int(room_y * (0.3 + 0.4 * phase)), int(room_x * phase)
        frame = base[top : top + height, left : left + width].astype(np.float32) * tint + brightness + noise
        if recipe == "sea":  # waves move along the water
            band = slice(int(height * 0.45), int(height * 0.8))
            frame[band, :, 2] += 25 * np.sin(xx[band] / 9.0 + t * 3 + yy[band] / 5.0)
        if recipe in _BALL:  # a ball in flight (football, basketball)
            cx = (width * (0.1 + 0.8 * ((t * 0.3 + phase0) % 1.0))) if recipe == "pitch" else width / 2
            cy = height * (0.3 + 0.4 * abs(np.sin(t * 2.5 + phase0)))
            frame[(yy - cy) ** 2 + (xx - cx) ** 2 < 100] = _BALL[recipe]
        if recipe == "cones":  # a row of orange cones
            for k in range(5):
                cx, cy = width * (0.15 + 0.17 * k), height * 0.7
                frame[(abs(xx - cx) < (yy - cy + 14) * 0.5) & (yy > cy - 14) & (yy < cy + 6)] = (250, 120, 20)
        return frame.clip(0, 255).astype(np.uint8)

    return picture


def picture_for(shots: list[tuple[str, int]], size: tuple[int, int], seconds: float, start: float = 0.0):
    """A picture function for a clip of `seconds` made of `shots` [(recipe, seed), ...], cut evenly."""
    parts = [shot(recipe, size, seed, seed, start) for recipe, seed in shots]
    length = seconds / len(parts)

    def picture(index: int, at: float) -> np.ndarray:
        return parts[min(len(parts) - 1, int(at / length))](index, at)

    return picture
