"""Reactions to other apps' events."""

from annotation.services.migration import labels_migrate_for_release


def migrate_labels_on_release(sender, release, **kwargs) -> None:
    """Publishing a release carries every project's labels over to it (in the same transaction)."""
    labels_migrate_for_release(release=release)
