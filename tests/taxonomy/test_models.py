"""The tree's rules, enforced in the model and the services: depth, sibling names, cycles, immutability."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from taxonomy import services
from taxonomy.models import Category, StandardRevision


def test_depth_is_limited_to_max_depth(small_taxonomy, cat, editor):
    with pytest.raises(ValidationError, match="at most 3 levels"):
        services.category_add(taxonomy=small_taxonomy, name="Too deep", parent=cat("cats"), actor=editor)
    assert not Category.objects.filter(name="Too deep").exists()


def test_moving_a_subtree_counts_its_height(small_taxonomy, cat, editor):
    # Football has two levels (itself + children); under Animals (level 2) it would reach level 4.
    with pytest.raises(ValidationError, match="level 4"):
        services.category_move(category=cat("football"), new_parent=cat("animals"), actor=editor)
    assert cat("football").parent == cat("sports")


def test_sibling_names_are_unique_case_insensitively(small_taxonomy, cat, editor):
    with pytest.raises(ValidationError, match="already exists"):
        services.category_add(taxonomy=small_taxonomy, name="football", parent=cat("sports"), actor=editor)
    # The same name elsewhere in the tree is fine.
    services.category_add(taxonomy=small_taxonomy, name="Football", parent=cat("nature"), actor=editor)


def test_root_names_are_unique_in_the_database_too(small_taxonomy):
    with pytest.raises(IntegrityError), transaction.atomic():
        Category.objects.create(taxonomy=small_taxonomy, name="SPORTS", code="x", path="SPORTS")


def test_no_cycles(small_taxonomy, cat, editor):
    with pytest.raises(ValidationError, match="under itself or one of its descendants"):
        services.category_move(category=cat("sports"), new_parent=cat("football"), actor=editor)
    with pytest.raises(ValidationError, match="under itself"):
        services.category_move(category=cat("sports"), new_parent=cat("sports"), actor=editor)


def test_standard_revisions_are_immutable(small_taxonomy, cat):
    revision = StandardRevision.objects.get(category=cat("match-highlights"))
    revision.definition = "changed"
    with pytest.raises(ValueError, match="immutable"):
        revision.save()
    with pytest.raises(ValueError, match="immutable"):
        revision.delete()


def test_codes_are_generated_unique(small_taxonomy, cat, editor):
    a = services.category_add(taxonomy=small_taxonomy, name="Cats", parent=cat("sports"), actor=editor)
    assert a.code == "cats-2"


def test_invalid_code_is_refused(small_taxonomy, editor):
    with pytest.raises(ValidationError):
        services.category_add(taxonomy=small_taxonomy, name="X", code="has space", actor=editor)
