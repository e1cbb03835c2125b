"""Writing files into Django storage: uploads hashed while they stream in, derived media under a fresh
folder per processing run (so a reader never sees half of one)."""

from __future__ import annotations

import hashlib
import io
import uuid
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage


def human_bytes(size: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GB"


class HashingReader(io.RawIOBase):
    """Reads through another file, computing sha256 and refusing to go past `limit` bytes."""

    def __init__(self, raw, limit: int):
        super().__init__()
        self._raw = raw
        self._limit = limit
        self.size = getattr(raw, "size", None)
        self.reset()

    def reset(self) -> None:
        self.sha256 = hashlib.sha256()
        self.count = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self.count

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) not in ((0, io.SEEK_SET), (0, io.SEEK_CUR)):
            raise io.UnsupportedOperation("HashingReader only rewinds to the start")
        if whence == io.SEEK_SET:
            self._raw.seek(0)
            self.reset()
        return self.count

    def read(self, size: int = -1) -> bytes:
        data = self._raw.read(size)
        self.count += len(data)
        if self.count > self._limit:
            raise ValidationError(
                f"The file is larger than the {human_bytes(self._limit)} ClipCat takes.", code="too_large"
            )
        self.sha256.update(data)
        return data

    def readinto(self, buffer) -> int:
        data = self.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def store_upload(upload, name: str, limit: int) -> tuple[str, str, int]:
    """Stream `upload` into default storage as `name`. Returns (stored name, sha256 hex, size)."""
    reader = HashingReader(upload, limit)
    reader.seek(0)
    stored = default_storage.save(name, File(reader, name=name))
    return stored, reader.sha256.hexdigest(), reader.count


def store_derived(clip_id: int, files: dict[str, Path]) -> dict[str, str]:
    """Copy local files into `derived/<clip id>/<run>/`; returns field -> stored name."""
    prefix = f"derived/{clip_id}/{uuid.uuid4().hex[:12]}"
    stored = {}
    try:
        for field, path in files.items():
            with open(path, "rb") as handle:
                stored[field] = default_storage.save(f"{prefix}/{path.name}", File(handle, name=path.name))
    except BaseException:
        delete_files(stored.values())
        raise
    return stored


def delete_files(names) -> None:
    for name in names:
        if name:
            default_storage.delete(name)
