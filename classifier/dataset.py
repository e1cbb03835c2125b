"""What the classifier learns from: the final labels of a taxonomy's projects under a release, and the
release's categories as a label space."""

from __future__ import annotations

from annotation.choices import TaskStatus
from annotation.models import Task
from taxonomy.choices import CategoryStatus
from taxonomy.models import Release


def label_space_rows(release: Release) -> list[dict]:
    """Active categories of a release as rows for classifier.ml.labels.LabelSpace."""
    return [
        {"code": e.code, "parent_code": e.parent_code or None, "level": e.level, "name": e.name}
        for e in release.entries.filter(status=CategoryStatus.ACTIVE).order_by("level", "code")
    ]


def labeled_clips(release: Release) -> list[tuple[int, str]]:
    """(clip id, category code) for every clip with a final label under `release` (one per clip: the most
    recently decided one wins when a clip sits in several projects)."""
    rows = (
        Task.objects.filter(
            project__taxonomy_id=release.taxonomy_id,
            status=TaskStatus.DONE,
            is_gold=False,
            final_release=release,
            final_category__isnull=False,
        )
        .order_by("clip_id", "-completed_at")
        .values_list("clip_id", "final_category__code")
    )
    chosen: dict[int, str] = {}
    for clip_id, code in rows:
        chosen.setdefault(clip_id, code)
    return sorted(chosen.items())
