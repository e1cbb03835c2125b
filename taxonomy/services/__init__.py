"""Writes to the category system. Every function is keyword-only, runs in one transaction, records an
audit event and bumps the taxonomy's revision."""

from .releases import release_publish
from .standards import standard_revise
from .tree import (
    category_add,
    category_deprecate,
    category_merge,
    category_move,
    category_rename,
    category_restore,
    category_split,
    taxonomy_create,
    taxonomy_update,
)

__all__ = [
    "category_add",
    "category_deprecate",
    "category_merge",
    "category_move",
    "category_rename",
    "category_restore",
    "category_split",
    "release_publish",
    "standard_revise",
    "taxonomy_create",
    "taxonomy_update",
]
