"""Open a video and read what it is: container, codecs, size, frame rate, duration, audio layout.

Unreadable input becomes a MediaError with a reason a person can act on, never a raw FFmpeg message.
"""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from pathlib import Path

import av

from .errors import MediaError, MediaErrorCode, looks_like_video

Source = str | Path | io.IOBase


@dataclass(frozen=True)
class ProbeInfo:
    """What the container and its first video and audio streams declare."""

    container: str
    duration: float | None
    fps: float | None
    width: int
    height: int
    video_codec: str
    audio_codec: str = ""
    audio_channels: int = 0
    audio_rate: int = 0
    bit_rate: int | None = None

    @property
    def has_audio_track(self) -> bool:
        return bool(self.audio_codec)


def _head(source: Source, size: int = 512) -> bytes:
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return handle.read(size)
    position = source.tell()
    try:
        return source.read(size)
    finally:
        source.seek(position)


def _size(source: Source) -> int:
    if isinstance(source, str | Path):
        return os.path.getsize(source)
    position = source.tell()
    try:
        return source.seek(0, io.SEEK_END)
    finally:
        source.seek(position)


def open_container(source: Source) -> av.container.InputContainer:
    """Open `source` for decoding, or raise the MediaError that explains why it cannot be read."""
    if _size(source) == 0:
        raise MediaError(MediaErrorCode.EMPTY, "The file is empty (0 bytes): the upload or copy did not finish.")
    head = _head(source)
    try:
        return av.open(str(source) if isinstance(source, Path) else source, "r", metadata_errors="ignore")
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        if looks_like_video(head):
            raise MediaError(
                MediaErrorCode.TRUNCATED,
                "The file starts like a video but cannot be read: it was probably cut off during upload or "
                "copy, or it is damaged. Upload the complete file.",
            ) from exc
        raise MediaError(
            MediaErrorCode.NOT_VIDEO,
            "This file is not a video ClipCat can read (its format was not recognised). "
            "Upload an MP4, MOV, MKV or WebM file.",
        ) from exc


def probe_container(
    container: av.container.InputContainer, *, max_duration: float | None = None, max_pixels: int | None = None
) -> ProbeInfo:
    """Describe an open container, and refuse what the limits or the decoders cannot handle."""
    if not container.streams.video:
        raise MediaError(MediaErrorCode.NOT_VIDEO, "The file has no video track (it may be audio only).")
    video = container.streams.video[0]
    context = video.codec_context
    codec = getattr(getattr(context, "codec", None), "canonical_name", "") if context is not None else ""
    if not codec or not context.width or not context.height:
        raise MediaError(
            MediaErrorCode.UNSUPPORTED_CODEC,
            "The video track uses a codec ClipCat cannot decode. Convert it to H.264, H.265, VP9 or AV1.",
        )
    duration = None
    if container.duration:
        duration = container.duration / av.time_base
    elif video.duration and video.time_base:
        duration = float(video.duration * video.time_base)
    rate = video.average_rate or video.guessed_rate or video.base_rate
    audio = container.streams.audio[0] if container.streams.audio else None
    audio_context = audio.codec_context if audio is not None else None
    info = ProbeInfo(
        container=container.format.name,
        duration=duration,
        fps=float(rate) if rate else None,
        width=context.width,
        height=context.height,
        video_codec=codec,
        audio_codec=audio_context.codec.canonical_name if audio_context is not None and audio_context.codec else "",
        audio_channels=audio_context.channels if audio_context is not None else 0,
        audio_rate=audio_context.sample_rate if audio_context is not None else 0,
        bit_rate=container.bit_rate or None,
    )
    check_limits(info, max_duration=max_duration, max_pixels=max_pixels)
    return info


def check_limits(info: ProbeInfo, *, max_duration: float | None, max_pixels: int | None) -> None:
    if max_duration and info.duration and info.duration > max_duration:
        raise MediaError(
            MediaErrorCode.TOO_LONG,
            f"The video is {_clock(info.duration)} long; ClipCat takes videos up to {_clock(max_duration)}. "
            "Cut it into shorter clips.",
        )
    if max_pixels and info.width * info.height > max_pixels:
        raise MediaError(
            MediaErrorCode.TOO_LARGE,
            f"The picture is {info.width}x{info.height}, larger than ClipCat takes ({max_pixels:,} pixels). "
            "Scale it down to 4K or less.",
        )


def probe_video(source: Source, **limits) -> ProbeInfo:
    """Probe a file without decoding it."""
    with open_container(source) as container:
        return probe_container(container, **limits)


def _clock(seconds: float) -> str:
    seconds = int(round(seconds))
    return f"{seconds // 3600}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"
