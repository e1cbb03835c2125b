"""The classifier's pages: runs, one run, versions and the review of suggestions render for the right people,
with the buttons their role allows, and escape what people typed."""

from __future__ import annotations

import pytest
from django.test import Client

from classifier.choices import ModelStatus
from classifier.services.runs import training_run_request
from taxonomy import services as taxonomy_services
from tests.labeling.conftest import make_clips

from .suggestions import make_version, predict


@pytest.fixture
def as_user(users):
    def make(role: str) -> Client:
        client = Client()
        client.force_login(users[role])
        return client

    return make


@pytest.fixture
def setup(small_taxonomy, editor, cat):
    release = taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)
    make_version(small_taxonomy, release, number=1, status=ModelStatus.RETIRED)
    v2 = make_version(small_taxonomy, release, number=2)
    make_version(small_taxonomy, release, number=3, status=ModelStatus.READY)
    clips = make_clips(2, prefix="<b>page</b>")
    predict(v2, clips[0], cat("cats"), 0.93, (cat("animals"), 0.05))
    predict(v2, clips[1], cat("training"), 0.41)
    run = training_run_request(taxonomy=small_taxonomy, trigger="manual", reason="<script>x</script>", window_s=60)
    return {"run": run, "taxonomy": small_taxonomy}


def test_pages_need_a_login(client, setup):
    for url in ("/models/", "/models/versions/", "/models/review/", f"/models/runs/{setup['run'].pk}/"):
        assert client.get(url).status_code == 302


def test_runs_page_shows_live_runs_and_role_buttons(as_user, setup):
    page = as_user("editor").get("/models/").content.decode()
    assert "Retrain now" in page and f'data-cancel="{setup["run"].pk}"' in page
    assert "&lt;script&gt;x&lt;/script&gt;" in page and "<script>x</script>" not in page
    assert 'href="/models/"' in page  # the nav entry
    page = as_user("annotator").get("/models/").content.decode()
    assert "Retrain now" not in page and "data-cancel" not in page and "Queued" in page
    detail = as_user("annotator").get(f"/models/runs/{setup['run'].pk}/").content.decode()
    assert "Training run #" in detail and 'data-live="1"' in detail


def test_versions_page_offers_promote_and_rollback_to_those_allowed(as_user, setup):
    page = as_user("reviewer").get("/models/versions/").content.decode()
    assert "Roll back to v1" in page and ">Promote<" in page
    page = as_user("editor").get("/models/versions/").content.decode()
    assert "Roll back to" not in page and "data-promote=" not in page and "v2 is active" in page


def test_review_page_for_reviewers_only(as_user, setup, cat):
    assert as_user("annotator").get("/models/review/").status_code == 403
    assert as_user("editor").get("/models/review/").status_code == 403
    page = as_user("reviewer").get("/models/review/").content.decode()
    assert "Nature &gt; Animals &gt; Cats" in page and "&lt;b&gt;page&lt;/b&gt;" in page and "<b>page</b>" not in page
    assert page.count('class="sugg-item"') == 2 and "Bulk accept" in page
    filtered = as_user("reviewer").get("/models/review/", {"category": cat("sports").pk, "min_confidence": "0.2"})
    assert filtered.content.decode().count('class="sugg-item"') == 1
    none = as_user("admin").get("/models/review/", {"min_confidence": "0.99"}).content.decode()
    assert "No suggestions wait here" in none
