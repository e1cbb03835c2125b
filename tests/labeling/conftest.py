"""Fixtures for labeling: ready clips (rows only; no media is needed to lease and label) and a project on
the small taxonomy's first release."""

from __future__ import annotations

import uuid

import pytest

from accounts.services import user_create_with_role
from annotation.choices import ClipStatus
from annotation.models import Clip
from annotation.services.projects import project_create, project_member_set
from taxonomy import services as taxonomy_services


def make_clips(n: int, prefix: str = "clip") -> list[Clip]:
    return Clip.objects.bulk_create(
        [
            Clip(
                title=f"{prefix} {i}",
                file=f"clips/{prefix}-{i}.mp4",
                checksum=uuid.uuid4().hex + uuid.uuid4().hex,
                status=ClipStatus.READY,
                duration=3.0,
            )
            for i in range(n)
        ]
    )


@pytest.fixture
def release(small_taxonomy, editor):
    return taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)


@pytest.fixture
def annotators(db):
    return [
        user_create_with_role(username=f"ann{i}", password="a-long-test-password", role="annotator") for i in range(4)
    ]


@pytest.fixture
def make_project(release, small_taxonomy, editor, annotators):
    def make(n_clips: int = 5, **options):
        clips = make_clips(n_clips, prefix=options.pop("prefix", "clip"))
        project = project_create(
            name=options.pop("name", f"P{uuid.uuid4().hex[:6]}"),
            taxonomy=small_taxonomy,
            actor=editor,
            clip_filter={"ids": [c.pk for c in clips]},
            **options,
        )
        for user in annotators:
            project_member_set(project=project, user=user)
        return project

    return make
