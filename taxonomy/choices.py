"""Choice sets of the taxonomy app."""

from django.db import models


class CategoryStatus(models.TextChoices):
    ACTIVE = "active", "Active"
    DEPRECATED = "deprecated", "Deprecated"


class MappingAction(models.TextChoices):
    """What a release did to one category of the previous release (or, for ADDED, a new one)."""

    KEPT = "kept", "Kept"
    RENAMED = "renamed", "Renamed"
    MOVED = "moved", "Moved"
    MERGED = "merged", "Merged into"
    SPLIT = "split", "Split into"
    DEPRECATED = "deprecated", "Deprecated"
    ADDED = "added", "Added"
    RESTORED = "restored", "Restored"


# Actions that make a release major: a change that removes, merges, splits or moves categories.
MAJOR_ACTIONS = frozenset({MappingAction.MOVED, MappingAction.MERGED, MappingAction.SPLIT, MappingAction.DEPRECATED})


class AuditAction(models.TextChoices):
    TAXONOMY_CREATED = "taxonomy_created", "Taxonomy created"
    TAXONOMY_IMPORTED = "taxonomy_imported", "Taxonomy imported"
    TAXONOMY_UPDATED = "taxonomy_updated", "Taxonomy updated"
    CATEGORY_ADDED = "category_added", "Category added"
    CATEGORY_RENAMED = "category_renamed", "Category renamed"
    CATEGORY_MOVED = "category_moved", "Category moved"
    CATEGORY_MERGED = "category_merged", "Category merged"
    CATEGORY_SPLIT = "category_split", "Category split"
    CATEGORY_DEPRECATED = "category_deprecated", "Category deprecated"
    CATEGORY_RESTORED = "category_restored", "Category restored"
    STANDARD_REVISED = "standard_revised", "Standard revised"
    RELEASE_PUBLISHED = "release_published", "Release published"
