"""The labeling API end to end on the real database: lease, submit, skip, review, export, import."""

import csv
import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from annotation.models import Label, Task


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def project(make_project):
    return make_project(n_clips=3, overlap=2, name="API project")


def test_annotator_flow(project, annotators, cat):
    client = client_for(annotators[0])
    lease = client.post(f"/api/projects/{project.pk}/next/", {}, format="json").json()
    assert lease["clip"]["title"].startswith("clip") and lease["suggestion"] is None
    preload = client.post(f"/api/projects/{project.pk}/next/", {"exclude": [lease["id"]]}, format="json").json()
    assert preload["id"] != lease["id"]
    response = client.post(
        f"/api/assignments/{lease['id']}/submit/",
        {"category": cat("cats").pk, "time_spent_ms": 4200},
        format="json",
    )
    assert response.status_code == 201 and response.json()["feedback"] is None
    again = client.post(f"/api/assignments/{lease['id']}/submit/", {"category": cat("cats").pk}, format="json")
    assert again.status_code == 400 and "already submitted" in str(again.json())
    skip = client.post(f"/api/assignments/{preload['id']}/skip/", {"reason": "No picture"}, format="json")
    assert skip.status_code == 201
    me = client.get(f"/api/projects/{project.pk}/me/").json()
    assert (me["labeled"], me["skipped"], me["remaining"]) == (1, 1, 1)
    assert me["seconds_per_label"] == 4.2


def test_non_members_and_other_roles(project, users, annotators, cat):
    from accounts.services import user_create_with_role

    outsider = user_create_with_role(username="outsider", password="a-long-test-password", role="annotator")
    assert client_for(outsider).post(f"/api/projects/{project.pk}/next/", {}, format="json").status_code == 404
    assert client_for(outsider).get("/api/projects/").json()["count"] == 0
    assert client_for(outsider).get("/api/tasks/").json()["count"] == 0
    # a reviewer who is not a member cannot see it either; an editor (manager) can
    assert client_for(users["editor"]).get("/api/projects/").json()["count"] == 1
    lease = client_for(annotators[0]).post(f"/api/projects/{project.pk}/next/", {}, format="json").json()
    # nobody else can submit on someone's lease
    response = client_for(annotators[1]).post(
        f"/api/assignments/{lease['id']}/submit/", {"category": cat("cats").pk}, format="json"
    )
    assert response.status_code == 404
    # annotators cannot create projects or review
    response = client_for(annotators[0]).post(
        "/api/projects/", {"name": "x", "taxonomy": project.taxonomy_id}, format="json"
    )
    assert response.status_code == 403
    task = Task.objects.filter(project=project).first()
    response = client_for(annotators[0]).post(f"/api/tasks/{task.pk}/review/", {"decision": "reject"}, format="json")
    assert response.status_code == 403


def test_review_through_the_api(project, annotators, users, cat):
    from annotation.services.projects import project_member_set

    project_member_set(project=project, user=users["reviewer"], role="reviewer")
    for user, code in [(annotators[0], "match-highlights"), (annotators[1], "training")]:
        client = client_for(user)
        lease = client.post(f"/api/projects/{project.pk}/next/", {}, format="json").json()
        client.post(f"/api/assignments/{lease['id']}/submit/", {"category": cat(code).pk}, format="json")
    reviewer = client_for(users["reviewer"])
    tasks = reviewer.get("/api/tasks/", {"project": project.pk, "status": "review"}).json()["results"]
    assert len(tasks) == 1
    detail = reviewer.get(f"/api/tasks/{tasks[0]['id']}/").json()
    assert {lb["category"]["code"] for lb in detail["labels"]} == {"match-highlights", "training"}
    chosen = next(lb for lb in detail["labels"] if lb["category"]["code"] == "training")
    response = reviewer.post(
        f"/api/tasks/{tasks[0]['id']}/review/", {"decision": "accept", "label": chosen["id"]}, format="json"
    )
    assert response.status_code == 201
    task = Task.objects.get(pk=tasks[0]["id"])
    assert task.final_category == cat("training") and task.final_decided_by == users["reviewer"]


def test_export_csv_and_json_and_import(project, annotators, users, cat):
    for user in annotators[:2]:
        client = client_for(user)
        lease = client.post(f"/api/projects/{project.pk}/next/", {}, format="json").json()
        client.post(f"/api/assignments/{lease['id']}/submit/", {"category": cat("cats").pk}, format="json")
    manager = client_for(users["editor"])
    response = manager.get(f"/api/projects/{project.pk}/export/", {"file_format": "csv"})
    assert response.streaming
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 3
    done = [r for r in rows if r["status"] == "done"]
    assert len(done) == 1 and done[0]["category_path"] == "Nature > Animals > Cats"
    assert (done[0]["level1"], done[0]["level3"], done[0]["release"], done[0]["source"]) == (
        "nature",
        "cats",
        "1.0",
        "agreement",
    )
    data = json.loads(
        b"".join(manager.get(f"/api/projects/{project.pk}/export/", {"file_format": "json"}).streaming_content)
    )
    assert data["release"] == "1.0" and len(data["clips"]) == 3

    open_clips = [r["clip_id"] for r in rows if r["status"] != "done"]
    body = "clip_id,category_code\n" + "".join(f"{c},training\n" for c in open_clips)
    bad = manager.post(
        f"/api/projects/{project.pk}/import-labels/",
        {"file": SimpleUploadedFile("l.csv", (body + "999999,training\n").encode())},
        format="multipart",
    )
    assert bad.status_code == 400 and "not in this project" in str(bad.json())
    assert Task.objects.filter(project=project, final_source="import").count() == 0  # nothing half-imported
    good = manager.post(
        f"/api/projects/{project.pk}/import-labels/",
        {"file": SimpleUploadedFile("l.csv", body.encode())},
        format="multipart",
    )
    assert good.json() == {"imported": 2}
    assert Task.objects.filter(project=project, final_category=cat("training")).count() == 2


def test_export_neutralises_formulas(make_project, annotators, cat):
    from annotation.models import Clip

    project = make_project(n_clips=1, overlap=1, prefix="=HYPERLINK(x)")
    assert Clip.objects.get().title.startswith("=")
    response = client_for(annotators[0]).get(f"/api/projects/{project.pk}/export/")
    text = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK(x) 0" in text


def test_flagged_labels_for_editors(project, annotators, users, cat):
    client = client_for(annotators[0])
    lease = client.post(f"/api/projects/{project.pk}/next/", {}, format="json").json()
    client.post(
        f"/api/assignments/{lease['id']}/submit/",
        {"category": cat("cats").pk, "flagged": True, "flag_comment": "Lions?"},
        format="json",
    )
    flags = client_for(users["editor"]).get("/api/labels/", {"flagged": "true", "taxonomy": project.taxonomy_id})
    assert [(f["category"]["code"], f["flag_comment"]) for f in flags.json()["results"]] == [("cats", "Lions?")]
    assert Label.objects.filter(flagged=True).count() == 1


def test_schema_lists_labeling_endpoints(api):
    paths = api("annotator").get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()["paths"]
    for path in [
        "/api/projects/{id}/next/",
        "/api/assignments/{id}/submit/",
        "/api/tasks/{id}/review/",
        "/api/projects/{id}/export/",
        "/api/projects/{id}/import-labels/",
    ]:
        assert path in paths, path
