"""Agreement decides the final label or sends the clip to review; reviewers decide; flags reach editors."""

import pytest
from django.core.exceptions import ValidationError

from annotation.choices import TaskStatus
from annotation.models import Task
from annotation.services.labels import label_submit
from annotation.services.queue import task_next_for_annotator
from annotation.services.reviews import review_decide


def label_all(project, annotators, codes, cat):
    for user, code in zip(annotators, codes, strict=False):
        assignment = task_next_for_annotator(project=project, user=user)
        label_submit(assignment=assignment, user=user, category=cat(code), time_spent_ms=1500)
    return Task.objects.get(project=project)


def test_agreement_makes_the_final_label(make_project, annotators, cat):
    task = label_all(make_project(n_clips=1, overlap=2), annotators, ["cats", "cats"], cat)
    assert task.status == TaskStatus.DONE and task.final_category == cat("cats") and task.final_source == "agreement"
    assert task.agreement["levels"] == {"1": True, "2": True, "3": True}


def test_disagreement_at_level_3_goes_to_review(make_project, annotators, cat):
    task = label_all(make_project(n_clips=1, overlap=2), annotators, ["match-highlights", "training"], cat)
    assert task.status == TaskStatus.REVIEW and task.final_category is None
    assert task.agreement["levels"] == {"1": True, "2": True, "3": False}
    assert task.agreement["partial"] == pytest.approx(2 / 3, abs=1e-3)


def test_majority_of_three_decides(make_project, annotators, cat):
    task = label_all(make_project(n_clips=1, overlap=3), annotators, ["cats", "training", "cats"], cat)
    assert task.status == TaskStatus.DONE and task.final_category == cat("cats")


def test_reviewer_accepts_corrects_or_rejects(make_project, annotators, cat, users):
    reviewer = users["reviewer"]
    project = make_project(n_clips=1, overlap=2)
    task = label_all(project, annotators, ["match-highlights", "training"], cat)
    label = task.labels.get(category=cat("training"))
    review_decide(task=task, reviewer=reviewer, decision="accept", label=label)
    task.refresh_from_db()
    assert (task.status, task.final_category, task.final_decided_by) == (TaskStatus.DONE, cat("training"), reviewer)
    review_decide(task=task, reviewer=reviewer, decision="correct", category=cat("basketball"))
    task.refresh_from_db()
    assert task.final_category == cat("basketball") and task.final_source == "review"
    with pytest.raises(ValidationError, match="why"):
        review_decide(task=task, reviewer=reviewer, decision="reject")
    review_decide(task=task, reviewer=reviewer, decision="reject", comment="Not a video of anything")
    task.refresh_from_db()
    assert task.status == TaskStatus.REJECTED and task.final_category is None


def test_flag_needs_a_comment_and_sends_to_review(make_project, annotators, cat):
    project = make_project(n_clips=1, overlap=2)
    assignment = task_next_for_annotator(project=project, user=annotators[0])
    with pytest.raises(ValidationError, match="unclear"):
        label_submit(assignment=assignment, user=annotators[0], category=cat("cats"), flagged=True)
    label_submit(
        assignment=assignment, user=annotators[0], category=cat("cats"), flagged=True, flag_comment="Are lions cats?"
    )
    assert Task.objects.get().status == TaskStatus.REVIEW


def test_deprecated_or_foreign_categories_are_refused(make_project, annotators, cat, editor):
    from taxonomy import services

    project = make_project(n_clips=1)
    services.category_deprecate(category=cat("training"), actor=editor)
    assignment = task_next_for_annotator(project=project, user=annotators[0])
    with pytest.raises(ValidationError, match="deprecated"):
        label_submit(assignment=assignment, user=annotators[0], category=cat("training"))
    other = services.taxonomy_create(name="Other", actor=editor)
    foreign = services.category_add(taxonomy=other, name="X", actor=editor)
    with pytest.raises(ValidationError, match="another taxonomy"):
        label_submit(assignment=assignment, user=annotators[0], category=foreign)


def test_suggestion_taken_is_recorded(make_project, annotators, cat):
    project = make_project(n_clips=1)
    assignment = task_next_for_annotator(project=project, user=annotators[0])
    label = label_submit(
        assignment=assignment, user=annotators[0], category=cat("cats"), suggested_category=cat("cats")
    )
    assert label.suggestion_taken and label.release == project.release
