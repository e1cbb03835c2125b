"""Writing a taxonomy out: nested JSON (re-imports to the same JSON) and a flat CSV."""

from __future__ import annotations

import csv
import io

from taxonomy.models import Category, StandardRevision, Taxonomy

from .parsers import FORMULA_PREFIXES, STANDARD_COLUMNS

JSON_FORMAT = "clipcat-taxonomy"
CSV_COLUMNS = ("code", "parent_code", "name", "path", "depth", "status", "replaced_by", "split_into", *STANDARD_COLUMNS)


def _rows(taxonomy: Taxonomy) -> list[dict]:
    cats = list(
        Category.objects.filter(taxonomy=taxonomy)
        .order_by("tree_id", "lft")
        .values("id", "code", "name", "path", "level", "status", "parent_id", "replaced_by_id")
    )
    code_of = {c["id"]: c["code"] for c in cats}
    splits: dict[int, list[str]] = {}
    for from_id, to_id in Category.split_into.through.objects.filter(from_category__taxonomy=taxonomy).values_list(
        "from_category_id", "to_category_id"
    ):
        splits.setdefault(from_id, []).append(code_of[to_id])
    standards: dict[int, StandardRevision] = {}
    for rev in StandardRevision.objects.filter(category__taxonomy=taxonomy).order_by("category_id", "number"):
        standards[rev.category_id] = rev
    for c in cats:
        c["parent_code"] = code_of.get(c["parent_id"], "")
        c["replaced_by"] = code_of.get(c["replaced_by_id"], "")
        c["split_into"] = sorted(splits.get(c["id"], []))
        rev = standards.get(c["id"])
        c["standard"] = rev.content() if rev else None
    return cats


def export_json(taxonomy: Taxonomy) -> dict:
    """The taxonomy as nested JSON: siblings sorted by name, each category with its current standard."""
    nodes: dict[str, dict] = {}
    roots: list[dict] = []
    for c in _rows(taxonomy):
        node = {"code": c["code"], "name": c["name"], "status": c["status"]}
        if c["replaced_by"]:
            node["replaced_by"] = c["replaced_by"]
        if c["split_into"]:
            node["split_into"] = c["split_into"]
        node["standard"] = c["standard"]
        node["children"] = []
        nodes[c["code"]] = node
        (nodes[c["parent_code"]]["children"] if c["parent_code"] else roots).append(node)

    def order(items: list[dict]) -> None:
        items.sort(key=lambda n: (n["name"].casefold(), n["code"]))
        for item in items:
            order(item["children"])

    order(roots)
    return {
        "format": JSON_FORMAT,
        "version": 1,
        "taxonomy": {"name": taxonomy.name, "description": taxonomy.description, "max_depth": taxonomy.max_depth},
        "categories": roots,
    }


def _neutralise(value: str) -> str:
    """Keep spreadsheets from running a cell as a formula."""
    return "'" + value if value and value[0] in FORMULA_PREFIXES else value


def export_csv(taxonomy: Taxonomy) -> str:
    """One row per category in tree order, with its parent's code and its current standard."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for c in _rows(taxonomy):
        standard = c["standard"] or {}
        writer.writerow(
            [
                _neutralise(str(v))
                for v in (
                    c["code"],
                    c["parent_code"],
                    c["name"],
                    c["path"],
                    c["level"] + 1,
                    c["status"],
                    c["replaced_by"],
                    ";".join(c["split_into"]),
                    *(standard.get(k, "") for k in STANDARD_COLUMNS),
                )
            ]
        )
    return out.getvalue()
