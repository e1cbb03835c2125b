"""Creating a taxonomy from parsed rows: validate everything first, then write in bulk in one transaction.

The tree's MPTT numbers are computed here and the rows inserted level by level, instead of inserting one
node at a time (which renumbers the tree on every insert): 10,000 categories import in about a second.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max

from taxonomy.choices import AuditAction, CategoryStatus
from taxonomy.models import PATH_SEPARATOR, Category, StandardRevision, Taxonomy
from taxonomy.models.tree import code_validator
from taxonomy.services.audit import audit_record
from taxonomy.services.tree import taxonomy_create

from .errors import TaxonomyImportError
from .parsers import ImportRow, ParsedTaxonomy

Progress = Callable[[int, int], None]


@dataclass
class ImportResult:
    taxonomy: Taxonomy
    created: int
    folded: int
    per_level: dict[int, int] = field(default_factory=dict)


def _depths(rows: list[ImportRow], by_code: dict[str, ImportRow], problems: list[str]) -> dict[str, int]:
    depth: dict[str, int] = {}
    for row in rows:
        chain, node = [], row
        while node is not None and node.code not in depth:
            if node.code in chain:
                problems.append(f"line {row.line} ({row.code!r}): its parents form a cycle.")
                break
            chain.append(node.code)
            node = by_code.get(node.parent_code) if node.parent_code else None
        else:
            base = depth[node.code] if node is not None else 0
            for offset, code in enumerate(reversed(chain), start=1):
                depth[code] = base + offset
    return depth


def _validate(parsed: ParsedTaxonomy, max_depth: int, fold_deeper: bool) -> tuple[dict[str, int], dict[str, str]]:
    """Check every row; return each code's depth and, for folded rows, the code they fold into."""
    problems: list[str] = []
    by_code: dict[str, ImportRow] = {}
    for row in parsed.rows:
        label = f"line {row.line}" + (f" ({row.code!r})" if row.code else "")
        if not row.name:
            problems.append(f"{label}: the name is empty.")
        if not row.code:
            problems.append(f"line {row.line}: the code (unique id) is empty.")
            continue
        try:
            code_validator(row.code)
        except ValidationError:
            problems.append(f"{label}: {row.code!r} is not a valid code (letters, digits, _ . : -).")
        if len(row.code) > 64:
            problems.append(f"{label}: the code is longer than 64 characters.")
        if row.code in by_code:
            problems.append(f"{label}: the code is already used on line {by_code[row.code].line}.")
        if row.status not in CategoryStatus.values:
            problems.append(f"{label}: status {row.status!r} is not one of {', '.join(CategoryStatus.values)}.")
        by_code.setdefault(row.code, row)
    for row in parsed.rows:
        if row.parent_code and row.parent_code not in by_code:
            problems.append(f"line {row.line} ({row.code!r}): its parent {row.parent_code!r} is not in the file.")
        for ref in [row.replaced_by, *row.split_into]:
            if ref and ref not in by_code:
                problems.append(f"line {row.line} ({row.code!r}): it refers to {ref!r}, which is not in the file.")
    if problems:
        raise TaxonomyImportError(problems)
    depth = _depths(parsed.rows, by_code, problems)
    if problems:
        raise TaxonomyImportError(problems)

    too_deep = [row for row in parsed.rows if depth[row.code] > max_depth]
    if too_deep and not fold_deeper:
        raise TaxonomyImportError(
            [
                f"line {row.line} ({row.code!r} {row.name!r}): level {depth[row.code]} is deeper than this "
                f"taxonomy's {max_depth} levels; use --fold-deeper (or 'fold deeper tiers') to fold it into its "
                f"level-{max_depth} ancestor."
                for row in too_deep
            ]
        )
    fold_into: dict[str, str] = {}
    for row in too_deep:
        node = row
        while depth[node.code] > max_depth:
            node = by_code[node.parent_code]
        fold_into[row.code] = node.code

    seen: dict[tuple[str, str], int] = {}
    for row in parsed.rows:
        if row.code in fold_into:
            continue
        key = (row.parent_code, row.name.casefold())
        if key in seen:
            problems.append(
                f"line {row.line} ({row.code!r}): the name {row.name!r} is already used by a "
                f"sibling on line {seen[key]}."
            )
        seen.setdefault(key, row.line)
        if PATH_SEPARATOR in row.name:
            problems.append(f"line {row.line} ({row.code!r}): a name cannot contain {PATH_SEPARATOR!r}.")
        if len(row.name) > 200:
            problems.append(f"line {row.line} ({row.code!r}): the name is longer than 200 characters.")
    if problems:
        raise TaxonomyImportError(problems)
    return depth, fold_into


def _mptt_numbers(rows: list[ImportRow], first_tree_id: int) -> dict[str, tuple[int, int, int, int]]:
    """code -> (tree_id, lft, rght, level) for a forest given as rows with parent codes."""
    children: dict[str, list[ImportRow]] = {}
    for row in rows:
        children.setdefault(row.parent_code, []).append(row)
    numbers: dict[str, tuple[int, int, int, int]] = {}
    for tree_offset, root in enumerate(children.get("", [])):
        tree_id, counter = first_tree_id + tree_offset, 1
        stack: list[tuple[ImportRow, int, bool]] = [(root, 0, False)]
        lft: dict[str, int] = {}
        while stack:
            node, level, done = stack.pop()
            if done:
                numbers[node.code] = (tree_id, lft[node.code], counter, level)
                counter += 1
                continue
            lft[node.code] = counter
            counter += 1
            stack.append((node, level, True))
            for child in reversed(children.get(node.code, [])):
                stack.append((child, level + 1, False))
    return numbers


@transaction.atomic
def taxonomy_import(
    *,
    parsed: ParsedTaxonomy,
    name: str = "",
    max_depth: int | None = None,
    fold_deeper: bool = False,
    actor=None,
    progress: Progress | None = None,
) -> ImportResult:
    """Create a new taxonomy from a parsed file. Nothing is written unless every row is valid.

    Args:
        parsed: rows from `parse_taxonomy_file`.
        name: the taxonomy's name (defaults to the file's own, if it has one).
        max_depth: levels allowed (defaults to the file's own, else 3).
        fold_deeper: fold rows deeper than max_depth into their deepest allowed ancestor; their names are
            appended to that ancestor's include rules, so the standard still covers them.
        progress: called with (done, total) while rows are written.
    """
    name = (name or parsed.name).strip()
    if not name:
        raise TaxonomyImportError(["The taxonomy needs a name (the file has none: pass --name)."])
    if not parsed.rows:
        raise TaxonomyImportError(["The file holds no categories."])
    max_depth = max_depth or parsed.max_depth or 3
    depth, fold_into = _validate(parsed, max_depth, fold_deeper)
    kept = [row for row in parsed.rows if row.code not in fold_into]
    standards = {row.code: dict(row.standard) for row in kept if row.standard}
    for row in parsed.rows:
        if row.code in fold_into:
            target = standards.setdefault(fold_into[row.code], {})
            rules = target.get("include_rules", "")
            target["include_rules"] = (rules + "\n" if rules else "") + f"Includes: {row.name}"

    taxonomy = taxonomy_create(name=name, max_depth=max_depth, description=parsed.description, actor=actor)
    first_tree_id = (Category.objects.aggregate(m=Max("tree_id"))["m"] or 0) + 1
    numbers = _mptt_numbers(kept, first_tree_id)
    ids: dict[str, int] = {}
    paths: dict[str, str] = {}
    total, done = len(kept), 0
    per_level: dict[int, int] = {}
    for level in range(1, max_depth + 1):
        batch = [row for row in kept if depth[row.code] == level]
        objs = []
        for row in batch:
            parent_path = paths.get(row.parent_code, "")
            paths[row.code] = f"{parent_path}{PATH_SEPARATOR}{row.name}" if parent_path else row.name
            tree_id, lft, rght, lvl = numbers[row.code]
            objs.append(
                Category(
                    taxonomy=taxonomy,
                    code=row.code,
                    name=row.name,
                    path=paths[row.code],
                    status=row.status,
                    parent_id=ids.get(row.parent_code),
                    tree_id=tree_id,
                    lft=lft,
                    rght=rght,
                    level=lvl,
                )
            )
        for start in range(0, len(objs), 1000):
            chunk = Category.objects.bulk_create(objs[start : start + 1000])
            done += len(chunk)
            if progress:
                progress(done, total)
        ids.update(Category.objects.filter(taxonomy=taxonomy, level=level - 1).values_list("code", "id"))
        per_level[level] = len(batch)

    successors = [row for row in kept if row.replaced_by]
    for row in successors:
        Category.objects.filter(pk=ids[row.code]).update(
            replaced_by_id=ids[fold_into.get(row.replaced_by, row.replaced_by)]
        )
    Category.split_into.through.objects.bulk_create(
        [
            Category.split_into.through(from_category_id=ids[row.code], to_category_id=ids[fold_into.get(part, part)])
            for row in kept
            for part in row.split_into
        ]
    )
    StandardRevision.objects.bulk_create(
        [
            StandardRevision(
                category_id=ids[code],
                number=1,
                change_note="Imported",
                author=actor if actor is not None and actor.is_authenticated else None,
                **{
                    k: v
                    for k, v in content.items()
                    if k in ("definition", "include_rules", "exclude_rules", "notes", "examples")
                },
            )
            for code, content in standards.items()
        ],
        batch_size=1000,
    )
    audit_record(
        taxonomy=taxonomy,
        actor=actor,
        action=AuditAction.TAXONOMY_IMPORTED,
        summary=f"Imported {len(kept)} categories ({parsed.format})",
        details={"format": parsed.format, "created": len(kept), "folded": len(fold_into)},
    )
    return ImportResult(taxonomy=taxonomy, created=len(kept), folded=len(fold_into), per_level=per_level)
