"""Reading taxonomy files into neutral rows. The format is detected from the content:

- ClipCat JSON: `{"format": "clipcat-taxonomy", "taxonomy": {...}, "categories": [nested...]}`
- ClipCat CSV: a header with `code`, `parent_code` and `name` (plus optional status and standard columns)
- Adjacency lists like the IAB Content Taxonomy: banner rows above a header with `Unique ID`, `Parent`
  and `Name`, tab- or comma-separated, any line endings.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field

from .errors import TaxonomyImportError

STANDARD_COLUMNS = ("definition", "include_rules", "exclude_rules", "notes")
FORMULA_PREFIXES = ("=", "+", "-", "@")


@dataclass
class ImportRow:
    line: int
    code: str
    parent_code: str
    name: str
    status: str = "active"
    replaced_by: str = ""
    split_into: list[str] = field(default_factory=list)
    standard: dict | None = None


@dataclass
class ParsedTaxonomy:
    format: str
    rows: list[ImportRow]
    name: str = ""
    description: str = ""
    max_depth: int | None = None


def parse_taxonomy_file(data: bytes | str) -> ParsedTaxonomy:
    """Parse a taxonomy file of any supported format. Raises TaxonomyImportError on unreadable input."""
    if isinstance(data, bytes):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TaxonomyImportError([f"The file is not UTF-8 text (byte {exc.start})."]) from None
    else:
        text = data.lstrip("\ufeff")
    stripped = text.lstrip()
    if not stripped:
        raise TaxonomyImportError(["The file is empty."])
    if stripped[0] in "{[":
        return _parse_json(stripped)
    return _parse_delimited(text)


def _parse_json(text: str) -> ParsedTaxonomy:
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TaxonomyImportError([f"Invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}."]) from None
    if isinstance(doc, list):
        doc = {"categories": doc}
    if not isinstance(doc, dict) or not isinstance(doc.get("categories"), list):
        raise TaxonomyImportError(["A JSON taxonomy is an object with a 'categories' list."])
    meta = doc.get("taxonomy") or {}
    rows: list[ImportRow] = []
    problems: list[str] = []

    def walk(items: list, parent_code: str, trail: str) -> None:
        for index, item in enumerate(items):
            where = f"{trail}[{index}]"
            if not isinstance(item, dict):
                problems.append(f"{where}: a category must be an object.")
                continue
            code = str(item.get("code") or "").strip()
            rows.append(
                ImportRow(
                    line=len(rows) + 1,
                    code=code,
                    parent_code=parent_code,
                    name=str(item.get("name") or "").strip(),
                    status=str(item.get("status") or "active"),
                    replaced_by=str(item.get("replaced_by") or ""),
                    split_into=[str(c) for c in item.get("split_into") or []],
                    standard=item.get("standard") or None,
                )
            )
            children = item.get("children") or []
            if not isinstance(children, list):
                problems.append(f"{where}: 'children' must be a list.")
                continue
            walk(children, code, f"{where}.children")

    walk(doc["categories"], "", "categories")
    if problems:
        raise TaxonomyImportError(problems)
    max_depth = meta.get("max_depth")
    return ParsedTaxonomy(
        format="json",
        rows=rows,
        name=str(meta.get("name") or ""),
        description=str(meta.get("description") or ""),
        max_depth=int(max_depth) if max_depth else None,
    )


def _unneutralise(value: str) -> str:
    """Undo the apostrophe our CSV export puts before cells that a spreadsheet would run as formulas."""
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_PREFIXES:
        return value[1:]
    return value


def _parse_delimited(text: str) -> ParsedTaxonomy:
    lines = text.splitlines()
    sample = "\n".join(lines[:20])
    delimiter = "\t" if sample.count("\t") > sample.count(",") else ","
    records = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
    for index, record in enumerate(records[:20]):
        header = [cell.strip().lower() for cell in record]
        if "unique id" in header and "parent" in header and "name" in header:
            return _parse_adjacency(records, index, header)
        if "code" in header and "name" in header and "parent_code" in header:
            return _parse_clipcat_csv(records, index, header)
    raise TaxonomyImportError(
        [
            "Unrecognised file: expected ClipCat JSON, a CSV with 'code', 'parent_code' and 'name' columns, or "
            "an adjacency list with 'Unique ID', 'Parent' and 'Name' columns."
        ]
    )


def _cell(record: list[str], index: int) -> str:
    return record[index].strip() if index < len(record) else ""


def _parse_adjacency(records: list[list[str]], header_at: int, header: list[str]) -> ParsedTaxonomy:
    uid, parent, name = header.index("unique id"), header.index("parent"), header.index("name")
    rows = []
    for offset, record in enumerate(records[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in record):
            continue
        rows.append(
            ImportRow(line=offset, code=_cell(record, uid), parent_code=_cell(record, parent), name=_cell(record, name))
        )
    return ParsedTaxonomy(format="adjacency", rows=rows)


def _parse_clipcat_csv(records: list[list[str]], header_at: int, header: list[str]) -> ParsedTaxonomy:
    col = {name: header.index(name) for name in header if name}
    rows = []
    for offset, record in enumerate(records[header_at + 1 :], start=header_at + 2):
        if not any(cell.strip() for cell in record):
            continue

        def get(name: str, record=record) -> str:
            return _unneutralise(_cell(record, col[name])) if name in col else ""

        standard = {key: get(key) for key in STANDARD_COLUMNS if get(key)}
        rows.append(
            ImportRow(
                line=offset,
                code=get("code"),
                parent_code=get("parent_code"),
                name=get("name"),
                status=get("status") or "active",
                replaced_by=get("replaced_by"),
                split_into=[c for c in get("split_into").split(";") if c],
                standard=standard or None,
            )
        )
    return ParsedTaxonomy(format="csv", rows=rows)
