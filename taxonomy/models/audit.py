"""The audit log: who changed what in a taxonomy, when, and why."""

from django.conf import settings
from django.db import models

from taxonomy.choices import AuditAction


class AuditEvent(models.Model):
    """One recorded edit. `details` holds the before/after values a person needs to understand it."""

    taxonomy = models.ForeignKey("taxonomy.Taxonomy", on_delete=models.CASCADE, related_name="audit_events")
    category = models.ForeignKey(
        "taxonomy.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="audit_events"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=32, choices=AuditAction.choices)
    summary = models.CharField(max_length=500)
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.summary
