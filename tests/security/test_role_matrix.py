"""The role matrix (issue 7): every API operation and every page, called as each role (and anonymously)
with an empty body, answers as the table in _matrix.py says: allowed, denied or hidden, nothing more.
A new operation or page fails the completeness tests until it has a row. Then the same enumeration, as
an annotator of project A, on project B: no URL naming B's objects answers anything but 403 or 404, and
no list or page shows B's clips."""

from __future__ import annotations

import functools

import pytest
from django.contrib.messages import get_messages
from django.db import transaction
from django.test import Client, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from annotation.models import Label, Task

from . import _matrix as m
from ._world import SECRET, world_build, world_fingerprint

pytestmark = pytest.mark.django_db
DENIED_BY_MESSAGE = "Your role does not allow"
LOGIN_REDIRECTS = ("/accounts/login/?next=", "/admin/login/?next=")


@pytest.fixture(scope="module")
def built_world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, built once for the module inside a transaction that is rolled back at its end. Each test
    runs in a savepoint inside it (pytest-django's `db`), so what one case writes is gone for the next."""
    media = tmp_path_factory.mktemp("matrix-media")
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=str(media), PASSWORD_HASHERS=fast),
        transaction.atomic(),
    ):
        world = world_build()
        yield world, world_fingerprint()
        transaction.set_rollback(True)


@pytest.fixture
def world(built_world, db):
    world, fingerprint = built_world
    assert world_fingerprint() == fingerprint, "an earlier case's writes outlived it"
    return world


@functools.cache
def request_formats() -> dict:
    return m.request_formats()


def cases(table: dict) -> list:
    """One case per (operation, role), a strict xfail where _matrix.KNOWN_WRONG says the code is wrong."""
    return [
        pytest.param(
            method,
            path,
            role,
            expected,
            id=f"{method} {path} {role}",
            marks=[pytest.mark.xfail(strict=True, reason=m.KNOWN_WRONG[(method, path, role)])]
            if (method, path, role) in m.KNOWN_WRONG
            else [],
        )
        for (method, path), row in table.items()
        for role, expected in row.items()
    ]


# -- calling and judging --------------------------------------------------------------------------------


def api_client(world, role: str) -> APIClient:
    """A client with the role's API token (the real authentication path); no credentials when anonymous."""
    client = APIClient()
    if role != "anonymous":
        token, _ = Token.objects.get_or_create(user=world.users[role])
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def page_client(world, role: str) -> Client:
    client = Client()
    if role != "anonymous":
        client.force_login(world.users[role])
    return client


def call(client, method: str, url: str, body_format: str = "json", data: dict | None = None):
    """The request, with an empty body unless `data` is given: allowed roles get an answer about the data
    (often a 400), the others their refusal."""
    if method in ("GET", "DELETE"):
        return getattr(client, method.lower())(url)
    if isinstance(client, APIClient):
        return getattr(client, method.lower())(url, data or {}, format=body_format)
    return getattr(client, method.lower())(url, data or {})


def api_url(world, path: str, role: str, *, other: bool = False) -> str:
    found = m.API_RESOURCE.match(path)
    if not found:
        return path
    resource = found.group(1)
    pk = world.other_api_object(resource) if other else world.api_object(resource, role)
    return path.replace("{id}", str(pk))


def page_url(world, path: str, *, other: bool = False) -> str:
    url = path
    for argument, value in m.PAGE_ARGUMENTS.items():
        url = url.replace(argument, value)
    if "<int:pk>" in url:
        name = next(name for prefix, name in m.PAGE_OBJECTS if path.startswith(prefix))
        url = url.replace("<int:pk>", str(world.other_page_object(name) if other else world.page_object(name)))
    return url


def api_outcome(response) -> str:
    code = response.status_code
    if code in (401, 403):
        return m.DENY
    if code == 404:
        return m.HIDDEN
    if code >= 500 or code in (405, 415):
        return f"unexpected {code}"
    return m.ALLOW


def page_outcome(response) -> str:
    code = response.status_code
    refused = [str(msg) for msg in get_messages(response.wsgi_request) if DENIED_BY_MESSAGE in str(msg)]
    if code in (401, 403) or refused or (code == 302 and response["Location"].startswith(LOGIN_REDIRECTS)):
        return m.DENY
    if code == 404:
        return m.HIDDEN
    if code >= 500 or code == 405:
        return f"unexpected {code}"
    return m.ALLOW


def body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


# -- the table covers everything there is ---------------------------------------------------------------


def test_the_table_has_every_api_operation_and_nothing_else():
    operations = m.schema_operations()
    assert sorted(operations - set(m.API)) == [], "new operations: give each a row in _matrix.API_TABLE"
    assert sorted(set(m.API) - operations) == [], "rows of _matrix.API_TABLE for operations that are gone"
    assert set(request_formats()) >= operations


def test_the_table_has_every_page_and_nothing_else():
    in_schema = {m.shape(path) for _, path in m.schema_operations()}
    pages = {template for template in m.url_templates() if m.shape(template) not in in_schema}
    listed = {path for _, path in m.PAGES} - {"/admin/"}
    assert sorted(pages - listed) == [], "new pages: give each a row (and its methods) in _matrix.PAGE_TABLE"
    assert sorted(listed - pages) == [], "rows of _matrix.PAGE_TABLE for pages that are gone"


def test_known_wrong_cases_name_rows_of_the_tables():
    for method, path, role in m.KNOWN_WRONG:
        assert (method, path) in {**m.API, **m.PAGES} and role in m.ROLES, (method, path, role)


# -- each role gets what the table says ------------------------------------------------------------------


@pytest.mark.parametrize(("method", "path", "role", "expected"), cases(m.API))
def test_api(world, method, path, role, expected):
    url = api_url(world, path, role)
    response = call(api_client(world, role), method, url, request_formats()[(method, path)])
    assert api_outcome(response) == expected, f"{method} {url} as {role}: {response.status_code} {body(response)[:300]}"


@pytest.mark.parametrize(("method", "path", "role", "expected"), cases(m.PAGES))
def test_page(world, method, path, role, expected):
    url = page_url(world, path)
    response = call(page_client(world, role), method, url)
    detail = response.get("Location") or body(response)[:300]
    assert page_outcome(response) == expected, f"{method} {url} as {role}: {response.status_code} {detail}"


# -- another project's objects, through every URL that names one -----------------------------------------


def test_an_annotator_gets_nothing_through_urls_of_another_project(world):
    """The annotator of A, on every API path and page that names a project, clip, task, lease or label of B:
    403 or 404 for every method, never an answer with data. API writes carry a body that would be valid
    (a label, a skip reason, a review decision), so that the answer comes from looking the object up."""
    api, page = api_client(world, "annotator"), page_client(world, "annotator")
    valid = {"category": world.category.pk, "reason": "cross-project", "decision": "reject"}
    answers, resources = {}, set()
    for method, path in m.API:
        found = m.API_RESOURCE.match(path)
        if found and found.group(1) in m.PROJECT_SCOPED_API:
            resources.add(found.group(1))
            url = api_url(world, path, "annotator", other=True)
            response = call(api, method, url, request_formats()[(method, path)], valid)
            answers[f"{method} {url}"] = response.status_code
    for method, path in m.PAGES:
        if path.startswith(m.PROJECT_SCOPED_PAGES):
            resources.add(next(prefix for prefix in m.PROJECT_SCOPED_PAGES if path.startswith(prefix)))
            url = page_url(world, path, other=True)
            answers[f"{method} {url}"] = call(page, method, url).status_code
    assert resources == {*m.PROJECT_SCOPED_API, *m.PROJECT_SCOPED_PAGES}
    assert {url: code for url, code in answers.items() if code not in (403, 404)} == {}


def test_no_list_or_page_shows_another_projects_clips(world):
    """Every GET without a path parameter (API lists, pages) as the annotator of A: B's clips appear nowhere.
    The editor, who sees every clip, finds them in the same lists, so the check can see them."""
    for path in ("/api/clips/", "/api/predictions/", "/api/suggestions/"):
        assert SECRET in body(api_client(world, "editor").get(path)), path
    assert SECRET in body(page_client(world, "editor").get("/clips/"))
    api, page = api_client(world, "annotator"), page_client(world, "annotator")
    shown = [
        f"GET {path}" for method, path in m.API if method == "GET" and "{" not in path and SECRET in body(api.get(path))
    ] + [
        f"GET {path}"
        for method, path in m.PAGES
        if method == "GET" and "<" not in path and SECRET in body(page.get(path, follow=True))
    ]
    assert shown == []


# -- what an annotator reads about the tasks they label ------------------------------------------------


def gold_answers_seen(world, role: str) -> list:
    """The gold categories `role` reads through the task list and the task detail, with one task of A gold."""
    Task.objects.filter(pk=world.task.pk).update(is_gold=True, gold_category=world.category)
    api = api_client(world, role)
    tasks = [*api.get("/api/tasks/", {"project": world.project.pk}).json()["results"]]
    tasks.append(api.get(f"/api/tasks/{world.task.pk}/").json())
    return [task.get("gold_category") for task in tasks if task.get("gold_category")]


def test_people_who_set_up_and_review_projects_see_gold_answers(world):
    for role in ("reviewer", "editor", "admin"):
        assert len(gold_answers_seen(world, role)) == 2, role


def test_annotators_never_see_gold_answers(world):
    assert gold_answers_seen(world, "annotator") == []
    api = api_client(world, "annotator")
    detail = api.get(f"/api/tasks/{world.task.pk}/")
    assert detail.status_code == 200  # the task they labeled is readable, its gold answer is not
    assert (detail.json()["is_gold"], detail.json()["gold_category"]) == (None, None)
    assert api.get("/api/tasks/", {"project": world.project.pk, "is_gold": "true"}).status_code == 403


def test_annotators_see_only_their_own_labels(world):
    """Overlap means independent labels: an annotator doesn't read the others' labels of the same clip."""
    peer = Label.objects.create(
        task=world.task, annotator=world.users["reviewer"], kind="label", category=world.category,
        release=world.release,
    )  # fmt: skip
    annotator, reviewer = api_client(world, "annotator"), api_client(world, "reviewer")
    mine = {row["id"] for row in annotator.get("/api/labels/", {"project": world.project.pk}).json()["results"]}
    assert world.label.pk in mine and peer.pk not in mine
    assert annotator.get(f"/api/labels/{peer.pk}/").status_code == 404
    in_task = {row["id"] for row in annotator.get(f"/api/tasks/{world.task.pk}/").json()["labels"]}
    assert world.label.pk in in_task and peer.pk not in in_task
    everyone = {row["id"] for row in reviewer.get("/api/labels/", {"project": world.project.pk}).json()["results"]}
    assert {world.label.pk, peer.pk} <= everyone
