"""`import_clips` (CSV and JSONL manifests, duplicates, bad rows, --wait) and the demo data."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from annotation.choices import ClipStatus
from annotation.models import Clip, Program


def _run(*args) -> str:
    out = StringIO()
    call_command("import_clips", *map(str, args), stdout=out)
    return out.getvalue()


def test_csv_manifest_imports_good_rows_and_reports_the_rest(db, videos, tmp_path):
    folder = videos["h264-stereo.mp4"].parent
    manifest = tmp_path / "clips.csv"
    manifest.write_text(
        "path,title,description,tags,program\n"
        f'{folder / "h264-stereo.mp4"},Goal,A goal,"goals,derby",Match of the Day\n'
        f"{folder / 'vp9-mono.webm'},Horses,,wild,\n"
        f"{folder / 'h264-stereo.mp4'},Same goal again,,,\n"
        f"{folder / 'missing.mp4'},Missing,,,\n"
        f"{folder / 'empty.mp4'},Empty,,,\n"
        ",No path,,,\n",
        encoding="utf-8",
    )
    output = _run(manifest)
    assert "Imported 2, skipped 1 as duplicates, failed 3 (of 6 rows)." in output
    assert "duplicate of clip #" in output and "no such file" in output and "is empty" in output and "no path" in output
    goal = Clip.objects.get(title="Goal")
    assert goal.program.title == "Match of the Day" and goal.source == "import:clips.csv"
    assert sorted(goal.tags.values_list("name", flat=True)) == ["derby", "goals"]
    assert Clip.objects.count() == 2 and Program.objects.count() == 1


def test_jsonl_manifest_with_relative_paths_and_sync_wait(db, videos, tmp_path, django_capture_on_commit_callbacks):
    folder = videos["h264-stereo.mp4"].parent
    manifest = folder / f"manifest-{tmp_path.name}.jsonl"
    rows = [
        {"path": "av1-silent.mkv", "title": "深空星系", "tags": ["space"], "program": "Planet Close-up"},
        {"path": "text.mp4", "title": "Not a video"},
        "not an object",
    ]
    manifest.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n{broken\n", encoding="utf-8")
    with django_capture_on_commit_callbacks(execute=True):  # what committing does outside a test
        output = _run(manifest, "--sync", "--wait", "--timeout", "5")
    assert "Imported 2, skipped 0 as duplicates, failed 2 (of 4 rows)." in output
    assert "ready   #" in output and "深空星系" in output and "not a video ClipCat can read" in output
    assert "Processed: 1 failed, 1 ready." in output
    assert Clip.objects.get(title="深空星系").status == ClipStatus.READY


def test_unreadable_manifest_is_a_command_error(db, tmp_path):
    manifest = tmp_path / "bad.csv"
    manifest.write_text("file,title\nx.mp4,X\n")
    with pytest.raises(CommandError, match="'path' column"):
        _run(manifest)


@pytest.mark.slow
def test_demo_data_is_idempotent_and_carries_categories(db):
    import re

    from annotation.demo import LEAVES, demo_clips, demo_expected_categories, demo_out_of_set_titles
    from core.demo import DEMO_TAXONOMY
    from taxonomy.models import Category

    for _ in range(2):
        call_command("make_demo_data", "--sync", stdout=StringIO())
    # `make run`'s demo: enough clips that a fifth of the two thirds with seed labels makes a test split of
    # 30, some of none of the categories, every title its own (clips are looked up by title)
    full = demo_clips()
    assert sum(c.leaf is not None for c in full) >= 220 and sum(c.leaf is None for c in full) >= 20
    assert len({c.title for c in full}) == len(full)
    # the tests' smaller demo (tests/conftest.py) is made the same way
    expected, out_of_set = demo_expected_categories(), demo_out_of_set_titles()
    assert out_of_set and not set(expected) & set(out_of_set)
    assert Clip.objects.count() == len(expected) + len(out_of_set)
    assert Clip.objects.values("title").distinct().count() == Clip.objects.count()  # titles are unique
    assert set(Clip.objects.values_list("status", flat=True)) == {ClipStatus.READY}
    categories = Category.objects.filter(taxonomy__name=DEMO_TAXONOMY)
    codes = set(categories.values_list("code", flat=True))
    assert set(expected.values()) <= codes and len(set(expected.values())) == len(LEAVES)
    assert Program.objects.filter(clips__isnull=False).distinct().count() == 2
    assert any("\u4e00" <= ch <= "\u9fff" for title in expected for ch in title)
    # descriptions and tags never name a category (its name or its code); some clips have no audio
    words = {w for name, code in categories.values_list("name", "code") for w in (name.lower(), code)}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, sorted(words, key=len, reverse=True))) + r")\b")
    for clip in Clip.objects.prefetch_related("tags"):
        text = " ".join([clip.description, *clip.tags.values_list("name", flat=True)]).lower()
        assert not pattern.search(text), (clip.title, text)
    assert 0 < Clip.objects.filter(has_audio=False).count() < Clip.objects.count()
