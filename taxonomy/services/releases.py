"""Publishing a release: freeze the tree and standards, and record the mapping from the previous one."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from taxonomy.choices import AuditAction
from taxonomy.diff import diff_snapshots, has_changes, is_major, summarize
from taxonomy.models import CategoryMapping, Release, ReleaseCategory, Taxonomy
from taxonomy.selectors import release_latest, release_snapshot_rows, taxonomy_snapshot_rows
from taxonomy.signals import release_published

from .audit import audit_record


@transaction.atomic
def release_publish(*, taxonomy: Taxonomy, actor=None, notes: str = "") -> Release:
    """Publish the current tree as the next release: major when categories were removed, merged, split or
    moved since the last release, minor otherwise; 1.0 for the first. Refuses when nothing changed."""
    taxonomy = Taxonomy.objects.select_for_update().get(pk=taxonomy.pk)
    previous = release_latest(taxonomy)
    current_rows = taxonomy_snapshot_rows(taxonomy)
    if not any(row.status == "active" for row in current_rows):
        raise ValidationError("The taxonomy has no active category; add some before publishing.")
    old_rows = release_snapshot_rows(previous) if previous else []
    entries = diff_snapshots(old_rows, current_rows)
    if previous is not None and not has_changes(entries):
        raise ValidationError(f"Nothing changed since release {previous.version}; there is nothing to publish.")
    if previous is None:
        major, minor = 1, 0
    elif is_major(entries):
        major, minor = previous.major + 1, 0
    else:
        major, minor = previous.major, previous.minor + 1
    release = Release.objects.create(
        taxonomy=taxonomy,
        major=major,
        minor=minor,
        previous=previous,
        notes=notes.strip(),
        summary=summarize(entries),
        published_by=actor if actor is not None and actor.is_authenticated else None,
    )
    ReleaseCategory.objects.bulk_create(
        [
            ReleaseCategory(
                release=release,
                category_id=row.category_id,
                code=row.code,
                name=row.name,
                path=row.path,
                parent_code=row.parent_code,
                level=row.level,
                status=row.status,
                replaced_by_code=row.replaced_by_code,
                split_into_codes=list(row.split_into_codes),
                standard_id=row.standard_id,
            )
            for row in current_rows
        ],
        batch_size=1000,
    )
    CategoryMapping.objects.bulk_create(
        [
            CategoryMapping(
                release=release,
                category_id=entry.category_id or _category_id(old_rows, entry.code),
                code=entry.code,
                action=entry.action,
                renamed=entry.renamed,
                moved=entry.moved,
                standard_changed=entry.standard_changed,
                old_path=entry.old_path,
                new_path=entry.new_path,
                target_codes=list(entry.target_codes),
            )
            for entry in entries
        ],
        batch_size=1000,
    )
    audit_record(
        taxonomy=taxonomy,
        actor=actor,
        action=AuditAction.RELEASE_PUBLISHED,
        summary=f"Published release {release.version}",
        reason=notes,
        details={"release": release.version, "summary": release.summary},
    )
    release_published.send(sender=Release, release=release, actor=actor)
    return release


def _category_id(rows, code: str) -> int | None:
    return next((row.category_id for row in rows if row.code == code), None)
