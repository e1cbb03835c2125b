"""Import and export: the IAB Content Taxonomy as published, ClipCat JSON/CSV round trips, bad files."""

import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from taxonomy.io import TaxonomyImportError, export_csv, export_json, parse_taxonomy_file, taxonomy_import
from taxonomy.models import Category, StandardRevision, Taxonomy

IAB = Path(__file__).resolve().parents[3] / "shared" / "data" / "iab-content-taxonomy" / "content-taxonomy-3.0.tsv"
needs_iab = pytest.mark.skipif(not IAB.exists(), reason=f"the IAB taxonomy file is not at {IAB} (../shared/data)")


@needs_iab
def test_iab_without_folding_fails_cleanly_and_imports_nothing(db):
    with pytest.raises(CommandError) as info:
        call_command("import_taxonomy", str(IAB), "--name", "IAB")
    message = str(info.value)
    assert "69 problem(s)" in message
    assert "level 4 is deeper than this taxonomy's 3 levels" in message
    assert "--fold-deeper" in message
    assert not Taxonomy.objects.exists() and not Category.objects.exists()


@needs_iab
def test_iab_with_folding_imports_634_categories(db, capsys):
    call_command("import_taxonomy", str(IAB), "--name", "IAB", "--fold-deeper")
    assert "Imported 634 categories" in capsys.readouterr().out
    taxonomy = Taxonomy.objects.get(name="IAB")
    per_level = {lvl: Category.objects.filter(taxonomy=taxonomy, level=lvl - 1).count() for lvl in (1, 2, 3)}
    assert per_level == {1: 37, 2: 322, 3: 275}
    # Automotive > Auto Body Styles > ... is an IAB row; a tier-4 row is folded into its tier-3 ancestor.
    commercial = Category.objects.get(taxonomy=taxonomy, code="3")
    assert commercial.path == "Automotive > Auto Body Styles > Commercial Trucks"
    folded = StandardRevision.objects.filter(category__taxonomy=taxonomy, include_rules__startswith="Includes:")
    assert sum(r.include_rules.count("Includes:") for r in folded) == 69
    # the MPTT numbers written in bulk agree with the parent links
    for category in Category.objects.filter(taxonomy=taxonomy, level=2)[:50]:
        assert category.get_ancestors().count() == 2
        assert category.get_root().tree_id == category.tree_id
    Category.objects.partial_rebuild(commercial.tree_id)  # mptt's own rebuild gives the same numbers
    assert Category.objects.get(pk=commercial.pk).path == commercial.path


def _import(text: str, **kwargs):
    return taxonomy_import(parsed=parse_taxonomy_file(text), name=kwargs.pop("name", "T"), **kwargs)


@pytest.mark.parametrize(
    "content, message",
    [
        ("", "The file is empty"),
        ("{not json", "Invalid JSON at line 1"),
        ('{"categories": 3}', "'categories' list"),
        ("a,b,c\n1,2,3\n", "Unrecognised file"),
        ("code,parent_code,name\na,,A\nb,zz,B\n", "its parent 'zz' is not in the file"),
        ("code,parent_code,name\na,,A\na,,B\n", "already used on line 2"),
        ("code,parent_code,name\na,b,A\nb,a,B\n", "form a cycle"),
        ("code,parent_code,name\na,,A\nb,a,X\nc,a,x\n", "already used by a sibling on line 3"),
        ("code,parent_code,name\na,,\n", "the name is empty"),
        ("code,parent_code,name\nbad code,,A\n", "not a valid code"),
    ],
)
def test_malformed_files_fail_with_a_clear_message_and_write_nothing(db, content, message):
    with pytest.raises(TaxonomyImportError, match=message):
        _import(content)
    assert not Taxonomy.objects.exists()


def test_non_utf8_file(db):
    with pytest.raises(TaxonomyImportError, match="not UTF-8"):
        parse_taxonomy_file(b"code,parent_code,name\n\xff\xfe,,A\n")


def test_json_round_trips_exactly(small_taxonomy, cat, editor):
    from taxonomy import services

    services.standard_revise(
        category=cat("cats"), definition="=cats", examples=[{"ref": "clip:1", "kind": "negative"}], actor=editor
    )
    services.category_merge(source=cat("training"), target=cat("match-highlights"), actor=editor)
    services.category_split(category=cat("basketball"), parts=["Streetball", "NBA"], actor=editor)
    exported = export_json(small_taxonomy)
    again = _import(json.dumps(exported), name="Copy")
    second = export_json(again.taxonomy)
    exported["taxonomy"]["name"] = "Copy"
    assert second == exported
    assert again.taxonomy.categories.get(code="training").replaced_by.code == "match-highlights"


def test_csv_round_trips_and_neutralises_formulas(small_taxonomy, cat, editor):
    from taxonomy import services

    services.standard_revise(category=cat("cats"), definition="=HYPERLINK(1)", notes="+1", actor=editor)
    text = export_csv(small_taxonomy)
    assert "'=HYPERLINK(1)" in text and "'+1" in text
    again = _import(text, name="Copy")
    assert export_csv(again.taxonomy) == text
    assert again.taxonomy.categories.get(code="cats").revisions.get().definition == "=HYPERLINK(1)"


def test_deeper_files_fold_into_the_deepest_allowed_ancestor(db):
    text = "code,parent_code,name\na,,A\nb,a,B\nc,b,C\nd,c,D\ne,d,E\n"
    with pytest.raises(TaxonomyImportError, match="line 5 .*'d' 'D'.*level 4"):
        _import(text)
    result = _import(text, fold_deeper=True)
    assert (result.created, result.folded) == (3, 2)
    assert result.taxonomy.categories.get(code="c").revisions.get().include_rules == "Includes: D\nIncludes: E"


def test_export_command_writes_file(small_taxonomy, tmp_path):
    out = tmp_path / "t.json"
    call_command("export_taxonomy", "Test taxonomy", "--format", "json", "--output", str(out))
    assert json.loads(out.read_text())["taxonomy"]["name"] == "Test taxonomy"
    with pytest.raises(CommandError, match="No taxonomy named 'nope'"):
        call_command("export_taxonomy", "nope")


def test_import_into_existing_name_is_refused(small_taxonomy):
    with pytest.raises(Exception, match="already exists"):
        _import("code,parent_code,name\na,,A\n", name="Test taxonomy")
    assert Taxonomy.objects.count() == 1


def test_csv_export_and_import_commands_round_trip_with_a_depth_limit(small_taxonomy, tmp_path, capsys):
    out = tmp_path / "t.csv"
    call_command("export_taxonomy", "Test taxonomy", "--format", "csv", "--output", str(out))
    call_command("import_taxonomy", str(out), "--name", "Copy", "--max-depth", "3")
    assert "Imported 8 categories" in capsys.readouterr().out
    copy = Taxonomy.objects.get(name="Copy")
    assert sorted(copy.categories.values_list("code", "level")) == sorted(
        small_taxonomy.categories.values_list("code", "level")
    )
    with pytest.raises(CommandError, match="deeper than this taxonomy's 2 levels"):
        call_command("import_taxonomy", str(out), "--name", "Shallow", "--max-depth", "2")
    assert not Taxonomy.objects.filter(name="Shallow").exists()
