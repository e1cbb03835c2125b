"""The category tree: a taxonomy and its categories (django-mptt)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from mptt.models import MPTTModel, TreeForeignKey

from taxonomy.choices import CategoryStatus

PATH_SEPARATOR = " > "

code_validator = RegexValidator(
    r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$",
    "A code starts with a letter or digit and holds only letters, digits and _ . : -",
)


class Taxonomy(models.Model):
    """One category system: a forest of categories no deeper than `max_depth` levels."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    max_depth = models.PositiveSmallIntegerField(default=3, validators=[MinValueValidator(1), MaxValueValidator(6)])
    # Bumped by every edit; cached reads of the tree are keyed on it.
    revision = models.PositiveIntegerField(default=0, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "taxonomies"
        permissions = [("import_taxonomy", "Can import and export taxonomies")]

    def __str__(self) -> str:
        return self.name


class Category(MPTTModel):
    """A node of the tree. `code` is stable for life (labels and models refer to it); `path` is the
    full name path, kept denormalised because type-ahead searches it on every keystroke."""

    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.CASCADE, related_name="categories")
    parent = TreeForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    code = models.CharField(max_length=64, validators=[code_validator])
    name = models.CharField(max_length=200)
    path = models.TextField(editable=False, db_index=False)
    status = models.CharField(max_length=16, choices=CategoryStatus.choices, default=CategoryStatus.ACTIVE)
    replaced_by = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="absorbed",
        help_text="The category this one was merged into.",
    )
    split_into = models.ManyToManyField(
        "self",
        symmetrical=False,
        blank=True,
        related_name="split_from",
        help_text="The categories this one was split into.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class MPTTMeta:
        order_insertion_by: list[str] = []

    class Meta:
        verbose_name_plural = "categories"
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="category_code_unique"),
            models.UniqueConstraint(Lower("name"), "taxonomy", "parent", name="category_sibling_name_unique"),
            models.UniqueConstraint(
                Lower("name"),
                "taxonomy",
                condition=models.Q(parent__isnull=True),
                name="category_root_name_unique",
            ),
        ]
        indexes = [models.Index(fields=["taxonomy", "status"])]

    def __str__(self) -> str:
        return self.path or self.name

    @property
    def depth(self) -> int:
        """1-based depth (level 1 is a root)."""
        return (self.level or 0) + 1

    @property
    def is_active(self) -> bool:
        return self.status == CategoryStatus.ACTIVE

    def subtree_height(self) -> int:
        """Levels below this node (0 for a leaf)."""
        if self.pk is None or self.is_leaf_node():
            return 0
        deepest = self.get_descendants().aggregate(m=models.Max("level"))["m"]
        return (deepest or self.level) - self.level

    def clean(self) -> None:
        """Enforce the tree's rules on this row: same taxonomy as the parent, no cycle, depth within
        max_depth (counting the subtree that moves along), and a name unique among its siblings."""
        errors: dict[str, list[str]] = {}
        parent = self.parent
        if parent is not None:
            if parent.taxonomy_id != self.taxonomy_id:
                errors.setdefault("parent", []).append("The parent belongs to another taxonomy.")
            if self.pk and (
                parent.pk == self.pk
                or (parent.tree_id == self.tree_id and self.lft <= parent.lft and parent.rght <= self.rght)
            ):
                errors.setdefault("parent", []).append(
                    "A category cannot be moved under itself or one of its descendants."
                )
        new_depth = (parent.depth + 1) if parent is not None else 1
        max_depth = self.taxonomy.max_depth
        if new_depth + self.subtree_height() > max_depth:
            errors.setdefault("parent", []).append(
                f"That would place categories at level {new_depth + self.subtree_height()}; "
                f"this taxonomy allows at most {max_depth} levels."
            )
        siblings = Category.objects.filter(taxonomy_id=self.taxonomy_id, parent=parent, name__iexact=self.name)
        if self.pk:
            siblings = siblings.exclude(pk=self.pk)
        if self.name and siblings.exists():
            where = f"under {parent.path!r}" if parent is not None else "at the top level"
            errors.setdefault("name", []).append(f"A category named {self.name!r} already exists {where}.")
        if errors:
            raise ValidationError(errors)

    def build_path(self) -> str:
        return f"{self.parent.path}{PATH_SEPARATOR}{self.name}" if self.parent_id else self.name
