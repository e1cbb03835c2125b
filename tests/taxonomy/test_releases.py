"""Releases: numbering, immutability, and a complete, machine-readable mapping from the previous one."""

import pytest
from django.core.exceptions import ValidationError

from taxonomy import services
from taxonomy.models import CategoryMapping, Release
from taxonomy.selectors import release_diff


def mapping(release: Release) -> dict[str, tuple]:
    return {m.code: (m.action, tuple(m.target_codes)) for m in CategoryMapping.objects.filter(release=release)}


def test_first_release_is_1_0_and_maps_everything_as_added(small_taxonomy, editor):
    release = services.release_publish(taxonomy=small_taxonomy, actor=editor, notes="first")
    assert release.version == "1.0"
    assert set(mapping(release).values()) == {("added", ())}
    assert len(mapping(release)) == small_taxonomy.categories.count()
    assert release.entries.get(code="match-highlights").standard.definition == "Edited highlights of a match."


def test_nothing_changed_is_refused(small_taxonomy, editor):
    services.release_publish(taxonomy=small_taxonomy, actor=editor)
    with pytest.raises(ValidationError, match="Nothing changed since release 1.0"):
        services.release_publish(taxonomy=small_taxonomy, actor=editor)


def test_additions_and_standard_edits_are_minor(small_taxonomy, cat, editor):
    services.release_publish(taxonomy=small_taxonomy, actor=editor)
    services.category_add(taxonomy=small_taxonomy, name="Dogs", parent=cat("animals"), actor=editor, code="dogs")
    services.standard_revise(category=cat("cats"), definition="Cats of all kinds.", actor=editor)
    services.category_rename(category=cat("basketball"), name="Hoops", actor=editor)
    release = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    assert release.version == "1.1"
    m = {x.code: x for x in release.mappings.all()}
    assert m["dogs"].action == "added"
    assert m["cats"].action == "kept" and m["cats"].standard_changed
    assert m["basketball"].action == "renamed" and m["basketball"].old_path == "Sports > Basketball"
    assert m["football"].action == "kept" and not m["football"].standard_changed


def test_merge_and_split_make_a_major_release_with_a_complete_mapping(small_taxonomy, cat, editor):
    first = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    services.category_merge(source=cat("training"), target=cat("match-highlights"), actor=editor)
    services.category_split(category=cat("cats"), parts=["House cats", "Big cats"], actor=editor)
    second = services.release_publish(taxonomy=small_taxonomy, actor=editor, notes="merge + split")
    assert second.version == "2.0" and second.previous == first
    m = mapping(second)
    assert m["training"] == ("merged", ("match-highlights",))
    assert m["cats"] == ("split", ("big-cats", "house-cats"))
    assert m["big-cats"] == ("added", ()) and m["house-cats"] == ("added", ())
    # complete: every category of the previous release is accounted for
    assert set(first.entries.values_list("code", flat=True)) <= set(m)
    assert second.summary == {"kept": 6, "merged": 1, "split": 1, "added": 2}
    # the frozen entries keep the state at publication
    assert second.entries.get(code="cats").status == "deprecated"
    assert first.entries.get(code="cats").status == "active"


def test_move_is_major_and_chained_merges_resolve_to_the_active_target(small_taxonomy, cat, editor):
    services.release_publish(taxonomy=small_taxonomy, actor=editor)
    services.category_merge(source=cat("training"), target=cat("match-highlights"), actor=editor)
    services.category_merge(source=cat("match-highlights"), target=cat("basketball"), actor=editor)
    services.category_move(category=cat("animals"), new_parent=cat("sports"), actor=editor)
    release = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    m = mapping(release)
    assert release.version == "2.0"
    assert m["training"] == ("merged", ("basketball",))
    assert m["animals"] == ("moved", ())
    assert m["cats"] == ("kept", ())  # its parent moved; the category itself did not change parent


def test_diff_between_any_two_releases(small_taxonomy, cat, editor):
    r1 = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    services.category_add(taxonomy=small_taxonomy, name="Dogs", parent=cat("animals"), actor=editor, code="dogs")
    r2 = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    services.category_deprecate(category=cat("dogs"), actor=editor)
    services.category_rename(category=cat("cats"), name="Felines", actor=editor)
    r3 = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    assert (r2.version, r3.version) == ("1.1", "2.0")
    diff = {d["code"]: d["action"] for d in release_diff(r1, r3)}
    assert diff == {"cats": "renamed"}  # dogs was added and deprecated in between: no change from r1's view
    diff = {d["code"]: d["action"] for d in release_diff(r2, r3)}
    assert diff == {"cats": "renamed", "dogs": "deprecated"}


def test_releases_are_immutable(small_taxonomy, editor):
    release = services.release_publish(taxonomy=small_taxonomy, actor=editor)
    release.notes = "edited"
    with pytest.raises(ValueError, match="immutable"):
        release.save()
    entry = release.mappings.first()
    with pytest.raises(ValueError, match="immutable"):
        entry.save()
