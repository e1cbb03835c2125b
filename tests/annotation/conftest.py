"""Test videos, generated with PyAV once per session: several codecs and containers, odd sizes, no audio,
mono, stereo and 5.1, one frame, and broken files (truncated, empty, text, unknown codec)."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files import File

from annotation.media.synth import write_video

# name -> (write_video arguments, expected outcome). Expected: "ready" with probe figures, or an error code.
VIDEOS: dict[str, tuple[dict, dict]] = {
    "h264-stereo.mp4": (
        dict(codec="libx264", width=160, height=120, fps=15, seconds=2, audio_channels=2),
        dict(status="ready", width=160, height=120, fps=15, duration=2.0, video_codec="h264", audio_channels=2),
    ),
    "hevc-5.1.mp4": (
        dict(codec="libx265", width=128, height=72, fps=12, seconds=2, audio_channels=6),
        dict(status="ready", width=128, height=72, fps=12, duration=2.0, video_codec="hevc", audio_channels=6),
    ),
    "vp9-mono.webm": (
        dict(codec="libvpx-vp9", width=176, height=144, fps=10, seconds=3, audio_channels=1, audio_codec="libopus"),
        dict(status="ready", width=176, height=144, fps=10, duration=3.0, video_codec="vp9", audio_channels=1),
    ),
    "av1-silent.mkv": (
        dict(codec="libsvtav1", width=176, height=144, fps=10, seconds=2),
        dict(status="ready", width=176, height=144, fps=10, duration=2.0, video_codec="av1", has_audio=False),
    ),
    "portrait-odd.mov": (
        dict(codec="libx264", width=90, height=158, fps=25, seconds=1, audio_channels=1),
        dict(status="ready", width=90, height=158, fps=25, duration=1.0, video_codec="h264", audio_channels=1),
    ),
    "tiny-mpeg4.avi": (
        dict(codec="mpeg4", width=64, height=48, fps=8, seconds=2),
        dict(status="ready", width=64, height=48, fps=8, duration=2.0, video_codec="mpeg4", has_audio=False),
    ),
    "one-frame.mp4": (
        dict(codec="libx264", width=160, height=120, fps=15, frames=1),
        dict(status="ready", width=160, height=120, frame_count=1, has_audio=False),
    ),
    "truncated.mp4": ({}, dict(status="failed", error_code="truncated")),
    "truncated.mkv": ({}, dict(status="failed", error_code="truncated")),
    "text.mp4": ({}, dict(status="failed", error_code="not_video")),
    "unknown-codec.mkv": ({}, dict(status="failed", error_code="unsupported_codec")),
}


def _make_broken(folder: Path, made: dict[str, Path]) -> None:
    data = made["h264-stereo.mp4"].read_bytes()
    (folder / "truncated.mp4").write_bytes(data[: len(data) // 2])  # moov box at the end: cut off
    long_mkv = write_video(folder / "long.mkv", width=96, height=64, fps=10, seconds=6, audio_channels=2)
    data = long_mkv.read_bytes()
    (folder / "truncated.mkv").write_bytes(data[: len(data) // 3])  # pictures stop at a third
    (folder / "text.mp4").write_text("This is a shopping list, not a video.\n" * 40)
    (folder / "empty.mp4").write_bytes(b"")
    plain = write_video(folder / "plain.mkv", width=64, height=48, fps=8, seconds=1).read_bytes()
    assert plain.count(b"V_MPEG4/ISO/AVC") == 1
    (folder / "unknown-codec.mkv").write_bytes(plain.replace(b"V_MPEG4/ISO/AVC", b"V_ZZZZZ/ISO/AVC"))


@pytest.fixture(scope="session")
def videos(tmp_path_factory) -> dict[str, Path]:
    """name -> path of every test video (see VIDEOS), plus empty.mp4."""
    folder = tmp_path_factory.mktemp("videos")
    made = {name: write_video(folder / name, **spec) for name, (spec, _) in VIDEOS.items() if spec}
    _make_broken(folder, made)
    return {name: folder / name for name in [*VIDEOS, "empty.mp4"]}


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path_factory):
    """Media goes to a temporary folder, never var/media; a live worker brings its own (shared) one."""
    from django.conf import settings as live

    if "worker-var" not in str(live.MEDIA_ROOT):
        settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")
    settings.CLIPCAT_PROCESS_INLINE = False


@pytest.fixture
def upload(videos, users):
    """upload(name, **fields) -> a new clip from a test video (pending; nothing queued inside a test
    transaction)."""
    from annotation import services

    def make(name: str, **fields):
        with open(videos[name], "rb") as handle:
            return services.clip_create(file=File(handle, name=name), actor=users["editor"], **fields)

    return make
