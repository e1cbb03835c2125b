"""Word-level differences between two standard revisions, for people to read."""

from __future__ import annotations

import difflib
import re

from taxonomy.models.standards import STANDARD_FIELDS

_TOKEN = re.compile(r"\s+|[^\s]+")


def _text(value) -> str:
    if isinstance(value, list):
        return "\n".join(
            f"[{item.get('kind', 'positive')}] {item.get('ref', '')} {item.get('note', '')}".strip() for item in value
        )
    return value or ""


def diff_words(before: str, after: str) -> list[dict]:
    """Operations [{'op': 'equal'|'insert'|'delete', 'text': ...}] turning `before` into `after`."""
    a, b = _TOKEN.findall(before), _TOKEN.findall(after)
    ops: list[dict] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            ops.append({"op": "equal", "text": "".join(a[i1:i2])})
            continue
        if i2 > i1:
            ops.append({"op": "delete", "text": "".join(a[i1:i2])})
        if j2 > j1:
            ops.append({"op": "insert", "text": "".join(b[j1:j2])})
    return ops


def diff_standards(old: dict | None, new: dict) -> list[dict]:
    """Per field of the standard: before, after, whether it changed, and the word operations."""
    old = old or {}
    result = []
    for field in STANDARD_FIELDS:
        before, after = _text(old.get(field, "")), _text(new.get(field, ""))
        result.append(
            {
                "field": field,
                "changed": before != after,
                "before": before,
                "after": after,
                "ops": diff_words(before, after),
            }
        )
    return result
