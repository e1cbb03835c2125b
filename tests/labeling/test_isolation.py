"""A user of one project cannot read another project's clips, tasks, labels or exports through any URL."""

import pytest
from django.test import Client
from rest_framework.test import APIClient

from annotation.services.labels import label_submit
from annotation.services.queue import task_next_for_annotator


@pytest.fixture
def two_projects(make_project, annotators, cat):
    from accounts.services import user_create_with_role
    from annotation.services.projects import project_member_set

    a = make_project(n_clips=2, name="Project A", prefix="a")
    b = make_project(n_clips=2, name="Project B", prefix="b")
    outsider = user_create_with_role(username="only-a", password="a-long-test-password", role="annotator")
    project_member_set(project=a, user=outsider)
    assignment = task_next_for_annotator(project=b, user=annotators[0])
    label_submit(assignment=assignment, user=annotators[0], category=cat("cats"))
    return a, b, outsider


def test_clips_of_other_projects_are_invisible(two_projects):
    a, b, user = two_projects
    api = APIClient()
    api.force_authenticate(user)
    page = Client()
    page.force_login(user)
    mine = a.tasks.first().clip
    theirs = b.tasks.first().clip
    listed = {c["id"] for c in api.get("/api/clips/", {"page_size": 100}).json()["results"]}
    assert mine.pk in listed and theirs.pk not in listed
    assert api.get(f"/api/clips/{mine.pk}/").status_code == 200
    for url in [
        f"/api/clips/{theirs.pk}/",
        f"/clips/{theirs.pk}/",
        f"/clips/{theirs.pk}/video",
        f"/clips/{theirs.pk}/poster",
        f"/api/projects/{b.pk}/",
        f"/api/projects/{b.pk}/export/",
        f"/api/projects/{b.pk}/stats/",
    ]:
        client = api if url.startswith("/api/") else page
        assert client.get(url).status_code == 404, url
    assert api.get("/api/tasks/", {"project": b.pk}).json()["count"] == 0
    assert api.get("/api/labels/", {"project": b.pk}).json()["count"] == 0
    assert api.post(f"/api/projects/{b.pk}/next/", {}, format="json").status_code == 404


def test_people_who_manage_clips_see_all(two_projects, users):
    _, b, _ = two_projects
    for role in ("editor", "reviewer", "admin"):
        api = APIClient()
        api.force_authenticate(users[role])
        assert api.get(f"/api/clips/{b.tasks.first().clip_id}/").status_code == 200, role
