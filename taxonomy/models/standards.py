"""Labeling standards: immutable revisions, one sequence per category."""

from __future__ import annotations

from django.conf import settings
from django.db import models

STANDARD_FIELDS = ("definition", "include_rules", "exclude_rules", "notes", "examples")


class StandardRevision(models.Model):
    """One version of a category's labeling standard. Never edited after it is saved: a change is a new
    revision, so every label can name the exact text it was made under. The current standard of a
    category is its highest-numbered revision."""

    category = models.ForeignKey("taxonomy.Category", on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    definition = models.TextField(blank=True)
    include_rules = models.TextField(blank=True)
    exclude_rules = models.TextField(blank=True)
    notes = models.TextField(blank=True)
    examples = models.JSONField(
        default=list,
        blank=True,
        help_text="Example references: clip ids, URLs or short descriptions, each {'ref', 'kind', 'note'}.",
    )
    change_note = models.CharField(max_length=500, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["category", "-number"]
        constraints = [models.UniqueConstraint(fields=["category", "number"], name="standard_revision_number_unique")]

    def __str__(self) -> str:
        return f"{self.category.code} r{self.number}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError("Standard revisions are immutable; write a new revision instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("Standard revisions are immutable and are never deleted.")

    def content(self) -> dict:
        return {field: getattr(self, field) for field in STANDARD_FIELDS}
