"""The clips and programs API: multipart upload, JSON metadata, filters, permissions, the schema."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from annotation import services
from annotation.choices import ClipStatus


def _file(videos, name):
    return SimpleUploadedFile(name, videos[name].read_bytes(), content_type="video/mp4")


def test_multipart_upload_creates_a_pending_clip(api, videos):
    response = api("editor").post(
        "/api/clips/",
        {"file": _file(videos, "h264-stereo.mp4"), "title": "Goal!", "tags": "goals,derby"},
        format="multipart",
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["status"] == "pending" and data["title"] == "Goal!" and data["tags"] == ["derby", "goals"]
    assert data["video_url"].endswith(f"/clips/{data['id']}/video") and data["poster_url"] is None
    assert data["source"] == "upload"


def test_duplicate_upload_names_the_existing_clip(api, videos, upload):
    existing = upload("vp9-mono.webm", title="First copy")
    response = api("editor").post("/api/clips/", {"file": _file(videos, "vp9-mono.webm")}, format="multipart")
    assert response.status_code == 400
    assert response.json()["duplicate_of"] == existing.pk and "First copy" in response.json()["file"][0]


def test_wrong_type_and_size_are_400(api, settings):
    client = api("editor")
    response = client.post("/api/clips/", {"file": SimpleUploadedFile("a.txt", b"text")}, format="multipart")
    assert response.status_code == 400 and "not a video file" in response.json()["file"][0]
    settings.CLIPCAT_MAX_UPLOAD_BYTES = 10
    response = client.post("/api/clips/", {"file": SimpleUploadedFile("a.mp4", b"x" * 100)}, format="multipart")
    assert response.status_code == 400 and "up to 10 bytes" in str(response.json())


@pytest.mark.parametrize(("role", "allowed"), [("annotator", False), ("reviewer", True), ("admin", True)])
def test_who_may_upload(api, videos, role, allowed):
    response = api(role).post("/api/clips/", {"file": _file(videos, "one-frame.mp4")}, format="multipart")
    assert response.status_code == (201 if allowed else 403)


def test_json_metadata_edit_and_reprocess(api, upload):
    clip = services.clip_process(clip_id=upload("tiny-mpeg4.avi").pk)
    program = services.program_create(title="Kitchen Nights", kind="show", year=2024)
    response = api("editor").patch(
        f"/api/clips/{clip.pk}/",
        {"title": "Stew", "tags": ["food", "stew"], "program": program.pk, "description": "Step one"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["program"]["title"] == "Kitchen Nights" and response.json()["tags"] == ["food", "stew"]
    assert api("annotator").patch(f"/api/clips/{clip.pk}/", {"title": "x"}, format="json").status_code == 403
    response = api("editor").post(f"/api/clips/{clip.pk}/reprocess/")
    assert response.status_code == 202 and response.json()["status"] == "pending"


def test_filters_status_program_tag_search(api, upload):
    program = services.program_create(title="Planet Close-up", year=2023)
    ready = services.clip_process(clip_id=upload("vp9-mono.webm", title="Wild horses", program=program).pk)
    services.clip_process(clip_id=upload("text.mp4", title="Broken", tags=["junk"]).pk)
    upload("one-frame.mp4", title="Waiting")
    client = api("reviewer")  # reviewers see every clip; annotators only their projects' (tests/labeling)

    def titles(query: str) -> set[str]:
        return {c["title"] for c in client.get(f"/api/clips/?{query}").json()["results"]}

    assert titles("status=ready") == {ready.title}
    assert titles("status=failed&error_code=not_video") == {"Broken"}
    assert titles("status=pending&status=failed") == {"Broken", "Waiting"}
    assert titles(f"program={program.pk}") == {"Wild horses"}
    assert titles("tag=JUNK") == {"Broken"}
    assert titles("q=horses") == {"Wild horses"}
    assert titles("has_audio=true") == {"Wild horses"}
    programs = client.get("/api/programs/?q=planet").json()["results"]
    assert [(p["title"], p["clip_count"]) for p in programs] == [("Planet Close-up", 1)]


def test_programs_crud_and_permissions(api):
    response = api("editor").post("/api/programs/", {"title": "Night Sky", "kind": "film", "year": 2020}, format="json")
    assert response.status_code == 201 and response.json()["clip_count"] == 0
    pk = response.json()["id"]
    again = api("editor").post("/api/programs/", {"title": "Night Sky", "kind": "film", "year": 2020}, format="json")
    assert again.status_code == 400 and "exists already" in str(again.json())
    assert api("annotator").post("/api/programs/", {"title": "X"}, format="json").status_code == 403
    assert api("editor").patch(f"/api/programs/{pk}/", {"year": 2021}, format="json").json()["year"] == 2021
    assert api(None).get("/api/programs/").status_code in (401, 403)


def test_schema_lists_clips_and_programs_with_filters(api):
    schema = api("annotator").get("/api/schema/?format=json").json()
    assert {"/api/clips/", "/api/clips/{id}/", "/api/clips/{id}/reprocess/", "/api/programs/"} <= set(schema["paths"])
    params = {p["name"] for p in schema["paths"]["/api/clips/"]["get"]["parameters"]}
    assert {"status", "program", "tag", "q", "has_audio"} <= params
    assert "multipart/form-data" in schema["paths"]["/api/clips/"]["post"]["requestBody"]["content"]


def test_clip_counts_by_status(upload):
    from annotation import selectors
    from annotation.models import Clip

    upload("one-frame.mp4")
    assert selectors.clip_status_counts(Clip.objects.all())[ClipStatus.PENDING] == 1
