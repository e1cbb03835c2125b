"""Recording an edit: the audit event and the taxonomy's revision bump, always together."""

from __future__ import annotations

from django.db.models import F

from taxonomy.choices import AuditAction
from taxonomy.models import AuditEvent, Category, Taxonomy


def audit_record(
    *,
    taxonomy: Taxonomy,
    action: AuditAction,
    summary: str,
    actor=None,
    category: Category | None = None,
    reason: str = "",
    details: dict | None = None,
) -> AuditEvent:
    Taxonomy.objects.filter(pk=taxonomy.pk).update(revision=F("revision") + 1)
    return AuditEvent.objects.create(
        taxonomy=taxonomy,
        category=category,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        summary=summary[:500],
        reason=reason,
        details=details or {},
    )
