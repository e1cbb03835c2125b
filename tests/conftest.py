"""Shared fixtures: a user per role, API clients signed in as each, a small three-level taxonomy, and a
database connection to cut."""

from __future__ import annotations

import pytest
from django.db import connection
from rest_framework.test import APIClient

from accounts.services import user_create_with_role
from tests.worker import live_worker  # noqa: F401

PASSWORD = "a-long-test-password"
ROLES = ("admin", "editor", "annotator", "reviewer")


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Tests create many users; a fast hasher keeps them quick (production keeps Django's default)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _small_demo(settings):
    """The demo of `make run` writes ~300 videos; tests build one of 6 clips per category and 4 of none
    (tests/classifier/test_demo_model.py builds the full one once)."""
    settings.CLIPCAT_DEMO_CLIPS_PER_LEAF = 6
    settings.CLIPCAT_DEMO_OUT_OF_SET = 4


@pytest.fixture
def users(db) -> dict:
    return {role: user_create_with_role(username=f"{role}1", password=PASSWORD, role=role) for role in ROLES}


@pytest.fixture
def api(users):
    """api(role) -> an APIClient signed in as that role; api(None) -> anonymous."""

    def make(role: str | None) -> APIClient:
        client = APIClient()
        if role is not None:
            client.force_authenticate(users[role])
        return client

    return make


@pytest.fixture
def editor(users):
    return users["editor"]


@pytest.fixture
def small_taxonomy(editor):
    """Sports > Football > {Match highlights, Training}; Sports > Basketball; Nature > Animals > Cats."""
    from taxonomy import services

    taxonomy = services.taxonomy_create(name="Test taxonomy", actor=editor)
    sports = services.category_add(taxonomy=taxonomy, name="Sports", actor=editor, code="sports")
    football = services.category_add(taxonomy=taxonomy, name="Football", parent=sports, actor=editor, code="football")
    services.category_add(
        taxonomy=taxonomy,
        name="Match highlights",
        parent=football,
        actor=editor,
        code="match-highlights",
        standard={"definition": "Edited highlights of a match."},
    )
    services.category_add(taxonomy=taxonomy, name="Training", parent=football, actor=editor, code="training")
    services.category_add(taxonomy=taxonomy, name="Basketball", parent=sports, actor=editor, code="basketball")
    nature = services.category_add(taxonomy=taxonomy, name="Nature", actor=editor, code="nature")
    animals = services.category_add(taxonomy=taxonomy, name="Animals", parent=nature, actor=editor, code="animals")
    services.category_add(taxonomy=taxonomy, name="Cats", parent=animals, actor=editor, code="cats")
    return taxonomy


@pytest.fixture
def cat(small_taxonomy):
    """cat(code) -> the category of the small taxonomy, fresh from the database."""
    from taxonomy.models import Category

    return lambda code: Category.objects.get(taxonomy=small_taxonomy, code=code)


@pytest.fixture
def grant_clips(small_taxonomy, editor):
    """grant_clips(user, *clips): make `user` a member of a project holding these clips, which is what lets
    an annotator see a clip (any status)."""
    import uuid

    from annotation.models import Project, ProjectMember, Task
    from taxonomy.services import release_publish

    def grant(user, *clips):
        release = small_taxonomy.releases.first() or release_publish(taxonomy=small_taxonomy, actor=editor)
        project = Project.objects.create(
            name=f"Access {uuid.uuid4().hex[:8]}", taxonomy=small_taxonomy, release=release
        )
        Task.objects.bulk_create([Task(project=project, clip=clip) for clip in clips])
        ProjectMember.objects.create(project=project, user=user)
        return project

    return grant


@pytest.fixture
def cut_connection():
    """cut(): PostgreSQL terminates this connection's backend, as a restart or failover would."""
    if connection.vendor != "postgresql":
        pytest.skip("terminating a backend needs PostgreSQL")
    import psycopg2

    def cut() -> None:
        pid = connection.connection.get_backend_pid()
        params = connection.get_connection_params()
        with psycopg2.connect(**params) as other, other.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [pid])

    yield cut
    connection.close()  # the test client keeps connections open between requests; start clean
