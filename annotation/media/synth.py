"""Write small synthetic videos with PyAV: for tests, demo data and benchmarks (no ffmpeg binary).

A picture function gives each frame (an HxWx3 uint8 array); the sound is a sine tone per channel.
`concat_copies` makes a long video from a short one by copying packets, without re-encoding.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

Picture = Callable[[int, float], np.ndarray]

_LAYOUTS = {1: "mono", 2: "stereo", 6: "5.1"}


def moving_gradient(width: int, height: int, seed: int = 0) -> Picture:
    """A coloured gradient that slides sideways: cheap, and every frame differs."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 255, size=3)
    xs = np.linspace(0, 255, width, dtype=np.float32)
    ys = np.linspace(0, 255, height, dtype=np.float32)[:, None]
    image = np.empty((height, width, 3), np.uint8)
    image[..., 0] = (xs[None, :] + base[0]) % 256
    image[..., 1] = (ys + base[1]) % 256
    image[..., 2] = ((xs[None, :] + ys) / 2 + base[2]) % 256

    def picture(index: int, seconds: float) -> np.ndarray:
        return np.roll(image, index * 4, axis=1)

    return picture


def write_video(
    path: str | Path,
    *,
    seconds: float = 2.0,
    width: int = 160,
    height: int = 120,
    fps: int = 15,
    codec: str = "libx264",
    pix_fmt: str = "yuv420p",
    audio_channels: int = 0,
    audio_codec: str = "aac",
    audio_rate: int = 48000,
    tone_hz: float | tuple[float, ...] = 440.0,
    tone_level: float | tuple[float, ...] = 0.3,
    noise_level: float = 0.0,
    noise_seed: int = 0,
    picture: Picture | None = None,
    frames: int | None = None,
    options: dict | None = None,
) -> Path:
    """Encode a video (and optionally an audio track) into `path`; the container follows the suffix.

    Args:
        seconds: length; `frames` overrides the frame count (e.g. 1 for a one-frame video).
        audio_channels: 0 for no audio track, else 1, 2 or 6 (5.1).
        tone_hz: one frequency, or one per channel.
        tone_level: the tone's amplitude (full scale 1.0), one or one per channel; 0 for silence.
        noise_level: amplitude (standard deviation) of white noise added to every channel.
        noise_seed: seed of that noise.
        options: encoder options (e.g. {"preset": "ultrafast"} for libx264).
    """
    path = Path(path)
    picture = picture or moving_gradient(width, height)
    count = frames if frames is not None else max(1, round(seconds * fps))
    with av.open(str(path), "w") as out:
        video = out.add_stream(codec, rate=fps)
        video.width, video.height, video.pix_fmt = width, height, pix_fmt
        if codec == "libx264":
            video.options = {"preset": "ultrafast", "tune": "zerolatency", **(options or {})}
        elif options:
            video.options = options
        audio = None
        if audio_channels:
            audio = out.add_stream(audio_codec, rate=audio_rate, layout=_LAYOUTS[audio_channels])
        for index in range(count):
            frame = av.VideoFrame.from_ndarray(picture(index, index / fps), format="rgb24")
            frame.pts, frame.time_base = index, Fraction(1, fps)
            out.mux(video.encode(frame))
        out.mux(video.encode(None))
        if audio is not None:
            levels = (tone_level,) if not isinstance(tone_level, tuple) else tone_level
            noise = np.random.default_rng(noise_seed) if noise_level > 0 else None
            _write_tone(out, audio, count / fps, audio_channels, audio_rate, tone_hz, levels, noise_level, noise)
    return path


def _write_tone(
    out, stream, seconds: float, channels: int, rate: int, tone_hz, levels=(0.3,), noise_level=0.0, noise=None
) -> None:
    freqs = tone_hz if isinstance(tone_hz, tuple) else (tone_hz,) * channels
    fmt = stream.codec_context.format.name if stream.codec_context.format else "fltp"
    block = stream.codec_context.frame_size or 1024
    total = int(seconds * rate)
    for start in range(0, total, block):
        t = (np.arange(start, min(start + block, total)) / rate)[None, :]
        waves = np.stack(
            [levels[c % len(levels)] * np.sin(2 * np.pi * freqs[c % len(freqs)] * t[0]) for c in range(channels)]
        )
        if noise is not None:
            waves = (waves + noise.normal(0.0, noise_level, waves.shape)).clip(-1.0, 1.0)
        data = (waves * 32767).astype(np.int16) if fmt.startswith("s16") else waves.astype(np.float32)
        if not fmt.endswith("p"):
            data = data.T.reshape(1, -1)
        frame = av.AudioFrame.from_ndarray(data, format=fmt, layout=_LAYOUTS[channels])
        frame.sample_rate, frame.pts, frame.time_base = rate, start, Fraction(1, rate)
        out.mux(stream.encode(frame))
    out.mux(stream.encode(None))


def concat_copies(source: str | Path, target: str | Path, copies: int) -> Path:
    """Join `copies` copies of a video end to end by shifting packet timestamps (no re-encoding).

    Each stream is shifted by its own span (last dts + duration - first dts of the first copy), so
    decoding timestamps keep increasing even with B-frames and audio priming.
    """
    target = Path(target)
    spans: dict[int, int] = {}
    with av.open(str(source)) as first:
        bounds: dict[int, list[int]] = {}
        for packet in first.demux():
            if packet.dts is None:
                continue
            low, high = bounds.get(packet.stream.index, [packet.dts, packet.dts])
            bounds[packet.stream.index] = [min(low, packet.dts), max(high, packet.dts + (packet.duration or 0))]
        spans = {index: high - low for index, (low, high) in bounds.items()}
    with av.open(str(target), "w") as out:
        mapping = {}
        for copy in range(copies):
            with av.open(str(source)) as src:
                if not mapping:
                    mapping = {s.index: out.add_stream_from_template(s) for s in src.streams}
                for packet in src.demux():
                    if packet.dts is None:
                        continue
                    offset = copy * spans[packet.stream.index]
                    packet.pts = None if packet.pts is None else packet.pts + offset
                    packet.dts += offset
                    packet.stream = mapping[packet.stream.index]
                    out.mux(packet)
    return target
