"""Clip manifests for bulk import: CSV (a header row) or JSON Lines, one clip per row.

Columns / keys: `path` (required; relative paths are relative to the manifest), `title`, `description`,
`tags` (a JSON list, or comma-separated), `program` (a program title; created when missing), `source`.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path


class ManifestError(Exception):
    """The manifest as a whole cannot be read."""


@dataclass
class ManifestRow:
    line: int
    path: Path | None
    title: str = ""
    description: str = ""
    tags: list[str] = field(default_factory=list)
    program: str = ""
    source: str = ""
    problem: str = ""  # set when the row itself is malformed


def _tags(value) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    text = str(value or "").strip()
    if text.startswith("["):
        try:
            return [str(v) for v in json.loads(text)]
        except json.JSONDecodeError:
            pass
    return [t for t in text.split(",") if t.strip()]


def _row(line: int, data: dict, base: Path) -> ManifestRow:
    data = {str(k).strip().lower(): v for k, v in data.items() if k is not None}
    raw_path = str(data.get("path") or "").strip()
    path = None
    if raw_path:
        path = Path(raw_path).expanduser()
        path = path if path.is_absolute() else base / path
    return ManifestRow(
        line=line,
        path=path,
        title=str(data.get("title") or "").strip(),
        description=str(data.get("description") or "").strip(),
        tags=_tags(data.get("tags")),
        program=str(data.get("program") or "").strip(),
        source=str(data.get("source") or "").strip(),
        problem="" if raw_path else "no path",
    )


def manifest_read(path: Path) -> list[ManifestRow]:
    """Parse a CSV or JSONL manifest (chosen by suffix, else by the first character)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise ManifestError(f"{path}: cannot read the manifest ({exc}).") from exc
    base = path.resolve().parent
    is_json = path.suffix.lower() in {".jsonl", ".ndjson", ".json"} or text.lstrip().startswith("{")
    rows = []
    if is_json:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                rows.append(ManifestRow(line=number, path=None, problem=f"not valid JSON ({exc.msg})"))
                continue
            if not isinstance(data, dict):
                rows.append(ManifestRow(line=number, path=None, problem="not a JSON object"))
                continue
            rows.append(_row(number, data, base))
        return rows
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "path" not in [f.strip().lower() for f in reader.fieldnames]:
        raise ManifestError(f"{path}: a CSV manifest needs a header row with a 'path' column.")
    for data in reader:
        rows.append(_row(reader.line_num, data, base))
    return rows
