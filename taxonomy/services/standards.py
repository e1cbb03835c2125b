"""Labeling standards: every change is a new immutable revision."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction

from taxonomy.choices import AuditAction
from taxonomy.models import Category, StandardRevision
from taxonomy.models.standards import STANDARD_FIELDS
from taxonomy.selectors import standard_current

from .audit import audit_record


def _clean_examples(examples) -> list[dict]:
    if examples in (None, ""):
        return []
    if not isinstance(examples, list):
        raise ValidationError({"examples": "Examples must be a list."})
    cleaned = []
    for item in examples:
        if isinstance(item, str):
            item = {"ref": item}
        if not isinstance(item, dict) or not str(item.get("ref", "")).strip():
            raise ValidationError({"examples": "Each example needs a 'ref' (a clip id, URL or description)."})
        kind = item.get("kind", "positive")
        if kind not in ("positive", "negative"):
            raise ValidationError({"examples": "An example's kind is 'positive' or 'negative'."})
        cleaned.append({"ref": str(item["ref"]).strip(), "kind": kind, "note": str(item.get("note", "")).strip()})
    return cleaned


@transaction.atomic
def standard_revise(
    *,
    category: Category,
    actor=None,
    change_note: str = "",
    definition: str = "",
    include_rules: str = "",
    exclude_rules: str = "",
    notes: str = "",
    examples: list | None = None,
    record: bool = True,
) -> StandardRevision:
    """Write a new revision of the category's standard. Refuses a revision identical to the current one.

    Returns:
        The new revision, which is now the category's current standard.
    """
    content = {
        "definition": definition.strip(),
        "include_rules": include_rules.strip(),
        "exclude_rules": exclude_rules.strip(),
        "notes": notes.strip(),
        "examples": _clean_examples(examples),
    }
    current = standard_current(category)
    if current is not None and current.content() == content:
        raise ValidationError("The standard is unchanged; nothing to save.")
    revision = StandardRevision.objects.create(
        category=category,
        number=(current.number + 1) if current else 1,
        author=actor if actor is not None and actor.is_authenticated else None,
        change_note=change_note.strip(),
        **content,
    )
    if record:
        changed = [f for f in STANDARD_FIELDS if current is None or getattr(current, f) != content[f]]
        audit_record(
            taxonomy=category.taxonomy,
            category=category,
            actor=actor,
            action=AuditAction.STANDARD_REVISED,
            summary=f"Standard of {category.path} revised to r{revision.number}",
            reason=change_note,
            details={"revision": revision.number, "fields": changed},
        )
    return revision
