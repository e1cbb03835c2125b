"""The queue: who gets which clip, leases, expiry, skipping, and the overlap limit."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from annotation.choices import AssignmentStatus, TaskStatus
from annotation.models import Assignment, Task
from annotation.services.labels import label_skip, label_submit
from annotation.services.queue import assignment_release, assignment_renew, leases_expire, task_next_for_annotator


def test_leases_respect_overlap_and_never_repeat_a_clip(make_project, annotators, cat):
    project = make_project(n_clips=2, overlap=2)
    a, b, c, _ = annotators
    got = {}
    for user in (a, b):
        for _ in range(2):
            assignment = task_next_for_annotator(project=project, user=user)
            got.setdefault(user.pk, []).append(assignment.task_id)
            label_submit(assignment=assignment, user=user, category=cat("cats"))
    assert sorted(got[a.pk]) == sorted(got[b.pk]) and len(set(got[a.pk])) == 2
    assert task_next_for_annotator(project=project, user=a) is None  # a labeled everything
    assert task_next_for_annotator(project=project, user=c) is None  # every clip has its two labels
    assert set(Task.objects.values_list("taken", "labels_count")) == {(2, 2)}


def test_a_held_lease_comes_back_after_reload(make_project, annotators):
    project = make_project(n_clips=3)
    first = task_next_for_annotator(project=project, user=annotators[0])
    again = task_next_for_annotator(project=project, user=annotators[0])
    assert again.pk == first.pk and again.expires_at >= first.expires_at


def test_expired_leases_go_back_to_the_queue(make_project, annotators, cat):
    project = make_project(n_clips=1, overlap=1)
    a, b = annotators[:2]
    held = task_next_for_annotator(project=project, user=a)
    assert task_next_for_annotator(project=project, user=b) is None
    Assignment.objects.filter(pk=held.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    taken = task_next_for_annotator(project=project, user=b)
    assert taken is not None and taken.task_id == held.task_id
    held.refresh_from_db()
    assert held.status == AssignmentStatus.EXPIRED
    with pytest.raises(ValidationError, match="expired"):
        label_submit(assignment=held, user=a, category=cat("cats"))
    label_submit(assignment=taken, user=b, category=cat("cats"))
    assert Task.objects.get().labels_count == 1


def test_expired_leases_wait_for_the_sweep_while_other_clips_are_left(make_project, annotators):
    """"next" reclaims expired leases only when it finds nothing else (beat sweeps every minute), and a
    person who comes back to a clip whose lease they let expire gets the same lease row back."""
    project = make_project(n_clips=2, overlap=1, queue_order="sequential")
    a, b = annotators[:2]
    held = task_next_for_annotator(project=project, user=a)
    Assignment.objects.filter(pk=held.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    other = task_next_for_annotator(project=project, user=b)
    assert other.task_id != held.task_id
    held.refresh_from_db()
    assert held.status == AssignmentStatus.LEASED  # not reclaimed on the hot path
    assert leases_expire(project=project) == 1
    back = task_next_for_annotator(project=project, user=a)
    assert (back.pk, back.task_id, back.status, back.finished_at) == (held.pk, held.task_id, "leased", None)
    assert Task.objects.get(pk=held.task_id).taken == 1


def test_a_slow_submit_on_an_unreclaimed_lease_is_kept(make_project, annotators, cat):
    project = make_project(n_clips=1)
    held = task_next_for_annotator(project=project, user=annotators[0])
    Assignment.objects.filter(pk=held.pk).update(expires_at=timezone.now() - timedelta(minutes=5))
    label = label_submit(assignment=held, user=annotators[0], category=cat("cats"))
    assert label.pk and Task.objects.get().status == TaskStatus.DONE


def test_renew_and_release(make_project, annotators):
    project = make_project(n_clips=1)
    held = task_next_for_annotator(project=project, user=annotators[0])
    Assignment.objects.filter(pk=held.pk).update(expires_at=timezone.now() + timedelta(seconds=5))
    renewed = assignment_renew(assignment=held, user=annotators[0])
    assert renewed.expires_at > timezone.now() + timedelta(seconds=500)
    assignment_release(assignment=held, user=annotators[0])
    assert Task.objects.get().taken == 0
    # the same person may take it again after releasing it
    assert task_next_for_annotator(project=project, user=annotators[0]).task_id == held.task_id


def test_skip_frees_the_slot_for_others_only(make_project, annotators, cat):
    project = make_project(n_clips=1)
    a, b = annotators[:2]
    held = task_next_for_annotator(project=project, user=a)
    with pytest.raises(ValidationError, match="why"):
        label_skip(assignment=held, user=a, reason="  ")
    label_skip(assignment=held, user=a, reason="Black screen")
    assert task_next_for_annotator(project=project, user=a) is None
    assert task_next_for_annotator(project=project, user=b) is not None


def test_someone_elses_lease_is_refused(make_project, annotators, cat):
    from django.core.exceptions import PermissionDenied

    project = make_project(n_clips=1)
    held = task_next_for_annotator(project=project, user=annotators[0])
    with pytest.raises(PermissionDenied):
        label_submit(assignment=held, user=annotators[1], category=cat("cats"))


@pytest.mark.parametrize("order", ["sequential", "random", "active_learning"])
def test_queue_orders(make_project, annotators, order):
    project = make_project(n_clips=6, queue_order=order)
    tasks = list(Task.objects.filter(project=project).order_by("id"))
    for i, task in enumerate(tasks):
        Task.objects.filter(pk=task.pk).update(priority=float(i % 3))
    first = task_next_for_annotator(project=project, user=annotators[0]).task
    if order == "sequential":
        assert first.pk == tasks[0].pk
    elif order == "random":
        assert first.random_key == min(t.random_key for t in tasks)
    else:
        assert first.priority == 2.0 and first.pk == tasks[2].pk


def test_gold_is_mixed_in_and_labeled_by_everyone(make_project, annotators, cat):
    import random

    from annotation.services.projects import task_gold_set

    project = make_project(n_clips=4, gold_share=0.5)
    gold = Task.objects.filter(project=project).order_by("id").first()
    task_gold_set(task=gold, category=cat("cats"))
    for user in annotators[:3]:
        assignment = task_next_for_annotator(project=project, user=user, rng=random.Random(0))
        while assignment is not None and assignment.task_id != gold.pk:
            label_submit(assignment=assignment, user=user, category=cat("training"))
            assignment = task_next_for_annotator(project=project, user=user, rng=random.Random(0))
        assert assignment is not None, "every annotator gets the gold clip"
        label_submit(assignment=assignment, user=user, category=cat("cats"))
    gold.refresh_from_db()
    assert gold.labels.count() == 3 and gold.status == TaskStatus.OPEN


def test_preloading_holds_at_most_two_leases(make_project, annotators, cat):
    project = make_project(n_clips=4)
    user = annotators[0]
    current = task_next_for_annotator(project=project, user=user)
    preloaded = task_next_for_annotator(project=project, user=user, exclude=[current.pk])
    assert preloaded.task_id != current.task_id
    assert task_next_for_annotator(project=project, user=user, exclude=[current.pk, preloaded.pk]) is None
    label_submit(assignment=current, user=user, category=cat("cats"))
    # the preloaded one becomes current; the page asks for a new preload
    assert task_next_for_annotator(project=project, user=user).pk == preloaded.pk
    third = task_next_for_annotator(project=project, user=user, exclude=[preloaded.pk])
    assert third.task_id not in (current.task_id, preloaded.task_id)


def test_leases_expire_returns_slots(make_project, annotators):
    project = make_project(n_clips=2, overlap=1)
    held = [task_next_for_annotator(project=project, user=u) for u in annotators[:2]]
    Assignment.objects.filter(pk=held[0].pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert leases_expire() == 1
    assert sorted(Task.objects.values_list("taken", flat=True)) == [0, 1]
    assert leases_expire() == 0
