"""Reads of the category system, shaped for the pages and the API (plain dicts where speed matters)."""

from __future__ import annotations

from django.db.models import Max

from taxonomy.choices import CategoryStatus
from taxonomy.diff import SnapshotRow, diff_snapshots
from taxonomy.models import Category, Release, StandardRevision, Taxonomy

TREE_FIELDS = ("id", "code", "name", "status", "level", "parent_id", "lft", "rght")


def standard_current(category: Category) -> StandardRevision | None:
    """The category's current standard: its highest-numbered revision."""
    return category.revisions.order_by("-number").first()


def category_index(taxonomy_id: int) -> dict[int, dict]:
    """id -> {code, name, path, codes (level 1 first), leaf} for every category of a taxonomy, in one query
    (exports and dashboards label many rows with it)."""
    rows = list(
        Category.objects.filter(taxonomy_id=taxonomy_id).values_list(
            "id", "parent_id", "code", "name", "path", "lft", "rght"
        )
    )
    parent = {pk: (pid, code) for pk, pid, code, *_ in rows}
    index = {}
    for pk, _, code, name, path, lft, rght in rows:
        codes, cur = [], pk
        while cur is not None:
            cur, c = parent[cur]
            codes.append(c)
        index[pk] = {"code": code, "name": name, "path": path, "codes": tuple(reversed(codes)), "leaf": rght == lft + 1}
    return index


def taxonomy_tree(taxonomy: Taxonomy, *, include_deprecated: bool = True) -> list[dict]:
    """The whole tree as nested dicts, siblings sorted by name; each node carries `descendants` (how many
    categories lie below it). One query, no per-node work in the database."""
    qs = Category.objects.filter(taxonomy=taxonomy)
    if not include_deprecated:
        qs = qs.filter(status=CategoryStatus.ACTIVE)
    nodes: dict[int, dict] = {}
    roots: list[dict] = []
    for row in qs.order_by("tree_id", "lft").values_list(*TREE_FIELDS):
        pk, code, name, status, level, parent_id, lft, rght = row
        node = {
            "id": pk,
            "code": code,
            "name": name,
            "status": status,
            "depth": level + 1,
            "descendants": (rght - lft - 1) // 2,
            "children": [],
        }
        nodes[pk] = node
        parent = nodes.get(parent_id) if parent_id else None
        (parent["children"] if parent is not None else roots).append(node)
    _sort(roots)
    return roots


def _sort(children: list[dict]) -> None:
    children.sort(key=lambda n: n["name"].casefold())
    for child in children:
        if child["children"]:
            _sort(child["children"])


def category_search(taxonomy: Taxonomy, query: str, *, limit: int = 20, include_deprecated: bool = False) -> list[dict]:
    """Type-ahead over full paths. Each word of the query must appear in the path; names that start with
    the query rank first, then names containing it, then path matches; shallower and shorter first."""
    words = query.split()
    if not words:
        return []
    qs = Category.objects.filter(taxonomy=taxonomy)
    if not include_deprecated:
        qs = qs.filter(status=CategoryStatus.ACTIVE)
    for word in words:
        qs = qs.filter(path__icontains=word)
    rows = list(qs.values("id", "code", "name", "path", "status", "level")[: limit * 10])
    needle = query.strip().casefold()

    def rank(row: dict) -> tuple:
        name = row["name"].casefold()
        return (0 if name.startswith(needle) else 1 if needle in name else 2, row["level"], len(row["path"]))

    rows.sort(key=rank)
    return [
        {
            "id": r["id"],
            "code": r["code"],
            "name": r["name"],
            "path": r["path"],
            "status": r["status"],
            "depth": r["level"] + 1,
        }
        for r in rows[:limit]
    ]


def taxonomy_snapshot_rows(taxonomy: Taxonomy) -> list[SnapshotRow]:
    """The current tree as snapshot rows (what a release would freeze)."""
    standards = _latest_standard_ids(taxonomy)
    cats = list(
        Category.objects.filter(taxonomy=taxonomy).values_list(
            "id", "code", "name", "path", "parent_id", "status", "replaced_by_id", "level"
        )
    )
    code_of = {row[0]: row[1] for row in cats}
    splits: dict[int, list[str]] = {}
    for from_id, to_id in Category.split_into.through.objects.filter(from_category__taxonomy=taxonomy).values_list(
        "from_category_id", "to_category_id"
    ):
        splits.setdefault(from_id, []).append(code_of[to_id])
    return [
        SnapshotRow(
            code=code,
            name=name,
            path=path,
            parent_code=code_of.get(parent_id, ""),
            status=status,
            replaced_by_code=code_of.get(replaced_by_id, ""),
            split_into_codes=tuple(sorted(splits.get(pk, []))),
            standard_id=standards.get(pk),
            category_id=pk,
            level=level + 1,
        )
        for pk, code, name, path, parent_id, status, replaced_by_id, level in cats
    ]


def _latest_standard_ids(taxonomy: Taxonomy) -> dict[int, int]:
    """category id -> id of its latest revision. Revisions are append-only, so the highest id of a
    category is its highest number; one grouped query."""
    return dict(
        StandardRevision.objects.filter(category__taxonomy=taxonomy)
        .values("category_id")
        .annotate(last=Max("id"))
        .values_list("category_id", "last")
    )


def release_snapshot_rows(release: Release) -> list[SnapshotRow]:
    return [
        SnapshotRow(
            code=e.code,
            name=e.name,
            path=e.path,
            parent_code=e.parent_code,
            status=e.status,
            replaced_by_code=e.replaced_by_code,
            split_into_codes=tuple(e.split_into_codes),
            standard_id=e.standard_id,
            category_id=e.category_id,
            level=e.level,
        )
        for e in release.entries.all()
    ]


def release_latest(taxonomy: Taxonomy) -> Release | None:
    return taxonomy.releases.order_by("-major", "-minor").first()


def release_diff(old: Release, new: Release) -> list[dict]:
    """The per-category difference between any two releases of one taxonomy (changes only)."""
    if old.taxonomy_id != new.taxonomy_id:
        raise ValueError("Both releases must belong to the same taxonomy.")
    entries = diff_snapshots(release_snapshot_rows(old), release_snapshot_rows(new))
    return [e.as_dict() for e in entries if e.action != "kept" or e.standard_changed]
