"""The editor pages: every role can read them; only editors' forms change anything, with clear messages."""

import pytest
from django.test import Client

from taxonomy import services
from taxonomy.models import Category, Release

PASSWORD = "a-long-test-password"


@pytest.fixture
def browser_as(users):
    def make(role):
        client = Client()
        client.force_login(users[role])
        return client

    return make


def test_pages_need_login(client, small_taxonomy):
    response = client.get(f"/taxonomy/{small_taxonomy.pk}/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", ["annotator", "reviewer", "editor", "admin"])
def test_every_role_reads_every_page(browser_as, small_taxonomy, cat, role, editor):
    release = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    client = browser_as(role)
    for url in [
        "/taxonomy/",
        f"/taxonomy/{small_taxonomy.pk}/",
        f"/taxonomy/categories/{cat('match-highlights').pk}/",
        f"/taxonomy/{small_taxonomy.pk}/releases/",
        f"/taxonomy/releases/{release.pk}/",
        f"/taxonomy/{small_taxonomy.pk}/audit/",
    ]:
        assert client.get(url).status_code == 200, url


def test_annotator_forms_are_refused(browser_as, small_taxonomy, cat):
    client = browser_as("annotator")
    response = client.post(f"/taxonomy/categories/{cat('cats').pk}/edit/rename/", {"name": "X"}, follow=True)
    assert "does not allow" in response.content.decode()
    assert cat("cats").name == "Cats"
    response = client.post(f"/taxonomy/{small_taxonomy.pk}/publish/", follow=True)
    assert "does not allow" in response.content.decode() and not Release.objects.exists()


def test_editor_forms_work_and_errors_are_shown(browser_as, small_taxonomy, cat):
    client = browser_as("editor")
    client.post(f"/taxonomy/categories/{cat('cats').pk}/edit/rename/", {"name": "Felines", "reason": "r"})
    assert cat("cats").name == "Felines"
    response = client.post(
        f"/taxonomy/categories/{cat('sports').pk}/edit/move/", {"parent": cat("football").pk}, follow=True
    )
    assert "cannot be moved under itself" in response.content.decode()
    client.post(f"/taxonomy/categories/{cat('basketball').pk}/edit/split/", {"parts": "Streetball\nNBA"})
    assert cat("basketball").status == "deprecated"
    assert Category.objects.filter(name__in=["Streetball", "NBA"], parent=cat("sports")).count() == 2
    client.post(
        f"/taxonomy/categories/{cat('cats').pk}/standard/",
        {"definition": "Domestic cats.", "examples": "+ clip:1 a tabby\n- clip:2 a tiger", "change_note": "n"},
    )
    revision = cat("cats").revisions.get()
    assert revision.examples == [
        {"ref": "clip:1", "kind": "positive", "note": "a tabby"},
        {"ref": "clip:2", "kind": "negative", "note": "a tiger"},
    ]


def test_script_in_names_is_escaped(browser_as, small_taxonomy, editor):
    services.category_add(taxonomy=small_taxonomy, name="<script>alert(1)</script>", actor=editor)
    body = browser_as("annotator").get(f"/taxonomy/{small_taxonomy.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
