from .audit import AuditEvent
from .releases import CategoryMapping, Release, ReleaseCategory
from .standards import StandardRevision
from .tree import PATH_SEPARATOR, Category, Taxonomy

__all__ = [
    "PATH_SEPARATOR",
    "AuditEvent",
    "Category",
    "CategoryMapping",
    "Release",
    "ReleaseCategory",
    "StandardRevision",
    "Taxonomy",
]
