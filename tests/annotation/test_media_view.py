"""The media view: HTTP Range for seeking (206 with the right bytes, 416), and who may fetch media."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from annotation import services


@pytest.fixture
def clip(upload):
    return services.clip_process(clip_id=upload("h264-stereo.mp4").pk)


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_whole_file_and_ranges(clip, users, videos, grant_clips):
    data = videos["h264-stereo.mp4"].read_bytes()
    grant_clips(users["annotator"], clip)
    client = _client(users["annotator"])
    url = f"/clips/{clip.pk}/video"
    whole = client.get(url)
    assert whole.status_code == 200 and _body(whole) == data
    assert whole["Accept-Ranges"] == "bytes" and whole["Content-Type"] == "video/mp4"
    part = client.get(url, HTTP_RANGE="bytes=100-199")
    assert part.status_code == 206 and _body(part) == data[100:200]
    assert part["Content-Range"] == f"bytes 100-199/{len(data)}" and part["Content-Length"] == "100"
    tail = client.get(url, HTTP_RANGE="bytes=-50")
    assert tail.status_code == 206 and _body(tail) == data[-50:]
    open_end = client.get(url, HTTP_RANGE=f"bytes={len(data) - 10}-")
    assert _body(open_end) == data[-10:]
    beyond = client.get(url, HTTP_RANGE=f"bytes={len(data)}-")
    assert beyond.status_code == 416 and beyond["Content-Range"] == f"bytes */{len(data)}"
    several = client.get(url, HTTP_RANGE="bytes=0-1,5-6")  # not supported: the whole file is a valid answer
    assert several.status_code == 200


def test_derived_media(clip, users, grant_clips):
    client = _client(users["annotator"])
    assert client.get(f"/clips/{clip.pk}/poster").status_code == 404  # not in any of their projects
    grant_clips(users["annotator"], clip)
    poster = client.get(f"/clips/{clip.pk}/poster")
    assert poster.status_code == 200 and poster["Content-Type"] == "image/jpeg"
    assert client.get(f"/clips/{clip.pk}/frames").status_code == 200
    assert client.get(f"/clips/{clip.pk}/nonsense").status_code == 404


def test_access_is_checked(clip, db):
    assert _client().get(f"/clips/{clip.pk}/video").status_code == 403
    nobody = get_user_model().objects.create_user("no-role", password="x" * 12)  # signed in, no role
    assert _client(nobody).get(f"/clips/{clip.pk}/video", HTTP_RANGE="bytes=0-9").status_code == 403


def test_missing_clip_is_404(users, db):
    assert _client(users["annotator"]).get("/clips/999999/video").status_code == 404
