"""The difference between two snapshots of a taxonomy, as a complete per-category mapping.

Pure Python on plain rows, so the same code computes a release's mapping from its predecessor and the
diff between any two releases a person picks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from taxonomy.choices import MAJOR_ACTIONS, CategoryStatus, MappingAction

ACTIVE = CategoryStatus.ACTIVE.value


@dataclass(frozen=True)
class SnapshotRow:
    """A category as it stands in one snapshot."""

    code: str
    name: str
    path: str
    parent_code: str
    status: str
    replaced_by_code: str = ""
    split_into_codes: tuple[str, ...] = ()
    standard_id: int | None = None
    category_id: int | None = None
    level: int = 1


@dataclass(frozen=True)
class MappingEntry:
    code: str
    action: MappingAction
    renamed: bool = False
    moved: bool = False
    standard_changed: bool = False
    old_path: str = ""
    new_path: str = ""
    target_codes: tuple[str, ...] = field(default=())
    category_id: int | None = None

    def as_dict(self) -> dict:
        return {
            "code": self.code,
            "action": self.action.value,
            "renamed": self.renamed,
            "moved": self.moved,
            "standard_changed": self.standard_changed,
            "old_path": self.old_path,
            "new_path": self.new_path,
            "target_codes": list(self.target_codes),
        }


def _final_target(code: str, new: Mapping[str, SnapshotRow]) -> str:
    """Follow merges (A merged into B, B later merged into C) to the category that is active now."""
    seen = {code}
    current = new.get(code)
    while current is not None and current.status != ACTIVE and current.replaced_by_code:
        nxt = current.replaced_by_code
        if nxt in seen:
            break
        seen.add(nxt)
        current = new.get(nxt)
    return current.code if current is not None else code


def _entry_for_change(code: str, old: SnapshotRow, new: SnapshotRow, rows: Mapping[str, SnapshotRow]) -> MappingEntry:
    common = dict(
        code=code,
        old_path=old.path,
        new_path=new.path,
        category_id=new.category_id,
        renamed=old.name != new.name,
        moved=old.parent_code != new.parent_code,
        standard_changed=old.standard_id != new.standard_id,
    )
    old_active, new_active = old.status == ACTIVE, new.status == ACTIVE
    if old_active and not new_active:
        if new.replaced_by_code:
            target = _final_target(new.replaced_by_code, rows)
            return MappingEntry(action=MappingAction.MERGED, target_codes=(target,), **common)
        if new.split_into_codes:
            return MappingEntry(action=MappingAction.SPLIT, target_codes=tuple(new.split_into_codes), **common)
        return MappingEntry(action=MappingAction.DEPRECATED, **common)
    if not old_active and new_active:
        return MappingEntry(action=MappingAction.RESTORED, **common)
    if common["moved"]:
        action = MappingAction.MOVED
    elif common["renamed"]:
        action = MappingAction.RENAMED
    else:
        action = MappingAction.KEPT
    return MappingEntry(action=action, **common)


def diff_snapshots(old_rows: Iterable[SnapshotRow], new_rows: Iterable[SnapshotRow]) -> list[MappingEntry]:
    """Map every category of `old_rows` (and every new active one) to what happened to it.

    Args:
        old_rows: the earlier snapshot; empty for a first release.
        new_rows: the later snapshot.
    Returns:
        One entry per code, sorted by code.
    """
    old = {row.code: row for row in old_rows}
    new = {row.code: row for row in new_rows}
    entries: list[MappingEntry] = []
    for code in sorted(old.keys() | new.keys()):
        before, after = old.get(code), new.get(code)
        if before is None:
            if after.status == ACTIVE:
                entries.append(
                    MappingEntry(
                        code=code, action=MappingAction.ADDED, new_path=after.path, category_id=after.category_id
                    )
                )
        elif after is None:
            entries.append(MappingEntry(code=code, action=MappingAction.DEPRECATED, old_path=before.path))
        else:
            entries.append(_entry_for_change(code, before, after, new))
    return entries


def is_major(entries: Iterable[MappingEntry]) -> bool:
    return any(entry.action in MAJOR_ACTIONS for entry in entries)


def summarize(entries: Iterable[MappingEntry]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for entry in entries:
        counts[entry.action.value] = counts.get(entry.action.value, 0) + 1
        if entry.action == MappingAction.KEPT and entry.standard_changed:
            counts["standard_changed"] = counts.get("standard_changed", 0) + 1
    return counts


def has_changes(entries: Iterable[MappingEntry]) -> bool:
    return any(entry.action != MappingAction.KEPT or entry.standard_changed for entry in entries)
