from .clips import Clip, Tag, clip_upload_to
from .programs import Program

__all__ = ["Clip", "Program", "Tag", "clip_upload_to"]
