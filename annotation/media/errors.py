"""Permanent media errors: the file itself is the problem, so retrying cannot help. Each carries a code
(stored on the clip, filterable) and a sentence a person can act on."""

from __future__ import annotations

from enum import StrEnum


class MediaErrorCode(StrEnum):
    EMPTY = "empty"
    NOT_VIDEO = "not_video"
    TRUNCATED = "truncated"
    UNSUPPORTED_CODEC = "unsupported_codec"
    TOO_LONG = "too_long"
    TOO_LARGE = "too_large"


class MediaError(Exception):
    """A video that cannot be processed as it is. `reason` is written for the person who uploaded it."""

    def __init__(self, code: MediaErrorCode, reason: str):
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def __repr__(self) -> str:
        return f"MediaError({self.code!s}, {self.reason!r})"


# The first bytes of the containers ClipCat takes. A file that starts like a video but cannot be opened
# was cut off (or damaged); one that starts like nothing we know is not a video at all.
_SIGNATURES = (
    (4, b"ftyp"),  # MP4, MOV, M4V, 3GP
    (4, b"moov"),  # old QuickTime
    (4, b"mdat"),
    (4, b"wide"),
    (4, b"free"),
    (0, b"\x1a\x45\xdf\xa3"),  # Matroska, WebM
    (0, b"RIFF"),  # AVI
    (0, b"OggS"),
    (0, b"FLV"),
    (0, b"\x00\x00\x01\xba"),  # MPEG-PS
    (0, b"G"),  # MPEG-TS sync byte (checked with the packet size below)
)


def looks_like_video(head: bytes) -> bool:
    """Whether the first bytes of a file carry a known video container signature."""
    for offset, magic in _SIGNATURES:
        if magic == b"G":
            if len(head) > 188 and head[0] == 0x47 and head[188] == 0x47:
                return True
            continue
        if head[offset : offset + len(magic)] == magic:
            return True
    return False
