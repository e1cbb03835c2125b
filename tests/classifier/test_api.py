"""The classifier API: who may retrain, cancel, promote and review; rollback; prediction filters; and the
text-query classification of a trained model (slow: one test trains for real)."""

from __future__ import annotations

import pytest

from annotation.models import Label, Program
from classifier.choices import ModelStatus, RunStatus
from classifier.models import ModelVersion, SuggestionReview, TrainingRun
from classifier.services.runs import training_run_request
from taxonomy import services as taxonomy_services
from tests.labeling.conftest import make_clips

from .suggestions import make_version, predict

API = "/api/"


@pytest.fixture
def release(small_taxonomy, editor):
    return taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)


@pytest.fixture
def versions(small_taxonomy, release):
    """v1 retired, v2 active, v3 ready (trained but not promoted)."""
    return [
        make_version(small_taxonomy, release, number=1, status=ModelStatus.RETIRED),
        make_version(small_taxonomy, release, number=2, status=ModelStatus.ACTIVE),
        make_version(small_taxonomy, release, number=3, status=ModelStatus.READY),
    ]


@pytest.fixture
def predictions(versions, cat):
    clips = make_clips(4, prefix="api")
    show = Program.objects.create(title="Match of the Day")
    clips[1].program = show
    clips[1].save(update_fields=["program"])
    v1, v2, _ = versions
    made = [
        predict(v2, clips[0], cat("match-highlights"), 0.9, (cat("training"), 0.1)),
        predict(v2, clips[1], cat("training"), 0.7),
        predict(v2, clips[2], cat("cats"), 0.4),
        predict(v2, clips[3], cat("basketball"), 0.2),
    ]
    predict(v1, clips[0], cat("cats"), 0.5)
    return made


def test_roles_for_retrain_and_cancel(api, small_taxonomy, release):
    body = {"taxonomy": small_taxonomy.pk, "reason": "new labels"}
    assert api(None).post(API + "training-runs/", body, format="json").status_code in (401, 403)
    assert api("annotator").post(API + "training-runs/", body, format="json").status_code == 403
    response = api("editor").post(API + "training-runs/", body, format="json")
    assert response.status_code == 201, response.data
    run = response.data
    assert (run["status"], run["trigger"], run["reasons"][0]["reason"], run["requested_by"]) == (
        "queued",
        "manual",
        "new labels",
        "editor1",
    )
    # a second request joins the queued run
    again = api("reviewer").post(API + "training-runs/", {"taxonomy": small_taxonomy.pk}, format="json")
    assert again.status_code == 201 and again.data["id"] == run["id"] and len(again.data["reasons"]) == 2
    listed = api("annotator").get(API + "training-runs/", {"taxonomy": small_taxonomy.pk, "status": "queued"})
    assert listed.status_code == 200 and [r["id"] for r in listed.data["results"]] == [run["id"]]
    for field in (
        "status",
        "stage",
        "progress",
        "epoch",
        "loss",
        "metrics",
        "log",
        "error",
        "reasons",
        "model_version",
    ):
        assert field in listed.data["results"][0]

    cancel = f"{API}training-runs/{run['id']}/cancel/"
    assert api("annotator").post(cancel).status_code == 403
    response = api("reviewer").post(cancel)
    assert response.status_code == 200 and response.data["status"] == "cancelled"
    assert "Cancelled by reviewer1" in response.data["log"]
    again = api("admin").post(cancel)
    assert again.status_code == 400 and "already cancelled" in str(again.data)


def test_cancel_a_running_run_asks_it_to_stop(api, small_taxonomy, release):
    run = training_run_request(taxonomy=small_taxonomy, trigger="manual", reason="x", window_s=0)
    TrainingRun.objects.filter(pk=run.pk).update(status=RunStatus.RUNNING)
    response = api("admin").post(f"{API}training-runs/{run.pk}/cancel/")
    assert response.status_code == 200 and response.data["cancel_requested"] and response.data["status"] == "running"


def test_promote_and_rollback_roles(api, versions, django_capture_on_commit_callbacks):
    v1, v2, v3 = versions
    url = f"{API}model-versions/{{}}/promote/"
    assert api("annotator").post(url.format(v3.pk)).status_code == 403
    assert api("editor").post(url.format(v3.pk)).status_code == 403
    with django_capture_on_commit_callbacks() as callbacks:
        response = api("reviewer").post(url.format(v3.pk), {"reason": "better"}, format="json")
    assert response.status_code == 200 and response.data["status"] == "active"
    assert len(callbacks) == 1  # re-predict every clip once the switch commits (not run here)
    statuses = dict(ModelVersion.objects.values_list("number", "status"))
    assert statuses == {1: "retired", 2: "retired", 3: "active"}
    # rollback to an earlier, retired version: the same action
    response = api("admin").post(url.format(v1.pk))
    assert response.status_code == 200
    assert dict(ModelVersion.objects.values_list("number", "status")) == {1: "active", 2: "retired", 3: "retired"}
    # a failed version cannot be made active
    ModelVersion.objects.filter(pk=v2.pk).update(status=ModelStatus.FAILED)
    response = api("admin").post(url.format(v2.pk))
    assert response.status_code == 400 and "only ready or retired" in str(response.data)

    listed = api("annotator").get(API + "model-versions/", {"status": "active"})
    assert [v["number"] for v in listed.data["results"]] == [1]
    assert listed.data["results"][0]["hit_at_1"] == pytest.approx(0.51)
    # evaluate needs the artifact: a clear 400 without it
    response = api("annotator").get(f"{API}model-versions/{v1.pk}/evaluate/")
    assert response.status_code == 400 and "artifact" in str(response.data)


def test_prediction_filters(api, predictions, versions, cat, small_taxonomy):
    def ids(**params) -> list[int]:
        response = api("reviewer").get(API + "predictions/", params)
        assert response.status_code == 200, response.data
        return [p["id"] for p in response.data["results"]]

    a, b, c, d = predictions
    assert ids(taxonomy=small_taxonomy.pk) == [a.pk, b.pk, c.pk, d.pk]  # the active model's, most confident first
    assert len(ids(model_version=versions[0].pk)) == 1
    assert ids(category=cat("football").pk) == [a.pk, b.pk]  # a subtree: descendants count
    assert ids(min_confidence=0.3, max_confidence=0.8) == [b.pk, c.pk]
    assert ids(program=Program.objects.get().pk) == [b.pk]
    assert ids(ordering="confidence")[0] == d.pk
    first = api("reviewer").get(API + "predictions/", {"clip": a.clip_id}).data["results"][0]
    assert first["category"]["path"] == "Sports > Football > Match highlights" and first["model_version_number"] == 2
    assert [t["path"] for t in first["top"]] == ["Sports > Football > Match highlights", "Sports > Football > Training"]
    assert set(first["media"]) == {"video", "poster", "strip"} and "embedding" not in first


def test_review_roles_and_unlabeled_filter(api, predictions, cat, small_taxonomy):
    a, b, c, d = predictions
    url = f"{API}suggestions/{{}}/review/"
    assert api("annotator").post(url.format(a.pk), {"decision": "accept"}, format="json").status_code == 403
    assert api("editor").post(url.format(a.pk), {"decision": "accept"}, format="json").status_code == 403
    response = api("reviewer").post(url.format(a.pk), {"decision": "accept"}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["decision"] == "accept" and response.data["category"]["code"] == "match-highlights"
    response = api("admin").post(url.format(b.pk), {"decision": "correct", "category": cat("cats").pk}, format="json")
    assert response.status_code == 201 and Label.objects.get(category=cat("cats")).suggestion_taken is False
    response = api("reviewer").post(url.format(c.pk), {"decision": "reject"}, format="json")
    assert response.status_code == 400 and "comment" in response.data
    assert (
        api("reviewer").post(url.format(c.pk), {"decision": "reject", "comment": "a dog"}, format="json").status_code
        == 201
    )
    assert api("reviewer").post(url.format(c.pk), {"decision": "accept"}, format="json").status_code == 400

    listed = api("reviewer").get(API + "suggestions/", {"taxonomy": small_taxonomy.pk})
    assert [p["id"] for p in listed.data["results"]] == [d.pk]
    unlabeled = api("reviewer").get(API + "predictions/", {"taxonomy": small_taxonomy.pk, "unlabeled": "true"})
    assert [p["id"] for p in unlabeled.data["results"]] == [d.pk]
    assert api("reviewer").get(API + "predictions/", {"unlabeled": "false"}).data["count"] == 4
    assert SuggestionReview.objects.count() == 3


def test_bulk_accept_api(api, predictions, small_taxonomy):
    url = API + "suggestions/bulk-accept/"
    body = {"taxonomy": small_taxonomy.pk, "min_confidence": 0.5}
    assert api("annotator").post(url, body, format="json").status_code == 403
    preview = api("reviewer").post(url, body, format="json")
    assert preview.status_code == 200 and preview.data["dry_run"] and preview.data["count"] == 2
    assert not Label.objects.exists()
    stale = api("reviewer").post(url, {**body, "dry_run": False, "expected_count": 5}, format="json")
    assert stale.status_code == 400 and not Label.objects.exists()
    done = api("reviewer").post(url, {**body, "dry_run": False, "expected_count": 2}, format="json")
    assert done.status_code == 200 and done.data["applied"] == 2 and Label.objects.count() == 2
    bad = api("reviewer").post(url, {"taxonomy": small_taxonomy.pk, "min_confidence": 2}, format="json")
    assert bad.status_code == 400 and "min_confidence" in bad.data


def test_classify_says_clearly_what_is_missing(api, small_taxonomy, release, versions):
    get = api("annotator").get
    assert get(API + "classify", {"taxonomy": small_taxonomy.pk, "q": " "}).status_code == 400
    missing = get(API + "classify", {"q": "goals"})
    assert missing.status_code == 400 and "taxonomy" in missing.data
    response = get(API + "classify", {"taxonomy": small_taxonomy.pk, "q": "goals"})
    assert response.status_code == 400 and "artifact" in str(response.data)  # v2 here has no artifact file
    ModelVersion.objects.update(status=ModelStatus.RETIRED)
    response = get(API + "classify/", {"taxonomy": small_taxonomy.pk, "q": "goals"})
    assert response.status_code == 400 and "no active model" in str(response.data)
    assert get(API + "classify", {"taxonomy": 999999, "q": "goals"}).status_code == 404


def test_schema_lists_the_classifier_endpoints(api):
    paths = api("annotator").get("/api/schema/", {"format": "json"}).json()["paths"]
    for path in (
        "/api/model-versions/{id}/promote/",
        "/api/model-versions/{id}/evaluate/",
        "/api/training-runs/",
        "/api/training-runs/{id}/cancel/",
        "/api/predictions/",
        "/api/suggestions/{id}/review/",
        "/api/suggestions/bulk-accept/",
    ):
        assert path in paths, path
    assert any(p.startswith("/api/classify") for p in paths)


@pytest.mark.slow
def test_trained_model_classifies_text_queries(labeled, demo):
    """One real training run on the demo labels; then the text path alone answers queries."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    from classifier.services.training import training_run_execute

    run = training_run_execute(
        run_id=training_run_request(taxonomy=demo, trigger="manual", reason="classify", window_s=0).pk
    )
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.log + run.error
    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(username="annotator"))
    # The answer's shape, over every demo title; how well the text path separates topics is judged on the
    # full demo's test clips (test_demo_model.py), this small demo being too small to learn them.
    from annotation.demo import demo_expected_categories

    for query in demo_expected_categories():
        response = client.get(API + "classify", {"taxonomy": demo.pk, "q": query, "k": 5})
        assert response.status_code == 200, response.data
        results = response.data["results"]
        assert len(results) == 5 and response.data["model_version"] == run.model_version.number
        assert all(set(r) == {"id", "code", "path", "score"} for r in results)
        assert results[0]["score"] >= results[-1]["score"]
