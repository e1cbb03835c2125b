"""Fixtures of the API fuzzers (test_fuzz.py as an admin, test_fuzz_roles.py as an annotator and a reviewer)."""

import pytest


@pytest.fixture
def make_project_for_fuzz(small_taxonomy, editor, users):
    import uuid

    from annotation.choices import ClipStatus
    from annotation.models import Clip
    from annotation.services.projects import project_create, project_member_set
    from taxonomy.services import release_publish

    release_publish(taxonomy=small_taxonomy, actor=editor)
    clips = Clip.objects.bulk_create(
        [
            Clip(title=f"fuzz {i}", file=f"clips/fuzz-{i}.mp4", checksum=uuid.uuid4().hex * 2, status=ClipStatus.READY)
            for i in range(3)
        ]
    )
    project = project_create(
        name="Fuzz", taxonomy=small_taxonomy, actor=editor, clip_filter={"ids": [c.pk for c in clips]}
    )
    project_member_set(project=project, user=users["admin"])
    return project
