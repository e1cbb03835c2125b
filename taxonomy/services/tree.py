"""Edits of the category tree: add, rename, move, merge, split, deprecate, restore."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from taxonomy.choices import AuditAction, CategoryStatus
from taxonomy.models import PATH_SEPARATOR, Category, Taxonomy
from taxonomy.models.tree import code_validator

from .audit import audit_record
from .standards import standard_revise


def _lock(taxonomy: Taxonomy) -> Taxonomy:
    """Serialise edits of one taxonomy (tree renumbering must not interleave)."""
    return Taxonomy.objects.select_for_update().get(pk=taxonomy.pk)


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "A category needs a name."})
    if len(name) > 200:
        raise ValidationError({"name": "A category name has at most 200 characters."})
    if PATH_SEPARATOR in name:
        raise ValidationError({"name": f"A category name cannot contain {PATH_SEPARATOR!r} (it separates paths)."})
    return name


def code_unique(taxonomy: Taxonomy, name: str, taken: set[str] | None = None) -> str:
    """A new stable code derived from the name, unique in the taxonomy."""
    base = slugify(name)[:48] or "category"
    existing = (
        taken
        if taken is not None
        else set(Category.objects.filter(taxonomy=taxonomy, code__startswith=base).values_list("code", flat=True))
    )
    code, n = base, 2
    while code in existing:
        code, n = f"{base}-{n}", n + 1
    return code


def _require_active(category: Category, what: str = "category") -> None:
    if category.status != CategoryStatus.ACTIVE:
        raise ValidationError(f"The {what} {category.path!r} is deprecated; restore it first.")


def _refresh_paths(category: Category) -> None:
    """Recompute the denormalised path of a category and its whole subtree after a rename or move."""
    category.refresh_from_db()
    category.path = category.build_path()
    Category.objects.filter(pk=category.pk).update(path=category.path)
    by_id = {category.pk: category}
    changed = []
    for node in category.get_descendants().only("id", "parent_id", "name", "path").order_by("level"):
        node.path = f"{by_id[node.parent_id].path}{PATH_SEPARATOR}{node.name}"
        by_id[node.pk] = node
        changed.append(node)
    Category.objects.bulk_update(changed, ["path"], batch_size=500)


@transaction.atomic
def taxonomy_create(*, name: str, max_depth: int = 3, description: str = "", actor=None) -> Taxonomy:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": "A taxonomy needs a name."})
    if Taxonomy.objects.filter(name__iexact=name).exists():
        raise ValidationError({"name": f"A taxonomy named {name!r} already exists."})
    taxonomy = Taxonomy(
        name=name,
        max_depth=max_depth,
        description=description,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    taxonomy.full_clean()
    taxonomy.save()
    audit_record(
        taxonomy=taxonomy,
        actor=actor,
        action=AuditAction.TAXONOMY_CREATED,
        summary=f"Taxonomy {name} created",
        details={"max_depth": max_depth},
    )
    return taxonomy


@transaction.atomic
def taxonomy_update(
    *,
    taxonomy: Taxonomy,
    actor=None,
    name: str | None = None,
    description: str | None = None,
    max_depth: int | None = None,
) -> Taxonomy:
    taxonomy = _lock(taxonomy)
    before = {"name": taxonomy.name, "description": taxonomy.description, "max_depth": taxonomy.max_depth}
    if name is not None:
        taxonomy.name = " ".join(name.split())
    if description is not None:
        taxonomy.description = description
    if max_depth is not None:
        deepest = max((c.level + 1 for c in taxonomy.categories.only("level")), default=0)
        if max_depth < deepest:
            raise ValidationError({"max_depth": f"The tree already has {deepest} levels."})
        taxonomy.max_depth = max_depth
    taxonomy.full_clean()
    taxonomy.save()
    after = {"name": taxonomy.name, "description": taxonomy.description, "max_depth": taxonomy.max_depth}
    audit_record(
        taxonomy=taxonomy,
        actor=actor,
        action=AuditAction.TAXONOMY_UPDATED,
        summary=f"Taxonomy {taxonomy.name} updated",
        details={k: [before[k], after[k]] for k in before if before[k] != after[k]},
    )
    return taxonomy


@transaction.atomic
def category_add(
    *,
    taxonomy: Taxonomy,
    name: str,
    parent: Category | None = None,
    code: str | None = None,
    standard: dict | None = None,
    actor=None,
    reason: str = "",
) -> Category:
    """Add a category (a root when `parent` is None), optionally with its first standard revision."""
    taxonomy = _lock(taxonomy)
    name = _clean_name(name)
    if parent is not None:
        if parent.taxonomy_id != taxonomy.pk:
            raise ValidationError({"parent": "The parent belongs to another taxonomy."})
        _require_active(parent, "parent")
    if code:
        code_validator(code)
        if Category.objects.filter(taxonomy=taxonomy, code=code).exists():
            raise ValidationError({"code": f"The code {code!r} is already used in this taxonomy."})
    else:
        code = code_unique(taxonomy, name)
    category = Category(taxonomy=taxonomy, parent=parent, name=name, code=code)
    category.clean()
    category.path = category.build_path()
    category.save()
    if standard:
        standard_revise(category=category, actor=actor, change_note="First standard", record=False, **standard)
    audit_record(
        taxonomy=taxonomy,
        category=category,
        actor=actor,
        action=AuditAction.CATEGORY_ADDED,
        summary=f"Added {category.path}",
        reason=reason,
        details={"code": code},
    )
    return category


@transaction.atomic
def category_rename(*, category: Category, name: str, actor=None, reason: str = "") -> Category:
    _lock(category.taxonomy)
    category.refresh_from_db()
    old_path, name = category.path, _clean_name(name)
    if name == category.name:
        raise ValidationError({"name": "That is already its name."})
    category.name = name
    category.clean()
    category.save(update_fields=["name", "updated_at"])
    _refresh_paths(category)
    audit_record(
        taxonomy=category.taxonomy,
        category=category,
        actor=actor,
        action=AuditAction.CATEGORY_RENAMED,
        summary=f"Renamed {old_path} to {category.name}",
        reason=reason,
        details={"old_path": old_path, "new_path": category.path},
    )
    return category


def _move(category: Category, new_parent: Category | None) -> None:
    category.parent = new_parent
    category.clean()
    if new_parent is None:
        category.move_to(None)
    else:
        category.move_to(new_parent, "last-child")
    _refresh_paths(category)


@transaction.atomic
def category_move(*, category: Category, new_parent: Category | None, actor=None, reason: str = "") -> Category:
    """Move a category with its whole subtree under `new_parent` (or to the top level)."""
    _lock(category.taxonomy)
    category.refresh_from_db()
    if new_parent is not None:
        new_parent.refresh_from_db()
        _require_active(new_parent, "new parent")
    if (new_parent.pk if new_parent else None) == category.parent_id:
        raise ValidationError({"parent": "The category is already there."})
    old_path = category.path
    _move(category, new_parent)
    audit_record(
        taxonomy=category.taxonomy,
        category=category,
        actor=actor,
        action=AuditAction.CATEGORY_MOVED,
        summary=f"Moved {old_path} to {category.path}",
        reason=reason,
        details={"old_path": old_path, "new_path": category.path},
    )
    return category


@transaction.atomic
def category_merge(*, source: Category, target: Category, actor=None, reason: str = "") -> Category:
    """Merge `source` into `target`: the source is deprecated and points at the target; its active
    children move under the target. Labels follow when the next release is published."""
    _lock(source.taxonomy)
    source.refresh_from_db()
    target.refresh_from_db()
    if source.taxonomy_id != target.taxonomy_id:
        raise ValidationError("Both categories must belong to the same taxonomy.")
    if source.pk == target.pk:
        raise ValidationError("A category cannot be merged into itself.")
    if target.is_descendant_of(source):
        raise ValidationError(f"{target.path!r} lies inside {source.path!r}; merge the other way round.")
    _require_active(source, "source")
    _require_active(target, "target")
    moved = []
    for child in source.get_children().filter(status=CategoryStatus.ACTIVE):
        _move(child, target)
        child.refresh_from_db()
        moved.append(child.code)
    source.refresh_from_db()
    source.status = CategoryStatus.DEPRECATED
    source.replaced_by = target
    source.save(update_fields=["status", "replaced_by", "updated_at"])
    audit_record(
        taxonomy=source.taxonomy,
        category=source,
        actor=actor,
        action=AuditAction.CATEGORY_MERGED,
        summary=f"Merged {source.path} into {target.path}",
        reason=reason,
        details={"target": target.code, "children_moved": moved},
    )
    return target


@transaction.atomic
def category_split(*, category: Category, parts: Sequence[dict | str], actor=None, reason: str = "") -> list[Category]:
    """Split a category into several: each part is a new sibling ({'name', 'code'?, 'standard'?}) or an
    existing active category ({'existing': code}). The original is deprecated and lists its parts; clips
    labeled with it go back to the queue for re-labeling when the release is published."""
    taxonomy = _lock(category.taxonomy)
    category.refresh_from_db()
    _require_active(category)
    if len(parts) < 2:
        raise ValidationError({"parts": "A split needs at least two parts."})
    if category.get_children().filter(status=CategoryStatus.ACTIVE).exists():
        raise ValidationError(f"{category.path!r} has active subcategories; move or merge them before splitting.")
    results: list[Category] = []
    for part in parts:
        part = {"name": part} if isinstance(part, str) else dict(part)
        if part.get("existing"):
            try:
                existing = Category.objects.get(taxonomy=taxonomy, code=part["existing"])
            except Category.DoesNotExist:
                raise ValidationError({"parts": f"No category with code {part['existing']!r}."}) from None
            if existing.pk == category.pk:
                raise ValidationError({"parts": "A category cannot be split into itself."})
            _require_active(existing, "part")
            results.append(existing)
        else:
            results.append(
                category_add(
                    taxonomy=taxonomy,
                    name=part.get("name", ""),
                    parent=category.parent,
                    code=part.get("code"),
                    standard=part.get("standard"),
                    actor=actor,
                    reason=f"Split from {category.path}",
                )
            )
    if len({c.pk for c in results}) != len(results):
        raise ValidationError({"parts": "The parts must be different categories."})
    category.refresh_from_db()
    category.status = CategoryStatus.DEPRECATED
    category.save(update_fields=["status", "updated_at"])
    category.split_into.set(results)
    audit_record(
        taxonomy=taxonomy,
        category=category,
        actor=actor,
        action=AuditAction.CATEGORY_SPLIT,
        summary=f"Split {category.path} into {', '.join(c.name for c in results)}",
        reason=reason,
        details={"parts": [c.code for c in results]},
    )
    return results


@transaction.atomic
def category_deprecate(*, category: Category, actor=None, reason: str = "") -> list[str]:
    """Deprecate a category and its active descendants. Returns the codes deprecated."""
    _lock(category.taxonomy)
    category.refresh_from_db()
    _require_active(category)
    nodes = category.get_descendants(include_self=True).filter(status=CategoryStatus.ACTIVE)
    codes = list(nodes.values_list("code", flat=True))
    nodes.update(status=CategoryStatus.DEPRECATED)
    audit_record(
        taxonomy=category.taxonomy,
        category=category,
        actor=actor,
        action=AuditAction.CATEGORY_DEPRECATED,
        summary=f"Deprecated {category.path}",
        reason=reason,
        details={"codes": codes},
    )
    return codes


@transaction.atomic
def category_restore(*, category: Category, actor=None, reason: str = "") -> Category:
    """Bring a deprecated category back (its parent must be active); it no longer points at a merge
    target or split parts."""
    _lock(category.taxonomy)
    category.refresh_from_db()
    if category.status == CategoryStatus.ACTIVE:
        raise ValidationError(f"{category.path!r} is already active.")
    if category.parent is not None and category.parent.status != CategoryStatus.ACTIVE:
        raise ValidationError(f"Its parent {category.parent.path!r} is deprecated; restore the parent first.")
    category.status = CategoryStatus.ACTIVE
    category.replaced_by = None
    category.save(update_fields=["status", "replaced_by", "updated_at"])
    category.split_into.clear()
    audit_record(
        taxonomy=category.taxonomy,
        category=category,
        actor=actor,
        action=AuditAction.CATEGORY_RESTORED,
        summary=f"Restored {category.path}",
        reason=reason,
    )
    return category
