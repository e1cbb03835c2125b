"""The data the role matrix runs on: one person per role, a taxonomy with a published release, a program,
two labeling projects with clips, leases and labels, a model version with predictions and a queued
training run. Everything a path parameter names exists. No training: the model version is a row.

Project A has the annotator and the reviewer as members; project B belongs to another annotator, and its
clips carry SECRET in their titles, so a page or an answer that shows them to the others is easy to see.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from accounts.services import user_create_with_role
from annotation.choices import MemberRole
from annotation.models import Assignment, Clip, Label, Program, Project, ProjectMember, Task
from annotation.services.labels import label_submit
from annotation.services.projects import project_create, project_member_set
from annotation.services.queue import task_next_for_annotator
from classifier.models import ModelVersion, Prediction, TrainingRun
from classifier.services.runs import training_run_request
from taxonomy import services as taxonomy_services
from taxonomy.models import AuditEvent, Category, Release, Taxonomy
from tests.classifier.suggestions import make_version, predict
from tests.conftest import PASSWORD
from tests.labeling.conftest import make_clips

SECRET = "only-project-b"


@dataclass
class World:
    users: dict  # role -> user (no anonymous)
    taxonomy: Taxonomy
    category: Category  # with a standard
    release: Release
    audit_event: AuditEvent
    program: Program
    project: Project  # A
    clip: Clip  # of A, with its video and poster stored
    task: Task  # of A, labeled by the annotator
    label: Label
    leases: dict  # role -> the lease that person holds in A (annotator, reviewer, admin)
    version: ModelVersion
    run: TrainingRun
    suggestion: Prediction
    other_project: Project  # B
    other_clip: Clip
    other_task: Task
    other_label: Label
    other_lease: Assignment

    def api_object(self, resource: str, role: str) -> int:
        """The id an API path of `resource` is called with, as `role`."""
        if resource == "assignments":
            return (self.leases.get(role) or self.leases["annotator"]).pk
        return {
            "taxonomies": self.taxonomy,
            "categories": self.category,
            "releases": self.release,
            "audit-events": self.audit_event,
            "clips": self.clip,
            "programs": self.program,
            "projects": self.project,
            "tasks": self.task,
            "labels": self.label,
            "model-versions": self.version,
            "training-runs": self.run,
            "suggestions": self.suggestion,
        }[resource].pk

    def page_object(self, name: str) -> int:
        return getattr(self, name).pk

    def other_api_object(self, resource: str) -> int:
        """Project B's object for an API path of `resource`."""
        return {
            "projects": self.other_project,
            "clips": self.other_clip,
            "tasks": self.other_task,
            "labels": self.other_label,
            "assignments": self.other_lease,
        }[resource].pk

    def other_page_object(self, name: str) -> int:
        return {"clip": self.other_clip, "project": self.other_project}[name].pk


def _store_media(clip: Clip) -> None:
    """A few bytes where the clip's video and poster belong, so the media view has something to serve."""
    clip.poster = f"derived/{clip.pk}/poster.jpg"
    clip.save(update_fields=["poster"])
    for name in (clip.file.name, clip.poster.name):
        default_storage.save(name, ContentFile(b"\0" * 64))


def world_build() -> World:
    users = {
        role: user_create_with_role(username=f"{role}1", password=PASSWORD, role=role)
        for role in ("annotator", "reviewer", "editor", "admin")
    }
    editor = users["editor"]
    taxonomy = taxonomy_services.taxonomy_create(name="Matrix taxonomy", actor=editor)
    sports = taxonomy_services.category_add(taxonomy=taxonomy, name="Sports", actor=editor, code="sports")
    highlights = taxonomy_services.category_add(
        taxonomy=taxonomy,
        name="Highlights",
        parent=sports,
        actor=editor,
        code="highlights",
        standard={"definition": "Edited highlights of a match."},
    )
    cats = taxonomy_services.category_add(taxonomy=taxonomy, name="Cats", actor=editor, code="cats")
    release = taxonomy_services.release_publish(taxonomy=taxonomy, actor=editor)
    program = Program.objects.create(title="Matrix show")

    clips = make_clips(3, prefix="matrix")
    Clip.objects.filter(pk=clips[0].pk).update(program=program)
    _store_media(clips[0])
    project = project_create(
        name="Project A", taxonomy=taxonomy, actor=editor, clip_filter={"ids": [c.pk for c in clips]}, overlap=3
    )
    project_member_set(project=project, user=users["annotator"])
    project_member_set(project=project, user=users["reviewer"], role=MemberRole.REVIEWER)
    labeled = task_next_for_annotator(project=project, user=users["annotator"])
    label = label_submit(assignment=labeled, user=users["annotator"], category=highlights)
    leases = {
        role: task_next_for_annotator(project=project, user=users[role]) for role in ("annotator", "reviewer", "admin")
    }

    other_clips = make_clips(2, prefix=SECRET)
    other = project_create(
        name="Project B", taxonomy=taxonomy, actor=editor, clip_filter={"ids": [c.pk for c in other_clips]}
    )
    owner = user_create_with_role(username="owner-of-b", password=PASSWORD, role="annotator")
    project_member_set(project=other, user=owner)
    other_label = label_submit(assignment=task_next_for_annotator(project=other, user=owner), user=owner, category=cats)
    other_lease = task_next_for_annotator(project=other, user=owner)

    version = make_version(taxonomy, release)
    suggestion = predict(version, clips[2], highlights, 0.8, (cats, 0.2))
    for clip in other_clips:  # one of them stays unlabeled: a suggestion
        predict(version, clip, cats, 0.9)
    run = training_run_request(taxonomy=taxonomy, trigger="manual", reason="matrix", window_s=0)
    return World(
        users=users,
        taxonomy=taxonomy,
        category=highlights,
        release=release,
        audit_event=AuditEvent.objects.filter(taxonomy=taxonomy).first(),
        program=program,
        project=project,
        clip=Clip.objects.get(pk=clips[0].pk),
        task=label.task,
        label=label,
        leases=leases,
        version=version,
        run=run,
        suggestion=suggestion,
        other_project=other,
        other_clip=other_label.task.clip,
        other_task=other_label.task,
        other_label=other_label,
        other_lease=other_lease,
    )


def world_fingerprint() -> dict[str, int]:
    """Row counts and versions that any write of the matrix's cases changes: equal before every case."""
    return {
        **{
            model.__name__: model.objects.count()
            for model in (Release, AuditEvent, Category, Clip, Program, Project, ProjectMember, Task, Label, Assignment)
        },
        "revision": Taxonomy.objects.get().revision,
        "runs": TrainingRun.objects.filter(status="queued").count(),
        "active model": ModelVersion.objects.filter(status="active").count(),
        "labeled tasks": Task.objects.filter(final_category__isnull=False).count(),
    }
