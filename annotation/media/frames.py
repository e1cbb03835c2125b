"""Frame sampling while decoding straight through: keep one frame per sampling step, resize it for the
model (shorter side to `size`, centre crop), and keep a poster and a few small thumbnails for lists."""

from __future__ import annotations

import math
import time

import av
import numpy as np


def square_crop(frame: av.VideoFrame, size: int, interpolation: str = "AREA") -> np.ndarray:
    """The frame as a `size` x `size` RGB array: shorter side scaled to `size`, then a centre crop."""
    scale = size / min(frame.width, frame.height)
    width, height = max(size, round(frame.width * scale)), max(size, round(frame.height * scale))
    rgb = frame.reformat(width=width, height=height, format="rgb24", interpolation=interpolation).to_ndarray()
    top, left = (height - size) // 2, (width - size) // 2
    return rgb[top : top + size, left : left + size]


def fit_width(frame: av.VideoFrame, width: int | None = None, height: int | None = None) -> np.ndarray:
    """The whole frame as RGB, scaled to a width or a height with its aspect ratio kept (even sizes)."""
    if height is not None:
        width = max(2, round(frame.width * height / frame.height / 2) * 2)
    else:
        width = min(width or frame.width, frame.width)
        height = max(2, round(frame.height * width / frame.width / 2) * 2)
    return frame.reformat(width=width, height=height, format="rgb24", interpolation="AREA").to_ndarray()


class FrameSampler:
    """Receives every decoded frame in order and keeps the ones on the sampling grid.

    Memory is bounded by `max_frames` model frames plus about 2 x `strip_frames` thumbnails, whatever the
    length of the video.
    """

    def __init__(
        self,
        *,
        rate: float,
        max_frames: int,
        size: int = 224,
        poster_time: float = 0.0,
        poster_width: int = 480,
        strip_frames: int = 10,
        strip_height: int = 90,
        fallback_fps: float | None = None,
    ):
        self.step = 1.0 / rate
        self.max_frames = max_frames
        self.size = size
        self.poster_time = poster_time
        self.poster_width = poster_width
        self.strip_frames = strip_frames
        self.strip_height = strip_height
        self.fallback_fps = fallback_fps or 25.0
        self.frames: list[np.ndarray] = []
        self.times: list[float] = []
        self.poster: np.ndarray | None = None
        self._poster_final = False
        self._thumbs: list[np.ndarray] = []
        self._thumb_stride = 1
        self._next = 0.0
        self._start: float | None = None
        self.decoded = 0
        self.last_time = 0.0
        self.seconds = 0.0  # time spent resizing

    def feed(self, frame: av.VideoFrame) -> None:
        index = self.decoded
        self.decoded += 1
        t = frame.time if frame.time is not None else index / self.fallback_fps
        if self._start is None:
            self._start = t
        t -= self._start
        self.last_time = max(self.last_time, t)
        if t + 1e-3 < self._next or len(self.frames) >= self.max_frames:
            return
        self._next = (math.floor(t / self.step + 1e-6) + 1) * self.step
        started = time.perf_counter()
        self.frames.append(square_crop(frame, self.size))
        self.times.append(round(t, 3))
        if self.poster is None or (not self._poster_final and t >= self.poster_time):
            self.poster = fit_width(frame, width=self.poster_width)
            self._poster_final = t >= self.poster_time
        if (len(self.frames) - 1) % self._thumb_stride == 0:
            self._thumbs.append(fit_width(frame, height=self.strip_height))
            if len(self._thumbs) >= 2 * self.strip_frames:
                self._thumbs, self._thumb_stride = self._thumbs[::2], self._thumb_stride * 2
        self.seconds += time.perf_counter() - started

    def array(self) -> np.ndarray:
        if not self.frames:
            return np.zeros((0, self.size, self.size, 3), np.uint8)
        return np.stack(self.frames)

    def strip(self) -> np.ndarray:
        """The hover strip: up to `strip_frames` thumbnails side by side, evenly spread over the video."""
        thumbs = self._thumbs
        if len(thumbs) > self.strip_frames:
            picks = np.linspace(0, len(thumbs) - 1, self.strip_frames).round().astype(int)
            thumbs = [thumbs[i] for i in picks]
        height = min(t.shape[0] for t in thumbs)
        width = min(t.shape[1] for t in thumbs)
        return np.concatenate([t[:height, :width] for t in thumbs], axis=1)
