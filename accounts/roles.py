"""The roles of ClipCat as Django groups, and the permissions each one carries.

A role is a group; `roles_sync()` makes the groups match this table (run after every migrate), so a new
permission in code reaches every installation without a hand-written data migration.
"""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

ADMIN = "Admins"
TAXONOMY_EDITOR = "Taxonomy editors"
ANNOTATOR = "Annotators"
REVIEWER = "Reviewers"

ROLE_CHOICES = (
    ("admin", ADMIN),
    ("editor", TAXONOMY_EDITOR),
    ("annotator", ANNOTATOR),
    ("reviewer", REVIEWER),
)

# app_label.codename. "view_*" of everything is given to every role: people label and review by the
# standards, so everyone may read the taxonomy.
_TAXONOMY_EDIT = [
    "taxonomy.add_taxonomy",
    "taxonomy.change_taxonomy",
    "taxonomy.add_category",
    "taxonomy.change_category",
    "taxonomy.add_standardrevision",
    "taxonomy.add_release",
    "taxonomy.import_taxonomy",
]

ROLE_PERMISSIONS: dict[str, list[str]] = {
    TAXONOMY_EDITOR: _TAXONOMY_EDIT,
    ANNOTATOR: [],
    REVIEWER: [],
    ADMIN: [*_TAXONOMY_EDIT, "taxonomy.delete_taxonomy"],
}

# Apps whose view_* permissions every role gets.
_READABLE_APPS = ("taxonomy", "annotation")

_extra: dict[str, list[str]] = {}


def role_permissions_extend(role: str, permissions: list[str]) -> None:
    """Let another app add its permissions to a role (called from that app's AppConfig.ready)."""
    _extra.setdefault(role, []).extend(permissions)


def _permissions(names: list[str]) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = Permission.objects.filter(content_type__app_label__in={a for a, _ in wanted}).select_related("content_type")
    return [p for p in found if (p.content_type.app_label, p.codename) in wanted]


@transaction.atomic
def roles_sync() -> None:
    """Create the role groups and give each exactly its permissions."""
    readable = list(Permission.objects.filter(content_type__app_label__in=_READABLE_APPS, codename__startswith="view_"))
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set([*readable, *_permissions([*names, *_extra.get(role, [])])])


def sync_roles_after_migrate(sender, using="default", **kwargs) -> None:
    """post_migrate fires once per app, after that app's permissions exist; syncing each time (a few
    queries) keeps the groups right whichever apps a migrate run touched."""
    if using == "default":
        roles_sync()
