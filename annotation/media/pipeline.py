"""One pass over a video: demux once, decode video and audio as they come, keep sampled frames, audio,
a poster and a hover strip, and write them as four files into a folder.

    result = process_video("clip.mp4", out_dir, MediaOptions(frame_rate=1.0))

Nothing holds the whole video or all its frames: memory is bounded by the frame cap and the decoder.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

import av
import numpy as np
from PIL import Image

from .audio import AudioWriter
from .errors import MediaError, MediaErrorCode
from .frames import FrameSampler
from .probe import ProbeInfo, Source, check_limits, open_container, probe_container

FRAMES_NAME, AUDIO_NAME, POSTER_NAME, STRIP_NAME = "frames.npy", "audio.npy", "poster.jpg", "strip.jpg"


@dataclass(frozen=True)
class MediaOptions:
    """How to sample a video. Long videos get a lower frame rate so that at most `max_frames` are kept."""

    frame_rate: float = 1.0
    max_frames: int = 600
    frame_size: int = 224
    audio_rate: int = 16000
    max_duration: float | None = 3 * 3600
    max_pixels: int | None = 4096 * 2304
    strip_frames: int = 10
    strip_height: int = 90
    poster_width: int = 480
    jpeg_quality: int = 82

    def rate_for(self, duration: float | None) -> float:
        """Sampling rate for a video of this length: `frame_rate`, lowered to keep under `max_frames`."""
        if duration and duration * self.frame_rate > self.max_frames:
            return self.max_frames / duration
        return self.frame_rate


@dataclass
class MediaResult:
    """What processing produced: probe figures, measured duration, and the paths of the files written."""

    probe: ProbeInfo
    duration: float
    frame_count: int
    sample_rate: float
    frame_times: list[float]
    frames_path: Path
    poster_path: Path
    strip_path: Path
    audio_path: Path | None
    audio_samples: int
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def has_audio(self) -> bool:
        return self.audio_path is not None


def process_video(source: Source, out_dir: Path, options: MediaOptions | None = None) -> MediaResult:
    """Probe, sample and write the derived media of one video into `out_dir`.

    Raises:
        MediaError: the file cannot be processed as it is (empty, not a video, truncated, unsupported
            codec, too long, too large); the reason is written for a person.
    """
    options = options or MediaOptions()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    timings = {"decode": 0.0, "resize": 0.0, "audio": 0.0, "storage": 0.0}
    started = time.perf_counter()
    with open_container(source) as container:
        info = probe_container(container, max_duration=options.max_duration, max_pixels=options.max_pixels)
        video = container.streams.video[0]
        video.thread_type = "AUTO"
        audio = container.streams.audio[0] if container.streams.audio else None
        rate = options.rate_for(info.duration)
        sampler = FrameSampler(
            rate=rate,
            max_frames=options.max_frames,
            size=options.frame_size,
            poster_time=min(1.0, (info.duration or 0) * 0.2),
            poster_width=options.poster_width,
            strip_frames=options.strip_frames,
            strip_height=options.strip_height,
            fallback_fps=info.fps,
        )
        writer = AudioWriter(out_dir / AUDIO_NAME, options.audio_rate) if audio is not None else None
        try:
            _decode(container, video, audio, sampler, writer, options)
            audio_path = writer.finish() if writer else None
        finally:
            if writer:
                writer.close()
    timings["resize"] = sampler.seconds
    timings["audio"] = writer.seconds if writer else 0.0
    timings["decode"] = time.perf_counter() - started - timings["resize"] - timings["audio"]
    duration = _check_complete(info, sampler)
    written = time.perf_counter()
    paths = _write_outputs(sampler, out_dir, options)
    timings["storage"] = time.perf_counter() - written
    return MediaResult(
        probe=info,
        duration=duration,
        frame_count=len(sampler.frames),
        sample_rate=rate,
        frame_times=sampler.times,
        frames_path=paths[0],
        poster_path=paths[1],
        strip_path=paths[2],
        audio_path=audio_path,
        audio_samples=writer.samples if writer and audio_path else 0,
        timings=timings,
    )


def _decode(container, video, audio, sampler: FrameSampler, writer: AudioWriter | None, options) -> None:
    streams = [video] + ([audio] if audio is not None else [])
    limit = options.max_duration
    try:
        for packet in container.demux(*streams):
            if packet.stream is video:
                for frame in packet.decode():
                    sampler.feed(frame)
                if limit and sampler.last_time > limit + 1:
                    check_limits(
                        ProbeInfo(container.format.name, sampler.last_time, None, 1, 1, ""),
                        max_duration=limit,
                        max_pixels=None,
                    )
            elif writer is not None:
                for frame in packet.decode():
                    writer.feed(frame)
    except av.error.FFmpegError as exc:
        raise MediaError(
            MediaErrorCode.TRUNCATED,
            f"The video is damaged after {sampler.last_time:.1f} s and cannot be decoded further "
            "(it was probably cut off). Upload the complete file.",
        ) from exc


def _check_complete(info: ProbeInfo, sampler: FrameSampler) -> float:
    """The duration to record; refuses a video whose pictures stop well before its declared end."""
    if not sampler.frames:
        raise MediaError(
            MediaErrorCode.TRUNCATED,
            "No complete picture could be decoded from the video track: the file was probably cut off.",
        )
    frame_span = 1.0 / info.fps if info.fps else 0.0
    decoded = sampler.last_time + frame_span
    declared = info.duration
    if declared and declared > 2.0 and decoded < 0.9 * declared - 0.5:
        raise MediaError(
            MediaErrorCode.TRUNCATED,
            f"The pictures stop at {decoded:.1f} s of the {declared:.1f} s the file declares: it was probably "
            "cut off during upload or copy. Upload the complete file.",
        )
    return declared if declared and declared > 0 else decoded


def _write_outputs(sampler: FrameSampler, out_dir: Path, options: MediaOptions) -> tuple[Path, Path, Path]:
    frames_path, poster_path, strip_path = out_dir / FRAMES_NAME, out_dir / POSTER_NAME, out_dir / STRIP_NAME
    np.save(frames_path, sampler.array(), allow_pickle=False)
    Image.fromarray(sampler.poster).save(poster_path, "JPEG", quality=options.jpeg_quality)
    Image.fromarray(sampler.strip()).save(strip_path, "JPEG", quality=options.jpeg_quality)
    return frames_path, poster_path, strip_path
