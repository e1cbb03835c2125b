"""A small labeled world for the dashboards, with times set by hand so every figure can be worked out on paper.

Project "Overlap" (overlap 2, annotators ann1 and ann2), week of Monday 2025-03-03 and the next:
  c1: both say Cats (Mon 03-03)                      -> agree at every level; done, final Cats
  c2: Match highlights / Training (Mon 03-03)        -> agree at levels 1-2 only; reviewed, final Match highlights
  c3: Basketball / Cats (Wed 03-12)                  -> agree nowhere; in review
  c4: no labels                                      -> open
Project "Single" (overlap 1): six clips with final labels and predictions of the active version v1:
  final  Cats Cats Cats  MH  MH  Training
  model  Cats Cats MH    MH  Tr  Training
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from accounts.services import user_create_with_role
from annotation.choices import ClipStatus, TaskStatus
from annotation.models import Clip, Label, Project, Task
from classifier.choices import ModelStatus
from classifier.models import ModelVersion, Prediction
from taxonomy import services as taxonomy_services
from taxonomy.models import Category

MON = datetime(2025, 3, 3, 10, 0, tzinfo=UTC)


def clip(title: str, at: datetime | None = None, status: str = ClipStatus.READY) -> Clip:
    c = Clip.objects.create(
        title=title, file=f"clips/{uuid.uuid4().hex}.mp4", checksum=uuid.uuid4().hex * 2, status=status
    )
    if at is not None:
        Clip.objects.filter(pk=c.pk).update(created_at=at)
    return c


def label(task: Task, user, category: Category, at: datetime, ms: int) -> Label:
    row = Label.objects.create(
        task=task, annotator=user, category=category, release=task.project.release, time_spent_ms=ms
    )
    Label.objects.filter(pk=row.pk).update(created_at=at)
    return row


def predict(version: ModelVersion, clip: Clip, category: Category, confidence: float, at: datetime | None = None):
    p = Prediction.objects.create(
        clip=clip, model_version=version, category=category, path=[category.code], confidence=confidence
    )
    if at is not None:
        Prediction.objects.filter(pk=p.pk).update(created_at=at)
    return p


@pytest.fixture
def world(small_taxonomy, editor, cat):
    release = taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)
    ann1 = user_create_with_role(username="ann1", password="a-long-test-password", role="annotator")
    ann2 = user_create_with_role(username="ann2", password="a-long-test-password", role="annotator")
    cats, mh, tr, bb = cat("cats"), cat("match-highlights"), cat("training"), cat("basketball")

    overlap = Project.objects.create(name="Overlap", taxonomy=small_taxonomy, release=release, overlap=2)
    c = [clip(f"c{i}") for i in range(1, 5)]
    t = [Task.objects.create(project=overlap, clip=x, required=2) for x in c]
    label(t[0], ann1, cats, MON, 10_000)
    label(t[0], ann2, cats, MON + timedelta(minutes=1), 5_000)
    label(t[1], ann1, mh, MON + timedelta(minutes=2), 20_000)
    label(t[1], ann2, tr, MON + timedelta(minutes=3), 7_000)
    wed = MON + timedelta(days=9)
    label(t[2], ann1, bb, wed, 30_000)
    label(t[2], ann2, cats, wed + timedelta(minutes=1), 40_000)
    all_agree = {"levels": {"1": True, "2": True, "3": True}, "partial": 1.0, "labels": 2}
    Task.objects.filter(pk=t[0].pk).update(
        status=TaskStatus.DONE, final_category=cats, final_release=release, completed_at=MON, agreement=all_agree
    )
    Task.objects.filter(pk=t[1].pk).update(
        status=TaskStatus.DONE,
        final_category=mh,
        final_release=release,
        completed_at=MON + timedelta(days=1),
        agreement={"levels": {"1": True, "2": True, "3": False}, "partial": 0.67, "labels": 2},
    )
    Task.objects.filter(pk=t[2].pk).update(
        status=TaskStatus.REVIEW,
        agreement={"levels": {"1": False, "2": False, "3": False}, "partial": 0.0, "labels": 2},
    )

    single = Project.objects.create(name="Single", taxonomy=small_taxonomy, release=release, overlap=1)
    version = ModelVersion.objects.create(
        taxonomy=small_taxonomy, release=release, number=1, status=ModelStatus.ACTIVE, metrics={"hit_at_1": 0.66}
    )
    plan = [(cats, cats), (cats, cats), (cats, mh), (mh, mh), (mh, tr), (tr, tr)]
    d = [clip(f"d{i}") for i in range(1, 7)]
    for x, (final, predicted) in zip(d, plan, strict=True):
        Task.objects.create(
            project=single,
            clip=x,
            status=TaskStatus.DONE,
            final_category=final,
            final_release=release,
            completed_at=MON + timedelta(days=2),
        )
        predict(version, x, predicted, 0.8)
    return {
        "taxonomy": small_taxonomy,
        "release": release,
        "overlap": overlap,
        "single": single,
        "version": version,
        "users": (ann1, ann2),
        "cat": {"cats": cats, "mh": mh, "tr": tr, "bb": bb},
    }
