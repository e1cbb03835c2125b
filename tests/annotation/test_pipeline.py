"""The Django-free media pipeline on real generated files: probe figures, sampling, audio, thumbnails,
and the reason for every kind of broken file."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from annotation.media import MediaError, MediaOptions, probe_video, process_video
from annotation.media.synth import write_video

from .conftest import VIDEOS

READY = [name for name, (_, expected) in VIDEOS.items() if expected["status"] == "ready"]
BROKEN = [name for name, (_, expected) in VIDEOS.items() if expected["status"] == "failed"] + ["empty.mp4"]


@pytest.mark.parametrize("name", READY)
def test_ready_videos_give_probe_figures_frames_audio_and_thumbnails(videos, tmp_path, name):
    expected = VIDEOS[name][1]
    result = process_video(videos[name], tmp_path)
    assert (result.probe.width, result.probe.height) == (expected["width"], expected["height"])
    if "fps" in expected:
        assert result.probe.fps == pytest.approx(expected["fps"], rel=0.02)
    if "duration" in expected:
        assert result.duration == pytest.approx(expected["duration"], abs=0.1)
        assert result.frame_count == round(expected["duration"])  # one per second by default
    if "video_codec" in expected:
        assert result.probe.video_codec == expected["video_codec"]
    frames = np.load(result.frames_path)
    assert frames.dtype == np.uint8 and frames.shape == (result.frame_count, 224, 224, 3)
    assert frames.std() > 1  # real pictures, not a blank buffer
    if expected.get("audio_channels"):
        assert result.probe.audio_channels == expected["audio_channels"]
        audio = np.load(result.audio_path)
        assert audio.dtype == np.int16 and audio.ndim == 1
        assert audio.size == pytest.approx(16000 * result.duration, rel=0.1)
        assert np.abs(audio).max() > 1000  # the tone survived the downmix
    else:
        assert result.audio_path is None and not result.has_audio
    poster = Image.open(result.poster_path)
    assert poster.width <= 480 and poster.width / poster.height == pytest.approx(
        expected["width"] / expected["height"], rel=0.1
    )
    strip = Image.open(result.strip_path)
    assert strip.height == 90 and strip.width >= 90 * result.frame_count * 0.4


@pytest.mark.parametrize("name", BROKEN)
def test_broken_files_fail_with_the_reason(videos, tmp_path, name):
    expected = VIDEOS[name][1]["error_code"] if name in VIDEOS else "empty"
    with pytest.raises(MediaError) as caught:
        process_video(videos[name], tmp_path)
    assert caught.value.code == expected
    assert len(caught.value.reason) > 30 and "Error" not in caught.value.reason


def test_sampling_rate_is_lowered_to_keep_under_the_frame_cap(tmp_path):
    path = write_video(tmp_path / "ten.mp4", width=64, height=48, fps=10, seconds=10)
    result = process_video(path, tmp_path / "out", MediaOptions(frame_rate=2.0, max_frames=5))
    assert result.sample_rate == pytest.approx(0.5)
    assert result.frame_count == 5
    assert result.frame_times == pytest.approx([0, 2, 4, 6, 8], abs=0.11)


def test_frame_rate_setting_and_centre_crop(tmp_path):
    def picture(index, seconds):  # left half red, right half blue, in a wide frame
        image = np.zeros((90, 320, 3), np.uint8)
        image[:, :160, 0] = 255
        image[:, 160:, 2] = 255
        return image

    path = write_video(tmp_path / "wide.mp4", width=320, height=90, fps=10, seconds=2, picture=picture)
    result = process_video(path, tmp_path / "out", MediaOptions(frame_rate=4.0))
    assert result.frame_count == 8
    frames = np.load(result.frames_path)
    # the crop is the centre: red on the left half of the crop, blue on the right
    assert frames[0, 112, 20, 0] > 200 and frames[0, 112, 200, 2] > 200


def test_limits_too_long_and_too_large(videos):
    with pytest.raises(MediaError) as long:
        probe_video(videos["h264-stereo.mp4"], max_duration=1)
    assert long.value.code == "too_long" and "0:00:02" in long.value.reason
    with pytest.raises(MediaError) as large:
        probe_video(videos["h264-stereo.mp4"], max_pixels=100 * 100)
    assert large.value.code == "too_large" and "160x120" in large.value.reason


def test_file_objects_work_as_well_as_paths(videos, tmp_path):
    with open(videos["vp9-mono.webm"], "rb") as handle:
        result = process_video(handle, tmp_path)
    assert result.probe.video_codec == "vp9" and result.frame_count == 3
