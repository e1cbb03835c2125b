"""Many annotators at once: no clip labeled more often than its overlap, no label lost, no lease held by
two people. Runs real threads against the real database (on PostgreSQL: row locks with SKIP LOCKED)."""

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from annotation.models import Assignment, Label, Task
from annotation.services.labels import label_submit
from annotation.services.queue import task_next_for_annotator

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_annotators_keep_the_overlap_exact(make_project, annotators, cat):
    if connection.vendor == "sqlite":
        workers, clips = 4, 12
    else:
        workers, clips = 8, 40
    from accounts.services import user_create_with_role
    from annotation.services.projects import project_member_set

    project = make_project(n_clips=clips, overlap=2, queue_order="random")
    users = list(annotators) + [
        user_create_with_role(username=f"extra{i}", password="a-long-test-password", role="annotator")
        for i in range(workers - len(annotators))
    ]
    for user in users:
        project_member_set(project=project, user=user)
    category = cat("cats")
    submitted, errors = Counter(), []

    def work(user):
        try:
            while True:
                assignment = task_next_for_annotator(project=project, user=user)
                if assignment is None:
                    return
                label_submit(assignment=assignment, user=user, category=category)
                submitted[user.pk] += 1
        except Exception as exc:  # surfaced below with the thread's user
            errors.append(f"{user.username}: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(u,)) for u in users[:workers]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sum(submitted.values()) == clips * 2  # every slot filled, every submitted label stored
    assert Label.objects.count() == clips * 2
    per_task = Counter(Label.objects.values_list("task_id", flat=True))
    assert set(per_task.values()) == {2}
    per_person = Counter(Label.objects.values_list("task_id", "annotator_id"))
    assert set(per_person.values()) == {1}  # nobody labeled a clip twice
    assert not Assignment.objects.filter(status="leased").exists()
    assert set(Task.objects.values_list("taken", "labels_count", "status")) == {(2, 2, "done")}
