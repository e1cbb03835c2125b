"""The clip and program pages render for every role, filter, and refuse edits a role may not make."""

from __future__ import annotations

import pytest
from django.test import Client

from annotation import services
from annotation.models import Clip


@pytest.fixture
def client_as(users):
    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return make


@pytest.fixture
def clips(upload):
    program = services.program_create(title="Planet Close-up", year=2023, description="Nature")
    ready = services.clip_process(clip_id=upload("vp9-mono.webm", title="Wild horses", program=program).pk)
    failed = services.clip_process(clip_id=upload("text.mp4", title="Shopping list", tags=["junk"]).pk)
    pending = upload("one-frame.mp4", title="Still waiting")
    return {"program": program, "ready": ready, "failed": failed, "pending": pending}


def test_clip_list_with_thumbnails_and_filters(client_as, clips, users, grant_clips):
    grant_clips(users["annotator"], clips["ready"], clips["failed"], clips["pending"])
    page = client_as("annotator").get("/clips/").content.decode()
    assert "Wild horses" in page and "Shopping list" in page and "Still waiting" in page
    assert f"/clips/{clips['ready'].pk}/poster" in page and "data-strip=" in page
    assert "Upload clips" not in page  # annotators do not upload
    filtered = client_as("annotator").get("/clips/?status=failed").content.decode()
    assert "Shopping list" in filtered and "Wild horses" not in filtered
    assert "Wild horses" in client_as("annotator").get(f"/clips/?program={clips['program'].pk}").content.decode()
    assert "Wild horses" not in client_as("annotator").get("/clips/?tag=junk").content.decode()
    assert "Wild horses" in client_as("annotator").get("/clips/?q=horses").content.decode()


def test_clip_page_shows_player_metadata_strip_and_errors(client_as, clips, users, grant_clips):
    grant_clips(users["annotator"], clips["ready"], clips["failed"])
    page = client_as("annotator").get(f"/clips/{clips['ready'].pk}/").content.decode()
    assert f'src="/clips/{clips["ready"].pk}/video"' in page and "frames-strip" in page
    assert "176×144" in page and "vp9" in page
    failed = client_as("annotator").get(f"/clips/{clips['failed'].pk}/").content.decode()
    assert "Not a video" in failed and "not a video ClipCat can read" in failed
    pending = client_as("editor").get(f"/clips/{clips['pending'].pk}/").content.decode()
    assert "data-poll" in pending and "clip-edit" in pending


def test_edit_and_reprocess_from_the_page(client_as, clips, users, grant_clips):
    clip = clips["failed"]
    grant_clips(users["annotator"], clip)  # they may see it, not edit it
    response = client_as("editor").post(f"/clips/{clip.pk}/", {"title": "Renamed", "tags": "a, b", "program": ""})
    assert response.status_code == 302
    clip.refresh_from_db()
    assert clip.title == "Renamed" and sorted(clip.tags.values_list("name", flat=True)) == ["a", "b"]
    assert client_as("annotator").post(f"/clips/{clip.pk}/", {"title": "No"}).status_code == 403
    client_as("editor").post(f"/clips/{clip.pk}/reprocess/")
    assert Clip.objects.get(pk=clip.pk).status == "pending"


def test_upload_page_for_uploaders_only(client_as, db):
    page = client_as("editor").get("/clips/upload/").content.decode()
    assert 'id="dropzone"' in page and "/api/clips/" in page and "upload.js" in page
    assert client_as("annotator").get("/clips/upload/").status_code == 403


def test_program_pages(client_as, clips, users, grant_clips):
    grant_clips(users["annotator"], clips["ready"], clips["failed"])
    listing = client_as("reviewer").get("/programs/").content.decode()
    assert "Planet Close-up" in listing and "New program" in listing
    detail = client_as("annotator").get(f"/programs/{clips['program'].pk}/").content.decode()
    assert "Wild horses" in detail and "Shopping list" not in detail
    response = client_as("editor").post("/programs/", {"title": "Kitchen Nights", "kind": "show", "year": 2024})
    assert response.status_code == 302
    assert client_as("annotator").post("/programs/", {"title": "X", "kind": "show"}).status_code == 403


def test_navigation_has_clips_and_programs(client_as, db):
    page = client_as("annotator").get("/clips/").content.decode()
    assert 'href="/clips/"' in page and 'href="/programs/"' in page


def test_anonymous_is_sent_to_login(clips):
    assert Client().get("/clips/")["Location"].startswith("/accounts/login")
