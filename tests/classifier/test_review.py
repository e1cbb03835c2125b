"""Ops review of model suggestions: accept, correct and reject create exactly the right rows; a bulk
preview changes nothing and the apply matches it; reviewed clips leave the suggestions list and the
training set includes them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from annotation.models import Label, Project, Task
from annotation.services.labels import label_submit
from annotation.services.projects import clips_in_scope, project_create, project_member_set
from annotation.services.queue import task_next_for_annotator
from classifier.dataset import labeled_clips
from classifier.models import SuggestionReview
from classifier.selectors import suggestions
from classifier.services.review import review_project_name, suggestion_review, suggestions_bulk_accept
from taxonomy import services as taxonomy_services
from tests.labeling.conftest import make_clips

from .suggestions import make_version, predict


@pytest.fixture
def release(small_taxonomy, editor):
    return taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)


@pytest.fixture
def world(small_taxonomy, release, cat, users):
    """Five clips with suggestions of the active model v2 (and stale ones of the retired v1)."""
    clips = make_clips(5, prefix="sugg")
    v1 = make_version(small_taxonomy, release, number=1, status="retired")
    v2 = make_version(small_taxonomy, release, number=2)
    plan = [
        ("match-highlights", 0.95),
        ("match-highlights", 0.91),
        ("cats", 0.88),
        ("training", 0.60),
        ("basketball", 0.30),
    ]
    predictions = [
        predict(v2, clip, cat(code), p, (cat("training" if code != "training" else "cats"), round(1 - p, 2)))
        for clip, (code, p) in zip(clips, plan, strict=True)
    ]
    for clip in clips:
        predict(v1, clip, cat("cats"), 0.5)
    return {"clips": clips, "predictions": predictions, "v2": v2, "reviewer": users["reviewer"]}


def open_ids(taxonomy) -> set[int]:
    return set(suggestions(taxonomy_id=taxonomy.pk).values_list("clip_id", flat=True))


def test_accept_becomes_a_reviewed_label(world, small_taxonomy, release, cat):
    prediction, reviewer = world["predictions"][0], world["reviewer"]
    review = suggestion_review(prediction=prediction, reviewer=reviewer, decision="accept")

    project = Project.objects.get(name=review_project_name(small_taxonomy))
    assert not project.is_active and project.taxonomy == small_taxonomy and project.release == release
    task = Task.objects.get(project=project)
    label = Label.objects.get(task__project=project)
    assert task.clip_id == prediction.clip_id and task.status == "done"
    assert (task.final_category, task.final_source, task.final_decided_by, task.final_release) == (
        cat("match-highlights"),
        "model-review",
        reviewer,
        release,
    )
    assert (label.kind, label.category, label.suggested_category, label.suggestion_taken, label.annotator) == (
        "label",
        cat("match-highlights"),
        cat("match-highlights"),
        True,
        reviewer,
    )
    assert label.release == release and label.is_current
    assert (review.decision, review.category, review.label, review.suggested_category) == (
        "accept",
        cat("match-highlights"),
        label,
        cat("match-highlights"),
    )
    assert review.model_version == world["v2"] and review.confidence == pytest.approx(0.95)
    assert prediction.clip_id not in open_ids(small_taxonomy)
    assert (prediction.clip_id, "match-highlights") in labeled_clips(release)
    # a second decision on the same clip is refused and changes nothing
    with pytest.raises(ValidationError, match="already has a final label"):
        suggestion_review(prediction=prediction, reviewer=reviewer, decision="reject", comment="no")
    assert SuggestionReview.objects.count() == 1 and Label.objects.filter(task__project=project).count() == 1


def test_correct_labels_the_reviewers_category(world, small_taxonomy, release, cat, editor):
    prediction, reviewer = world["predictions"][3], world["reviewer"]
    with pytest.raises(ValidationError):
        suggestion_review(prediction=prediction, reviewer=reviewer, decision="correct")
    other = taxonomy_services.taxonomy_create(name="Other", actor=editor)
    foreign = taxonomy_services.category_add(taxonomy=other, name="Elsewhere", actor=editor)
    with pytest.raises(ValidationError, match="model's taxonomy"):
        suggestion_review(prediction=prediction, reviewer=reviewer, decision="correct", category=foreign)
    with pytest.raises(ValidationError, match="Choose one of"):
        suggestion_review(prediction=prediction, reviewer=reviewer, decision="maybe")
    assert not Task.objects.filter(final_source="model-review").exists()

    review = suggestion_review(prediction=prediction, reviewer=reviewer, decision="correct", category=cat("cats"))
    label = Label.objects.get(task__final_source="model-review")
    assert (label.category, label.suggested_category, label.suggestion_taken) == (cat("cats"), cat("training"), False)
    assert label.task.final_category == cat("cats") and review.label == label and review.decision == "correct"
    assert (prediction.clip_id, "cats") in labeled_clips(release)
    assert prediction.clip_id not in open_ids(small_taxonomy)


def test_reject_records_only(world, small_taxonomy, release):
    prediction, reviewer = world["predictions"][4], world["reviewer"]
    with pytest.raises(ValidationError, match="Say why"):
        suggestion_review(prediction=prediction, reviewer=reviewer, decision="reject", comment="  ")
    review = suggestion_review(prediction=prediction, reviewer=reviewer, decision="reject", comment="not sports")
    assert (review.decision, review.category, review.label, review.comment) == ("reject", None, None, "not sports")
    assert not Task.objects.filter(final_source="model-review").exists() and not Label.objects.exists()
    assert prediction.clip_id not in open_ids(small_taxonomy)
    assert prediction.clip_id not in dict(labeled_clips(release))
    with pytest.raises(ValidationError, match="already rejected"):
        suggestion_review(prediction=prediction, reviewer=reviewer, decision="accept")


def test_bulk_preview_changes_nothing_and_the_apply_matches_it(world, small_taxonomy, release, cat):
    reviewer = world["reviewer"]
    before = (Task.objects.count(), Label.objects.count(), SuggestionReview.objects.count(), Project.objects.count())
    preview = suggestions_bulk_accept(taxonomy=small_taxonomy, min_confidence=0.85, reviewer=reviewer, dry_run=True)
    assert before == (
        Task.objects.count(),
        Label.objects.count(),
        SuggestionReview.objects.count(),
        Project.objects.count(),
    )
    assert preview["count"] == 3 and preview["applied"] == 0
    assert [(c["path"], c["count"]) for c in preview["categories"]] == [
        ("Sports > Football > Match highlights", 2),
        ("Nature > Animals > Cats", 1),
    ]
    assert [s["confidence"] for s in preview["sample"]] == [0.95, 0.91, 0.88]
    # within a subtree only
    football = suggestions_bulk_accept(
        taxonomy=small_taxonomy, min_confidence=0.5, reviewer=reviewer, category=cat("football"), dry_run=True
    )
    assert football["count"] == 3 and {c["path"].split(" > ")[1] for c in football["categories"]} == {"Football"}
    # the preview went stale: nothing is applied
    with pytest.raises(ValidationError, match="preview again"):
        suggestions_bulk_accept(
            taxonomy=small_taxonomy, min_confidence=0.85, reviewer=reviewer, dry_run=False, expected_count=2
        )
    assert not Label.objects.exists()

    done = suggestions_bulk_accept(
        taxonomy=small_taxonomy, min_confidence=0.85, reviewer=reviewer, dry_run=False, expected_count=3
    )
    assert done["applied"] == 3 and done["categories"] == preview["categories"]
    labeled = dict(labeled_clips(release))
    assert {s["clip"]: labeled.get(s["clip"]) for s in preview["sample"]} == {
        s["clip"]: s["path"].split(" > ")[-1].lower().replace(" ", "-") for s in preview["sample"]
    }
    reviews = SuggestionReview.objects.filter(bulk=True)
    assert reviews.count() == 3 and set(reviews.values_list("decision", flat=True)) == {"accept"}
    assert Label.objects.filter(suggestion_taken=True, annotator=reviewer).count() == 3
    assert open_ids(small_taxonomy) == {world["clips"][3].pk, world["clips"][4].pk}
    assert Project.objects.filter(name=review_project_name(small_taxonomy)).count() == 1


def test_suggestions_leave_out_clips_labeled_in_the_taxonomy_only(world, small_taxonomy, cat, editor, users):
    """A final label in any project of the taxonomy hides the suggestion; one in another taxonomy does not."""
    clip = world["clips"][1]
    project = project_create(name="People label", taxonomy=small_taxonomy, actor=editor, clip_filter={"ids": [clip.pk]})
    project_member_set(project=project, user=users["annotator"])
    assignment = task_next_for_annotator(project=project, user=users["annotator"])
    assert clip.pk in open_ids(small_taxonomy)
    label_submit(assignment=assignment, user=users["annotator"], category=cat("training"))
    assert clip.pk not in open_ids(small_taxonomy)
    assert len(open_ids(small_taxonomy)) == 4
    # filters: subtree, confidence band, program
    assert set(
        suggestions(taxonomy_id=small_taxonomy.pk, category=cat("sports")).values_list("confidence", flat=True)
    ) == {
        0.95,
        0.6,
        0.3,
    }
    band = suggestions(taxonomy_id=small_taxonomy.pk, min_confidence=0.5, max_confidence=0.9)
    assert list(band.values_list("confidence", flat=True)) == [0.88, 0.6]


def test_empty_ids_filter_selects_no_clips(db):
    """The review project is made with {"ids": []}: no clips, not every clip (this was a bug)."""
    make_clips(2)
    assert clips_in_scope({"ids": []}).count() == 0
    assert clips_in_scope({}).count() == 2


def test_bulk_accept_leaves_out_clips_that_fit_none_of_the_categories(world, small_taxonomy):
    from classifier.models import ModelVersion, Prediction

    v2 = world["v2"]
    ModelVersion.objects.filter(pk=v2.pk).update(calibration={**_calibration(), "open_set_threshold": 0.5})
    first, second, third = world["predictions"][:3]
    Prediction.objects.filter(pk__in=[first.pk, third.pk]).update(open_set_score=0.9)
    Prediction.objects.filter(pk=second.pk).update(open_set_score=0.2)  # confident, yet like none of them
    preview = suggestions_bulk_accept(
        taxonomy=small_taxonomy, min_confidence=0.85, reviewer=world["reviewer"], dry_run=True
    )
    assert preview["count"] == 2 and preview["left_out_open_set"] == 1
    assert {s["prediction"] for s in preview["sample"]} == {first.pk, third.pk}
    done = suggestions_bulk_accept(
        taxonomy=small_taxonomy, min_confidence=0.85, reviewer=world["reviewer"], dry_run=False, expected_count=2
    )
    assert done["applied"] == 2 and not SuggestionReview.objects.filter(clip=second.clip).exists()


def _calibration() -> dict:
    return {
        "temperatures": [1.0, 1.0, 1.0],
        "open_set_method": "max_prob",
        "open_set_threshold": 0.0,
        "preselect_min_confidence": 0.8,
        "prototypes": None,
    }
