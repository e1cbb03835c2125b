"""The labeling fast lane (annotation.services.fast_lane) against its reference (queue.task_next_for_annotator,
labels.label_submit): the same answers, the same rows, and every case it does not handle left to the
reference with the reference's answer. On PostgreSQL, where the lane is open."""

from __future__ import annotations

import random
import threading
from collections import Counter

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from annotation import hooks
from annotation.api.project_serializers import AssignmentSerializer, LabelSerializer
from annotation.models import Assignment, Label, Program, Tag, Task
from annotation.services import queue
from annotation.services.labels import label_skip, label_submit
from annotation.services.projects import project_member_set, task_gold_set

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="the fast lane is open on PostgreSQL only"),
]


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def lane_statements(queries) -> list[str]:
    """The lane's statements executed (a connection's first use of one also prepares it)."""
    return [q["sql"].split(" (")[0].removeprefix("EXECUTE ") for q in queries if q["sql"].startswith("EXECUTE ")]


def test_next_answers_as_the_serializer_in_three_statements(make_project, annotators, cat, small_taxonomy, release):
    from tests.classifier.suggestions import make_version, predict

    project = make_project(n_clips=1)
    task = Task.objects.get(project=project)
    clip = task.clip
    clip.program = Program.objects.create(title="Evening news", kind="series", year=2024)
    clip.description, clip.fps, clip.width, clip.height, clip.has_audio = "A goal.", 25.0, 640, 360, True
    clip.poster, clip.strip, clip.strip_frames = "posters/p.jpg", "strips/s.jpg", 8
    clip.save()
    clip.tags.add(Tag.objects.create(name="sport"), Tag.objects.create(name="goal"))
    Task.objects.filter(pk=task.pk).update(relabel_reason="re-label: category split")
    predict(make_version(small_taxonomy, release), clip, cat("match-highlights"), 0.7, (cat("training"), 0.2))

    client = client_for(annotators[0])
    with CaptureQueriesContext(connection) as queries:
        response = client.post(f"/api/projects/{project.pk}/next/", {}, format="json")
    assert response.status_code == 200
    assert lane_statements(queries) == [
        "clipcat_queue_project_state",
        "clipcat_queue_lease_sequential",
        "clipcat_active_prediction",
    ]
    lease = Assignment.objects.select_related("task__clip__program", "task__project").get(pk=response.json()["id"])
    context = {"request": response.wsgi_request, "suggestion_provider": hooks.suggestion_for}
    expected = AssignmentSerializer(lease, context=context).data
    assert response.json() == expected
    assert expected["clip"]["tags"] == ["goal", "sport"] and expected["suggestion"]["model_version"] == 1
    assert expected["clip"]["poster_url"] == f"http://testserver/clips/{clip.pk}/poster"
    task.refresh_from_db()
    assert (task.taken, lease.status, lease.annotator_id) == (1, "leased", annotators[0].pk)


def test_submit_answers_as_the_serializer_and_decides_as_the_reference(make_project, annotators, cat):
    project = make_project(n_clips=1, overlap=2)
    program = Program.objects.create(title="Cup final", kind="event")
    a, b = (client_for(user) for user in annotators[:2])
    first = a.post(f"/api/projects/{project.pk}/next/", {}, format="json").json()
    second = b.post(f"/api/projects/{project.pk}/next/", {}, format="json").json()
    body = {"category": cat("training").pk, "time_spent_ms": 10**12, "suggested_category": cat("training").pk}
    response = a.post(f"/api/assignments/{first['id']}/submit/", {**body, "program": program.pk}, format="json")
    assert response.status_code == 201
    label = Label.objects.select_related("annotator", "category", "release").get(pk=response.json()["label"]["id"])
    assert response.json() == {"label": LabelSerializer(label).data, "feedback": None}
    assert (label.time_spent_ms, label.suggestion_taken, label.program_id) == (24 * 3600 * 1000, True, program.pk)
    task = Task.objects.get(project=project)
    assert (task.status, task.labels_count, task.taken) == ("open", 1, 2)

    with CaptureQueriesContext(connection) as queries:
        response = b.post(f"/api/assignments/{second['id']}/submit/", {"category": cat("training").pk}, format="json")
    assert response.status_code == 201
    assert lane_statements(queries) == [
        "clipcat_label_submit_lock",
        "clipcat_label_submit_write",
        "clipcat_task_decide_done",
    ]
    task.refresh_from_db()
    assert (task.status, task.labels_count, task.final_category_id, task.final_program_id) == (
        "done",
        2,
        cat("training").pk,
        program.pk,
    )
    assert task.agreement == {"levels": {"1": True, "2": True, "3": True}, "partial": 1.0, "labels": 2}
    assert (task.final_source, task.final_release_id) == ("agreement", project.release_id)
    assert task.completed_at is not None


def test_a_disagreement_goes_to_review_without_touching_the_final_label(make_project, annotators, cat):
    project = make_project(n_clips=1, overlap=2)
    clients = [client_for(user) for user in annotators[:2]]
    leases = [c.post(f"/api/projects/{project.pk}/next/", {}, format="json").json() for c in clients]
    for client, lease, code in zip(clients, leases, ("training", "match-highlights"), strict=True):
        client.post(f"/api/assignments/{lease['id']}/submit/", {"category": cat(code).pk}, format="json")
    task = Task.objects.get(project=project)
    assert task.status == "review" and task.final_category_id is None and task.completed_at is None
    assert task.agreement == {"levels": {"1": True, "2": True, "3": False}, "partial": 0.6667, "labels": 2}


def run_script(project, users, cat, *, through_api: bool, seed: int = 7) -> None:
    """The same labeling session, through the API (the fast lane) or the reference services."""
    rng = random.Random(seed)
    codes = ["training"] * 5 + ["match-highlights", "cats", "basketball"]
    program = Program.objects.get_or_create(title="Script program", kind="series")[0]
    held: dict[int, list[int]] = {u.pk: [] for u in users}
    for step in range(60):
        user = users[step % len(users)]
        mine = held[user.pk]
        if len(mine) < 2 and rng.random() < 0.7:
            if through_api:
                response = client_for(user).post(f"/api/projects/{project.pk}/next/", {"exclude": mine}, format="json")
                lease = response.json()["id"] if response.status_code == 200 else None
            else:
                found = queue.task_next_for_annotator(project=project, user=user, exclude=list(mine))
                lease = found.pk if found else None
            if lease is not None and lease not in mine:
                mine.append(lease)
            continue
        if not mine:
            continue
        lease, what = mine.pop(0), rng.random()
        code, with_program = rng.choice(codes), rng.random() < 0.3
        if what < 0.15:
            if through_api:
                client_for(user).post(f"/api/assignments/{lease}/skip/", {"reason": "no sound"}, format="json")
            else:
                label_skip(assignment=Assignment.objects.get(pk=lease), user=user, reason="no sound")
            continue
        body = {"category": cat(code).pk, "time_spent_ms": 1000 + step}
        if with_program:
            body["program"] = program.pk
        if through_api:
            assert client_for(user).post(f"/api/assignments/{lease}/submit/", body, format="json").status_code == 201
        else:
            label_submit(
                assignment=Assignment.objects.get(pk=lease),
                user=user,
                category=cat(code),
                program=program if with_program else None,
                time_spent_ms=body["time_spent_ms"],
            )


def state(project) -> dict:
    tasks = list(Task.objects.filter(project=project).order_by("id"))
    index = {t.pk: i for i, t in enumerate(tasks)}
    return {
        "tasks": [
            (t.status, t.taken, t.labels_count, t.final_category_id, t.final_program_id, t.final_source, t.agreement)
            for t in tasks
        ],
        "labels": sorted(
            (index[x.task_id], x.annotator_id, x.kind, x.category_id, x.program_id, x.release_id, x.time_spent_ms)
            for x in Label.objects.filter(task__project=project)
        ),
        "leases": sorted(
            (index[x.task_id], x.annotator_id, x.status) for x in Assignment.objects.filter(task__project=project)
        ),
    }


def test_a_whole_session_leaves_the_same_rows_as_the_reference(make_project, annotators, cat):
    fast = make_project(n_clips=8, overlap=2, queue_order="sequential", prefix="fast")
    reference = make_project(n_clips=8, overlap=2, queue_order="sequential", prefix="ref")
    run_script(fast, annotators[:3], cat, through_api=True)
    run_script(reference, annotators[:3], cat, through_api=False)
    ours, theirs = state(fast), state(reference)
    assert ours == theirs
    assert {s for s, *_ in ours["tasks"]} >= {"done", "review"} and len(ours["labels"]) > 10


def test_cases_left_to_the_reference_keep_its_answers(make_project, annotators, cat, users, editor):
    from accounts.services import user_create_with_role

    project = make_project(n_clips=3)
    client = client_for(annotators[0])
    url = f"/api/projects/{project.pk}/next/"
    first = client.post(url, {}, format="json").json()
    assert client.post(url, {}, format="json").json()["id"] == first["id"]  # a reload gets its lease back
    second = client.post(url, {"exclude": [first["id"]]}, format="json").json()
    assert client.post(url, {"exclude": [first["id"], second["id"]]}, format="json").status_code == 204  # full hand
    outsider = user_create_with_role(username="outsider", password="a-long-test-password", role="annotator")
    assert client_for(outsider).post(url, {}, format="json").status_code == 404
    assert client_for(annotators[0]).post("/api/projects/999999/next/", {}, format="json").status_code == 404
    assert client_for(editor).post(url, {}, format="json").status_code == 403  # editors don't label
    with CaptureQueriesContext(connection) as queries:  # admins manage projects: any project's clips
        assert client_for(users["admin"]).post(url, {}, format="json").status_code == 200
    assert "clipcat_queue_lease_sequential" in lane_statements(queries)

    submit = f"/api/assignments/{first['id']}/submit/"
    other_taxonomy = _foreign_category(editor)
    refused = client.post(submit, {"category": other_taxonomy.pk}, format="json")
    assert refused.status_code == 400 and "another taxonomy" in str(refused.json())
    refused = client.post(submit, {"category": 10**9}, format="json")
    assert refused.status_code == 400 and "does not exist" in str(refused.json()["category"])
    refused = client.post(submit, {"category": cat("cats").pk, "program": 10**9}, format="json")
    assert refused.status_code == 400 and "program" in refused.json()
    refused = client.post(submit, {"category": cat("cats").pk, "flagged": True}, format="json")
    assert refused.status_code == 400 and "flag_comment" in refused.json()
    assert client_for(annotators[1]).post(submit, {"category": cat("cats").pk}, format="json").status_code == 404
    assert Label.objects.count() == 0 and Assignment.objects.get(pk=first["id"]).status == "leased"  # nothing done

    flagged = client.post(submit, {"category": cat("cats").pk, "flagged": True, "flag_comment": "?"}, format="json")
    assert flagged.status_code == 201 and Task.objects.get(pk=first["task"]).status == "review"
    again = client.post(submit, {"category": cat("cats").pk}, format="json")
    assert again.status_code == 400 and "already submitted" in str(again.json())


def _foreign_category(editor):
    from taxonomy import services

    other = services.taxonomy_create(name="Other", actor=editor)
    return services.category_add(taxonomy=other, name="Elsewhere", actor=editor)


def test_gold_clips_and_training_feedback(make_project, annotators, cat):
    project = make_project(n_clips=2, gold_share=0.5)
    gold = Task.objects.filter(project=project).order_by("id").first()
    task_gold_set(task=gold, category=cat("cats"))
    project_member_set(project=project, user=annotators[0], training_mode=True)
    client = client_for(annotators[0])
    seen = set()
    for _ in range(3):
        lease = client.post(f"/api/projects/{project.pk}/next/", {}, format="json")
        if lease.status_code == 204:
            break
        body = lease.json()
        seen.add(body["task"])
        answer = client.post(f"/api/assignments/{body['id']}/submit/", {"category": cat("training").pk}, format="json")
        assert answer.status_code == 201
        feedback = answer.json()["feedback"]
        if body["task"] == gold.pk:
            assert feedback["correct"] is False and feedback["gold"]["code"] == "cats"
        else:
            assert feedback is None
    assert gold.pk in seen and len(seen) == 2
    gold.refresh_from_db()
    assert (gold.taken, gold.labels_count, gold.status) == (0, 0, "open")  # gold counts no slot


def test_an_expired_lease_of_ones_own_is_taken_up_again(make_project, annotators):
    project = make_project(n_clips=1)
    client = client_for(annotators[0])
    first = client.post(f"/api/projects/{project.pk}/next/", {}, format="json").json()
    Assignment.objects.filter(pk=first["id"]).update(expires_at=timezone.now() - timezone.timedelta(seconds=1))
    assert queue.leases_expire(project=project) == 1
    again = client.post(f"/api/projects/{project.pk}/next/", {}, format="json").json()
    assert again["id"] == first["id"]  # the same lease row, leased again
    lease = Assignment.objects.get(pk=first["id"])
    assert lease.status == "leased" and lease.finished_at is None and lease.expires_at > timezone.now()
    assert Task.objects.get(project=project).taken == 1 and Assignment.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_annotators_through_the_api_keep_the_overlap_exact(make_project, cat):
    from accounts.services import user_create_with_role

    workers, clips = 8, 40
    project = make_project(n_clips=clips, overlap=2, queue_order="random")
    users = [
        user_create_with_role(username=f"fast{i}", password="a-long-test-password", role="annotator")
        for i in range(workers)
    ]
    for user in users:
        project_member_set(project=project, user=user)
    category = cat("cats").pk
    submitted, errors = Counter(), []

    def work(user):
        client = client_for(user)
        try:
            while True:
                lease = client.post(f"/api/projects/{project.pk}/next/", {}, format="json")
                if lease.status_code == 204:
                    return
                answer = client.post(f"/api/assignments/{lease.json()['id']}/submit/", {"category": category})
                assert answer.status_code == 201, answer.content
                submitted[user.pk] += 1
        except Exception as exc:  # surfaced below with the thread's user
            errors.append(f"{user.username}: {exc!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert sum(submitted.values()) == Label.objects.count() == clips * 2
    assert set(Counter(Label.objects.values_list("task_id", flat=True)).values()) == {2}
    assert set(Counter(Label.objects.values_list("task_id", "annotator_id")).values()) == {1}
    assert set(Task.objects.filter(project=project).values_list("status", "taken", "labels_count")) == {("done", 2, 2)}
    assert not Assignment.objects.filter(status="leased").exists()


def test_with_the_lane_off_the_reference_does_everything(make_project, annotators, cat, settings):
    settings.CLIPCAT_LABELING_FAST_LANE = False
    project = make_project(n_clips=1)
    client = client_for(annotators[0])
    with CaptureQueriesContext(connection) as queries:
        lease = client.post(f"/api/projects/{project.pk}/next/", {}, format="json")
        label = client.post(f"/api/assignments/{lease.json()['id']}/submit/", {"category": cat("cats").pk})
    assert (lease.status_code, label.status_code) == (200, 201)
    assert not [name for name in lane_statements(queries) if "queue_" in name or "label_submit" in name]
    assert Task.objects.get(project=project).status == "done"


@pytest.mark.django_db(transaction=True)
def test_after_a_lost_connection_the_lane_prepares_again(make_project, annotators, cat, cut_connection):
    """A restarted database loses the prepared statements with the session: the next request's new
    connection prepares them again (token authentication's too)."""
    from rest_framework.authtoken.models import Token

    project = make_project(n_clips=2)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=annotators[0]).key}")
    first = client.post(f"/api/projects/{project.pk}/next/", {}, format="json")
    assert first.status_code == 200
    cut_connection()
    assert client.post(f"/api/projects/{project.pk}/next/", {}, format="json").status_code == 503
    connection.close()  # what Django does at the end of a request whose connection broke
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(f"/api/assignments/{first.json()['id']}/submit/", {"category": cat("cats").pk})
    assert answer.status_code == 201
    prepared = [q["sql"].split(" (")[0].split(" AS ")[0] for q in queries if q["sql"].startswith("PREPARE ")]
    assert prepared == [
        "PREPARE clipcat_token_user",
        "PREPARE clipcat_label_submit_lock",
        "PREPARE clipcat_label_submit_write",
        "PREPARE clipcat_task_decide_done",
    ]
