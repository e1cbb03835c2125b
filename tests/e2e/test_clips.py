"""Clips in the browser: uploading several files at once with progress, then playing and seeking one
(seeking needs HTTP Range answers from the media view)."""

import pytest

from annotation.media.synth import write_video
from annotation.models import Clip

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"


@pytest.fixture
def videos(tmp_path):
    return [
        write_video(tmp_path / "first.mp4", seconds=4, width=320, height=240, audio_channels=2),
        write_video(tmp_path / "second.webm", seconds=3, width=176, height=144, codec="libvpx-vp9"),
    ]


def test_upload_then_play_and_seek(page, login, shot, users, videos, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CLIPCAT_PROCESS_INLINE = True  # the live server processes in the request: no worker needed here
    login("editor1", PASSWORD)
    page.goto("/clips/upload/")
    page.set_input_files("#file-input", [str(v) for v in videos])
    page.wait_for_function("() => document.querySelectorAll('.upload-item a').length === 2", timeout=60_000)
    shot("clips-01-upload")
    assert set(Clip.objects.values_list("original_name", "status")) == {
        ("first.mp4", "ready"),
        ("second.webm", "ready"),
    }

    ranges = []
    page.on("response", lambda r: ranges.append(r.status) if "/video" in r.url else None)
    clip = Clip.objects.get(original_name="first.mp4")
    page.goto(f"/clips/{clip.pk}/")
    page.wait_for_function("() => document.querySelector('#player').readyState >= 1")
    duration = page.evaluate("() => document.querySelector('#player').duration")
    assert duration == pytest.approx(4.0, abs=0.2)
    position = page.evaluate(
        """() => new Promise((resolve) => {
            const v = document.querySelector('#player');
            v.addEventListener('seeked', () => resolve(v.currentTime), { once: true });
            v.currentTime = 2.5;
        })"""
    )
    assert position == pytest.approx(2.5, abs=0.1)
    page.evaluate("() => document.querySelector('#player').play()")
    page.wait_for_function("() => document.querySelector('#player').currentTime > 2.6", timeout=10_000)
    shot("clips-02-player")
    assert 206 in ranges, ranges  # the player asked for byte ranges and got them

    page.goto("/clips/")
    shot("clips-03-list")
    assert page.locator("a.clip-card").count() == 2
    assert page.locator("a.clip-card img").count() == 2  # posters were made
