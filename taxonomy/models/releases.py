"""Releases: immutable published snapshots of a taxonomy, and what each did to the previous one."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from taxonomy.choices import CategoryStatus, MappingAction


class _Immutable(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are immutable once published.")
        super().save(*args, **kwargs)


class Release(_Immutable):
    """A published version (major.minor) of a taxonomy's tree and standards. Labels, model versions and
    predictions name the release they were made under."""

    taxonomy = models.ForeignKey("taxonomy.Taxonomy", on_delete=models.CASCADE, related_name="releases")
    major = models.PositiveIntegerField()
    minor = models.PositiveIntegerField()
    previous = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    notes = models.TextField(blank=True)
    summary = models.JSONField(default=dict, help_text="Counts of each mapping action.")
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taxonomy", "-major", "-minor"]
        get_latest_by = "published_at"
        constraints = [models.UniqueConstraint(fields=["taxonomy", "major", "minor"], name="release_version_unique")]

    def __str__(self) -> str:
        return f"{self.taxonomy.name} {self.version}"

    @property
    def version(self) -> str:
        return f"{self.major}.{self.minor}"


class ReleaseCategory(_Immutable):
    """One category as it stood in a release (frozen copy of its name, place, status and standard)."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="entries")
    category = models.ForeignKey("taxonomy.Category", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=64)
    name = models.CharField(max_length=200)
    path = models.TextField()
    parent_code = models.CharField(max_length=64, blank=True)
    level = models.PositiveSmallIntegerField(help_text="1-based depth.")
    status = models.CharField(max_length=16, choices=CategoryStatus.choices)
    replaced_by_code = models.CharField(max_length=64, blank=True)
    split_into_codes = models.JSONField(default=list)
    standard = models.ForeignKey(
        "taxonomy.StandardRevision", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["release", "path"]
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="release_category_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} in {self.release_id}"


class CategoryMapping(_Immutable):
    """What `release` did to one category of the previous release: complete (every category of the
    previous release has a row, new categories too) and machine-readable, for label migration and for
    mapping a model's head."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="mappings")
    category = models.ForeignKey("taxonomy.Category", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(max_length=64)
    action = models.CharField(max_length=16, choices=MappingAction.choices)
    renamed = models.BooleanField(default=False)
    moved = models.BooleanField(default=False)
    standard_changed = models.BooleanField(default=False)
    old_path = models.TextField(blank=True)
    new_path = models.TextField(blank=True)
    target_codes = models.JSONField(default=list, help_text="Merge target or split parts (codes).")

    class Meta:
        ordering = ["release", "code"]
        constraints = [models.UniqueConstraint(fields=["release", "code"], name="mapping_code_unique")]

    def __str__(self) -> str:
        return f"{self.code}: {self.action}"

    @property
    def action_value(self) -> MappingAction:
        return MappingAction(self.action)
