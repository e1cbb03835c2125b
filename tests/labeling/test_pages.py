"""The labeling pages: who may open which, the forms (create a project, add a member, import labels, sync),
the migration report, and that names, titles and comments come out escaped."""

from __future__ import annotations

import pytest
from django.urls import reverse

from annotation.choices import MemberRole, TaskStatus
from annotation.models import Label, Project, ProjectMember, Task
from annotation.services.labels import label_submit
from annotation.services.projects import project_member_set
from annotation.services.queue import task_next_for_annotator
from taxonomy import services as taxonomy_services

from .conftest import make_clips

pytestmark = pytest.mark.django_db
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def as_user(client, users, annotators):
    """as_user(name) -> the test client signed in as a role's user (admin, editor, annotator, reviewer) or
    an annotator of the project (ann0..ann3)."""

    def sign_in(name: str):
        client.logout()
        user = users.get(name) or next(a for a in annotators if a.username == name)
        client.force_login(user)
        return client

    return sign_in


def label_all(project, user, code, cat, *, flag: str = ""):
    while (assignment := task_next_for_annotator(project=project, user=user)) is not None:
        label_submit(assignment=assignment, user=user, category=cat(code), flagged=bool(flag), flag_comment=flag)


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_anonymous_people_are_sent_to_log_in(client, make_project):
    project = make_project()
    for url in (reverse("labeling:index"), reverse("labeling:label", args=[project.pk])):
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_index_lists_my_projects_and_managers_see_all(as_user, make_project):
    project = make_project(name="Mine")
    body = as_user("ann0").get(reverse("labeling:index")).content.decode()
    assert "Mine" in body and reverse("labeling:label", args=[project.pk]) in body
    assert 'id="project-create"' not in body
    body = as_user("annotator").get(reverse("labeling:index")).content.decode()
    assert "Mine" not in body and "not in any labeling project" in body
    body = as_user("editor").get(reverse("labeling:index")).content.decode()
    assert "Mine" in body and 'id="project-create"' in body
    assert "Labeling" in body  # the navigation entry


def test_manager_creates_a_project_with_a_clip_filter(as_user, small_taxonomy, release):
    clips = make_clips(3, prefix="match")
    make_clips(2, prefix="other")
    client = as_user("editor")
    response = client.post(
        reverse("labeling:index"),
        {
            "name": "Round one",
            "taxonomy": small_taxonomy.pk,
            "release": "",
            "search": "match",
            "overlap": 2,
            "queue_order": "random",
            "gold_share": 0.1,
            "instructions": "Be careful",
        },
    )
    project = Project.objects.get(name="Round one")
    assert response.status_code == 302 and response["Location"] == reverse("labeling:project", args=[project.pk])
    assert project.release == release and project.overlap == 2 and project.queue_order == "random"
    assert project.clip_filter == {"search": "match"}
    assert set(project.tasks.values_list("clip_id", flat=True)) == {c.pk for c in clips}
    assert ProjectMember.objects.get(project=project).role == MemberRole.MANAGER
    page = client.get(response["Location"]).content.decode()
    assert "search: match" in page and "Round one" in page

    # a duplicate name is refused with the reason, nothing is created
    response = client.post(
        reverse("labeling:index"),
        {
            "name": "round ONE",
            "taxonomy": small_taxonomy.pk,
            "overlap": 1,
            "queue_order": "sequential",
            "gold_share": 0,
        },
        follow=True,
    )
    assert any("already exists" in m for m in messages_of(response))
    assert Project.objects.count() == 1


def test_only_managers_create_projects(as_user, small_taxonomy, release):
    response = as_user("annotator").post(
        reverse("labeling:index"),
        {"name": "Nope", "taxonomy": small_taxonomy.pk, "overlap": 1, "queue_order": "sequential", "gold_share": 0},
    )
    assert response.status_code == 403 and not Project.objects.exists()


def test_project_page_for_members_and_managers_only(as_user, make_project, cat, annotators):
    project = make_project(n_clips=2, overlap=1)
    label_all(project, annotators[0], "cats", cat)
    url = reverse("labeling:project", args=[project.pk])
    body = as_user("ann0").get(url).content.decode()
    assert 'id="my-figures"' in body and 'id="member-form"' not in body and 'id="import-form"' not in body
    assert "ann0" in body and reverse("labeling:label", args=[project.pk]) in body
    assert as_user("annotator").get(url).status_code == 403
    body = as_user("editor").get(url).content.decode()
    assert 'id="member-form"' in body and 'id="import-form"' in body and 'id="sync"' in body
    assert f"/api/projects/{project.pk}/export/?file_format=csv" in body


def test_manager_adds_a_member_by_username(as_user, make_project, users):
    project = make_project(n_clips=1)
    url = reverse("labeling:member-add", args=[project.pk])
    response = as_user("editor").post(url, {"username": "reviewer1", "role": "reviewer", "training_mode": "on"})
    assert response.status_code == 302
    member = ProjectMember.objects.get(project=project, user=users["reviewer"])
    assert (member.role, member.training_mode) == ("reviewer", True)
    response = as_user("editor").post(url, {"username": "nobody", "role": "annotator"}, follow=True)
    assert any("Nobody is called 'nobody'" in m for m in messages_of(response))
    assert as_user("ann0").post(url, {"username": "annotator1", "role": "manager"}).status_code == 403
    assert not ProjectMember.objects.filter(user=users["annotator"]).exists()


def test_import_labels_csv_from_the_page(as_user, make_project):
    project = make_project(n_clips=2)
    tasks = list(project.tasks.order_by("id"))
    url = reverse("labeling:import", args=[project.pk])
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("l.csv", f"clip_id,category_code\n{tasks[0].clip_id},cats\n999999,cats\n".encode())
    response = as_user("editor").post(url, {"file": bad}, follow=True)
    assert any("Nothing was imported" in m and "line 3" in m for m in messages_of(response))
    assert not Task.objects.filter(project=project, status=TaskStatus.DONE).exists()

    rows = "".join(f"{t.clip_id},match-highlights\n" for t in tasks)
    good = SimpleUploadedFile("l.csv", ("clip_id,category_code\n" + rows).encode())
    response = as_user("editor").post(url, {"file": good}, follow=True)
    assert any("Imported 2 final labels" in m for m in messages_of(response))
    done = Task.objects.filter(project=project, status=TaskStatus.DONE, final_source="import")
    assert done.count() == 2 and all(t.final_category.code == "match-highlights" for t in done)
    assert as_user("ann0").post(url, {"file": good}).status_code == 403


def test_sync_adds_new_clips(as_user, make_project):
    project = make_project(n_clips=1, prefix="sync")
    project.clip_filter = {"search": "sync"}
    project.save()
    make_clips(2, prefix="sync-later")
    response = as_user("editor").post(reverse("labeling:sync", args=[project.pk]), follow=True)
    assert any("Added 2 clips" in m for m in messages_of(response))
    assert project.tasks.count() == 3
    assert as_user("ann0").post(reverse("labeling:sync", args=[project.pk])).status_code == 403


def test_labeling_page_needs_membership_and_the_label_permission(as_user, make_project, users):
    project = make_project(n_clips=1)
    url = reverse("labeling:label", args=[project.pk])
    body = as_user("ann0").get(url).content.decode()
    assert 'id="labeling"' in body and "js/labeling.js" in body
    assert f'data-next-url="/api/projects/{project.pk}/next/"' in body
    assert as_user("annotator").get(url).status_code == 403  # not a member
    assert as_user("editor").get(url).status_code == 403  # manages projects, does not label
    project_member_set(project=project, user=users["reviewer"], role=MemberRole.REVIEWER)
    assert as_user("reviewer").get(url).status_code == 200


def test_review_page_for_reviewers_of_the_project(as_user, make_project, users, annotators, cat):
    project = make_project(n_clips=1, overlap=2)
    label_all(project, annotators[0], "cats", cat)
    label_all(project, annotators[1], "match-highlights", cat)
    task = project.tasks.get()
    assert task.status == TaskStatus.REVIEW
    url = reverse("labeling:review", args=[project.pk])
    assert as_user("reviewer").get(url).status_code == 403  # not a member
    project_member_set(project=project, user=users["reviewer"], role=MemberRole.REVIEWER)
    body = as_user("reviewer").get(url).content.decode()
    assert f'data-review-url="/api/tasks/{task.pk}/review/"' in body
    assert "Nature &gt; Animals &gt; Cats" in body and "Sports &gt; Football &gt; Match highlights" in body
    assert as_user("ann0").get(url).status_code == 403  # a member without the review permission
    assert as_user("admin").get(url).status_code == 200


def test_flags_page_groups_flags_by_category(as_user, make_project, annotators, cat, small_taxonomy):
    project = make_project(n_clips=2, overlap=1)
    label_all(project, annotators[0], "cats", cat, flag="Cartoon cats?")
    url = reverse("labeling:flags") + f"?taxonomy={small_taxonomy.pk}"
    body = as_user("editor").get(url).content.decode()
    assert "Nature &gt; Animals &gt; Cats" in body and body.count("Cartoon cats?") == 2
    assert reverse("taxonomy:category", args=[cat("cats").pk]) in body
    assert as_user("annotator").get(url).status_code == 403
    detail = as_user("editor").get(reverse("taxonomy:detail", args=[small_taxonomy.pk])).content.decode()
    assert 'id="flags-link"' in detail


def test_migration_report_shows_what_moved_where(as_user, make_project, annotators, cat, editor):
    project = make_project(n_clips=2, overlap=1)
    label_all(project, annotators[0], "training", cat)
    taxonomy_services.category_merge(source=cat("training"), target=cat("match-highlights"), actor=editor)
    taxonomy_services.release_publish(taxonomy=project.taxonomy, actor=editor)
    body = as_user("editor").get(reverse("labeling:project", args=[project.pk])).content.decode()
    assert "1.0 → 2.0" in body or "1.0 → 1.1" in body
    row = body.split('class="moves"')[1].split("</table>")[0]
    assert "Sports &gt; Football &gt; Training" in row and "Sports &gt; Football &gt; Match highlights" in row
    assert "<td>2</td>" in row


def test_names_titles_and_comments_are_escaped(as_user, make_project, annotators, cat, users, small_taxonomy):
    project = make_project(n_clips=1, overlap=2, name=SCRIPT, prefix=SCRIPT, instructions=SCRIPT)
    label_all(project, annotators[0], "cats", cat, flag=SCRIPT)
    label_all(project, annotators[1], "cats", cat)
    project_member_set(project=project, user=users["reviewer"], role=MemberRole.REVIEWER)
    assert Label.objects.filter(flagged=True).exists()
    pages = [
        ("editor", reverse("labeling:index")),
        ("editor", reverse("labeling:project", args=[project.pk])),
        ("editor", reverse("labeling:flags") + f"?taxonomy={small_taxonomy.pk}"),
        ("reviewer", reverse("labeling:review", args=[project.pk])),
        ("ann2", reverse("labeling:label", args=[project.pk])),
    ]
    for who, url in pages:
        body = as_user(who).get(url).content.decode()
        assert SCRIPT not in body, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body, url
