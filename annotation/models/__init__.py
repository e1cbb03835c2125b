from .clips import Clip, Tag, clip_upload_to
from .labels import Label, LabelMigration, Review
from .programs import Program
from .projects import Assignment, Project, ProjectMember, Task

__all__ = [
    "Assignment",
    "Clip",
    "Label",
    "LabelMigration",
    "Program",
    "Project",
    "ProjectMember",
    "Review",
    "Tag",
    "Task",
    "clip_upload_to",
]
