"""Ops review of model suggestions in the browser, keyboard first: a reviewer accepts one suggestion (a),
skips to another (j) and corrects it (c, type, Enter picks, Enter sends), then bulk-accepts everything above
a threshold after reading the preview. The model's predictions are rows made directly (the page needs no
artifact); the clips are real tiny videos so the player and the strip load."""

from __future__ import annotations

import pytest

from annotation.models import Label, Task
from classifier.models import SuggestionReview
from taxonomy import services as taxonomy_services
from taxonomy.models import Category
from tests.classifier.suggestions import make_version, predict
from tests.e2e.test_labeling import PASSWORD, ready_clips

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def suggested(settings, tmp_path, small_taxonomy, editor):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CLIPCAT_PROCESS_INLINE = False
    release = taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)
    version = make_version(small_taxonomy, release, number=1)
    cat = {c.code: c for c in Category.objects.filter(taxonomy=small_taxonomy)}
    clips = ready_clips(
        tmp_path, ["A cat on the sofa", "Cup final, all the goals", "Street ball", "Derby, second half"]
    )
    plan = [("cats", 0.96), ("match-highlights", 0.92), ("training", 0.71), ("match-highlights", 0.55)]
    predictions = [
        predict(version, clip, cat[code], p, (cat["basketball"], round((1 - p) / 2, 3)))
        for clip, (code, p) in zip(clips, plan, strict=True)
    ]
    return {"clips": clips, "predictions": predictions, "cat": cat, "taxonomy": small_taxonomy}


def test_reviewer_accepts_corrects_and_bulk_accepts_by_keyboard(page, login, shot, users, suggested):
    clips, cat = suggested["clips"], suggested["cat"]
    login("reviewer1", PASSWORD)
    page.goto(f"/models/review/?taxonomy={suggested['taxonomy'].pk}")
    page.wait_for_selector("#focus-title:has-text('A cat on the sofa')")
    assert page.inner_text("#left") == "4"
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")  # the video loads
    shot("ops-review-01-first")

    page.keyboard.press("a")
    page.wait_for_selector("#lab-msg:has-text('Accepted: Nature > Animals > Cats')")
    page.wait_for_selector("#focus-title:has-text('Cup final, all the goals')")
    page.keyboard.press("j")
    page.wait_for_selector("#focus-title:has-text('Street ball')")
    assert "decided" in page.get_attribute("#sugg-list li:nth-child(1)", "class")
    assert "Sports > Football > Training" in page.inner_text("#focus-path")
    page.keyboard.press("c")
    page.keyboard.type("basket")
    page.wait_for_selector("#cat-results li.hl:has-text('Basketball')")
    page.keyboard.press("Enter")
    page.wait_for_selector("#chosen:has-text('Sports > Basketball')")
    shot("ops-review-02-correcting")
    page.keyboard.press("Enter")
    page.wait_for_selector("#lab-msg:has-text('Corrected to Sports > Basketball')")
    assert page.inner_text("#left") == "2" and page.inner_text("#decided") == "2"

    # bulk accept above 0.9: the preview names what will change, then the confirm applies exactly that
    page.keyboard.press("b")
    page.keyboard.type("0.9")
    page.keyboard.press("Enter")
    page.wait_for_selector("#bulk-preview:not([hidden])")
    summary = page.inner_text("#bulk-summary")
    assert summary.startswith("1 unlabeled clip gets") and "90%" in summary
    assert "Sports > Football > Match highlights" in page.inner_text("#bulk-cats")
    assert "Cup final, all the goals" in page.inner_text("#bulk-sample")
    assert Label.objects.count() == 2  # the preview changed nothing
    shot("ops-review-03-bulk-preview")
    with page.expect_navigation():  # the page loads the suggestions that are left
        page.keyboard.press("Enter")  # the confirm button has the focus
    page.wait_for_selector("#focus-title:has-text('Derby, second half')")
    assert page.inner_text("#left") == "1"
    assert "Accepted 1 suggestion at or above 90%" in page.inner_text("#lab-msg")
    shot("ops-review-04-after-bulk")

    reviewer = users["reviewer"]
    tasks = {t.clip_id: t for t in Task.objects.filter(final_source="model-review")}
    assert {cid: t.final_category.code for cid, t in tasks.items()} == {
        clips[0].pk: "cats",
        clips[2].pk: "basketball",
        clips[1].pk: "match-highlights",
    }
    assert all(t.final_decided_by == reviewer and t.status == "done" for t in tasks.values())
    taken = dict(Label.objects.values_list("task__clip_id", "suggestion_taken"))
    assert taken == {clips[0].pk: True, clips[2].pk: False, clips[1].pk: True}
    assert list(SuggestionReview.objects.order_by("id").values_list("decision", "bulk")) == [
        ("accept", False),
        ("correct", False),
        ("accept", True),
    ]
    assert cat["basketball"] == Label.objects.get(task__clip=clips[2]).category


def test_runs_page_follows_a_live_run_and_versions_roll_back(
    page, login, shot, users, small_taxonomy, editor, settings
):
    """The runs page polls the API: a running run's bar and epoch move without a reload, and the page shows
    the result when it ends; a reviewer rolls back to v1 on the versions page after a confirm."""
    from django.utils import timezone

    from classifier.choices import RunStatus
    from classifier.models import ModelVersion, TrainingRun

    release = taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)
    v1 = make_version(small_taxonomy, release, number=1, status="retired")
    v2 = make_version(small_taxonomy, release, number=2)
    # rows only: a session's live worker (tests/worker.py) must not pick these runs up
    settings.CLIPCAT_RETRAIN_WINDOW_S = 3600
    run = TrainingRun.objects.create(
        taxonomy=small_taxonomy,
        trigger="manual",
        reasons=[{"trigger": "manual", "reason": "new labels from the cup", "at": timezone.now().isoformat()}],
        scheduled_for=timezone.now(),
        status=RunStatus.RUNNING,
        stage="training",
        progress=0.3,
        epoch=1,
        heartbeat_at=timezone.now(),
    )
    page.on("dialog", lambda dialog: dialog.accept())

    login("reviewer1", PASSWORD)
    page.goto(f"/models/?taxonomy={small_taxonomy.pk}")
    row = f"tr[data-run='{run.pk}']"
    page.wait_for_selector(f"{row} [data-f=pct]:has-text('30%')")
    TrainingRun.objects.filter(pk=run.pk).update(progress=0.62, epoch=4, loss=0.4321, log="epoch 4\n")
    page.wait_for_selector(f"{row} [data-f=pct]:has-text('62%')", timeout=6000)
    assert page.inner_text(f"{row} [data-f=epoch]") == "4" and page.inner_text(f"{row} [data-f=loss]") == "0.4321"
    shot("models-01-runs-live")
    TrainingRun.objects.filter(pk=run.pk).update(
        status=RunStatus.SUCCEEDED, progress=1.0, model_version=v2, promoted=True, finished_at=timezone.now()
    )
    page.wait_for_selector(f"{row} [data-f=status]:has-text('Succeeded')", timeout=6000)
    page.wait_for_selector(f"{row} td:has-text('promoted')")

    # retrain by hand, then cancel the queued run
    page.fill("#retrain-reason", "try the new standard")
    with page.expect_navigation():
        page.click("#retrain button")
    queued = TrainingRun.objects.exclude(pk=run.pk).get()
    assert queued.status == "queued" and queued.reasons[0]["reason"] == "try the new standard"
    with page.expect_navigation():
        page.click(f"[data-cancel='{queued.pk}']")
    assert TrainingRun.objects.get(pk=queued.pk).status == "cancelled"
    shot("models-02-runs-after")

    page.goto(f"/models/runs/{run.pk}/")
    page.wait_for_selector("#log:has-text('epoch 4')")
    shot("models-03-run-detail")

    page.goto(f"/models/versions/?taxonomy={small_taxonomy.pk}")
    with page.expect_navigation():
        page.click(f"[data-promote='{v1.pk}']")
    page.wait_for_selector(f"tr[data-version='{v1.pk}'] .badge:has-text('Active')")
    assert dict(ModelVersion.objects.values_list("number", "status")) == {1: "active", 2: "retired"}
    shot("models-04-versions")
