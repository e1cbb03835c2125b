"""Edits of the tree: each keeps the tree consistent, records who/what/why, and refuses bad input whole."""

import pytest
from django.core.exceptions import ValidationError

from taxonomy import services
from taxonomy.choices import AuditAction
from taxonomy.models import AuditEvent, Category


def test_rename_updates_paths_of_the_subtree(small_taxonomy, cat, editor):
    services.category_rename(category=cat("football"), name="Soccer", actor=editor, reason="Regional naming")
    assert cat("football").path == "Sports > Soccer"
    assert cat("match-highlights").path == "Sports > Soccer > Match highlights"
    event = AuditEvent.objects.filter(action=AuditAction.CATEGORY_RENAMED).get()
    assert (event.actor, event.reason, event.category.code) == (editor, "Regional naming", "football")
    assert event.details["old_path"] == "Sports > Football"


def test_move_subtree_keeps_mptt_consistent(small_taxonomy, cat, editor):
    services.category_move(category=cat("animals"), new_parent=cat("sports"), actor=editor)
    assert cat("cats").path == "Sports > Animals > Cats"
    assert cat("cats").depth == 3
    sports = cat("sports")
    assert {c.code for c in sports.get_descendants()} == {
        "football",
        "match-highlights",
        "training",
        "basketball",
        "animals",
        "cats",
    }
    assert cat("nature").get_descendant_count() == 0
    # to the top level and back
    services.category_move(category=cat("animals"), new_parent=None, actor=editor)
    assert cat("animals").is_root_node() and cat("cats").path == "Animals > Cats"


def test_merge_moves_children_and_deprecates_source(small_taxonomy, cat, editor):
    services.category_merge(source=cat("football"), target=cat("basketball"), actor=editor, reason="Ball games")
    football = cat("football")
    assert football.status == "deprecated" and football.replaced_by == cat("basketball")
    assert cat("match-highlights").parent == cat("basketball")
    assert cat("training").path == "Sports > Basketball > Training"


def test_merge_into_own_descendant_is_refused(small_taxonomy, cat, editor):
    with pytest.raises(ValidationError, match="merge the other way round"):
        services.category_merge(source=cat("sports"), target=cat("football"), actor=editor)


def test_merge_refuses_name_clash_and_changes_nothing(small_taxonomy, cat, editor):
    services.category_add(taxonomy=small_taxonomy, name="Training", parent=cat("basketball"), actor=editor)
    with pytest.raises(ValidationError, match="already exists"):
        services.category_merge(source=cat("football"), target=cat("basketball"), actor=editor)
    assert cat("football").status == "active"
    assert cat("match-highlights").parent == cat("football")


def test_split_creates_siblings_and_deprecates(small_taxonomy, cat, editor):
    parts = services.category_split(
        category=cat("match-highlights"),
        parts=["Goals", {"name": "Saves", "standard": {"definition": "Goalkeeper saves."}}],
        actor=editor,
    )
    assert [p.path for p in parts] == ["Sports > Football > Goals", "Sports > Football > Saves"]
    original = cat("match-highlights")
    assert original.status == "deprecated"
    assert set(original.split_into.values_list("name", flat=True)) == {"Goals", "Saves"}
    assert parts[1].revisions.get().definition == "Goalkeeper saves."


def test_split_needs_two_parts_and_no_active_children(small_taxonomy, cat, editor):
    with pytest.raises(ValidationError, match="at least two"):
        services.category_split(category=cat("cats"), parts=["Only"], actor=editor)
    with pytest.raises(ValidationError, match="subcategories"):
        services.category_split(category=cat("football"), parts=["A", "B"], actor=editor)
    assert not Category.objects.filter(name__in=["Only", "A", "B"]).exists()


def test_deprecate_takes_the_subtree_and_restore_brings_back_one(small_taxonomy, cat, editor):
    codes = services.category_deprecate(category=cat("football"), actor=editor)
    assert set(codes) == {"football", "match-highlights", "training"}
    with pytest.raises(ValidationError, match="restore the parent first"):
        services.category_restore(category=cat("training"), actor=editor)
    services.category_restore(category=cat("football"), actor=editor)
    assert cat("football").status == "active" and cat("training").status == "deprecated"


def test_no_edits_under_deprecated_parent(small_taxonomy, cat, editor):
    services.category_deprecate(category=cat("nature"), actor=editor)
    with pytest.raises(ValidationError, match="deprecated"):
        services.category_add(taxonomy=small_taxonomy, name="Birds", parent=cat("animals"), actor=editor)


def test_standard_revisions_number_up_and_refuse_no_change(small_taxonomy, cat, editor):
    category = cat("cats")
    r1 = services.standard_revise(category=category, definition="Cats.", actor=editor)
    r2 = services.standard_revise(
        category=category,
        definition="Domestic cats.",
        exclude_rules="Big cats",
        examples=[{"ref": "clip:12", "kind": "negative", "note": "a tiger"}],
        change_note="Narrowed",
        actor=editor,
    )
    assert (r1.number, r2.number) == (1, 2)
    assert r2.examples == [{"ref": "clip:12", "kind": "negative", "note": "a tiger"}]
    with pytest.raises(ValidationError, match="unchanged"):
        services.standard_revise(
            category=category,
            definition="Domestic cats.",
            exclude_rules="Big cats",
            examples=[{"ref": "clip:12", "kind": "negative", "note": "a tiger"}],
            actor=editor,
        )


def test_every_edit_bumps_the_revision(small_taxonomy, cat, editor):
    before = small_taxonomy.revision
    small_taxonomy.refresh_from_db()
    after_fixture = small_taxonomy.revision
    assert after_fixture > before
    services.category_rename(category=cat("cats"), name="Felines", actor=editor)
    small_taxonomy.refresh_from_db()
    assert small_taxonomy.revision == after_fixture + 1
