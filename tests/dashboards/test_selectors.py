"""Each dashboard figure on the hand-made world of conftest.py, against values worked out on paper."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from classifier.splits import splits_for
from dashboards import selectors
from dashboards.filters import DashboardFilters
from tests.dashboards.conftest import MON, clip, predict

pytestmark = pytest.mark.django_db

MARCH = (date(2025, 3, 1), date(2025, 3, 31))


def filters(world, project=None, start=MARCH[0], end=MARCH[1]) -> DashboardFilters:
    return DashboardFilters(taxonomy=world["taxonomy"], project=project, start=start, end=end)


def test_labels_per_category(world):
    data = selectors.labels_per_category(filters(world))
    got = {row["code"]: (row["final"], row["labels"]) for row in data["categories"]}
    # final: c1 Cats, c2 Match highlights (March); the Single project's finals are dated 03-05 too: 3 Cats, 2 MH, 1 Tr
    assert got == {"cats": (4, 3), "match-highlights": (3, 1), "training": (1, 1), "basketball": (0, 1)}
    assert data["total_final"] == 8 and data["total_labels"] == 6
    assert [row["code"] for row in data["categories"]][:2] == ["cats", "match-highlights"]
    assert data["categories"][0]["path"] == "Nature > Animals > Cats"

    only_overlap = selectors.labels_per_category(filters(world, project=world["overlap"]))
    assert {r["code"]: r["final"] for r in only_overlap["categories"]} == {
        "cats": 1,
        "match-highlights": 1,
        "training": 0,
        "basketball": 0,
    }
    # a range that holds only the week of 03-10: the c3 labels, no final label
    later = selectors.labels_per_category(filters(world, start=date(2025, 3, 10), end=date(2025, 3, 16)))
    assert {r["code"]: (r["final"], r["labels"]) for r in later["categories"]} == {"cats": (0, 1), "basketball": (0, 1)}


def test_agreement_per_level_per_week(world):
    data = selectors.agreement_over_time(filters(world))
    assert data["levels"] == [1, 2, 3]
    weeks = {w["week"]: w for w in data["weeks"]}
    assert set(weeks) == {"2025-03-03", "2025-03-10"}
    assert weeks["2025-03-03"]["clips"] == 2
    assert weeks["2025-03-03"]["share"] == {"1": 1.0, "2": 1.0, "3": 0.5}
    assert weeks["2025-03-10"]["clips"] == 1
    assert weeks["2025-03-10"]["share"] == {"1": 0.0, "2": 0.0, "3": 0.0}
    # level 1 over the month: c1 (nature, nature), c2 (sports, sports), c3 (sports, nature) -> alpha 0.4375 by hand:
    # coincidences n_nature = 3, n_sports = 3, n = 6; observed disagreement 2; expected (36 - 18) / 5 = 3.6
    assert data["alpha"]["1"] == pytest.approx(1 - 2 / 3.6, abs=1e-4)
    assert selectors.agreement_over_time(filters(world, start=date(2025, 4, 1), end=date(2025, 4, 30)))["weeks"] == []


def test_precision_recall_and_confusion_from_predictions(world, monkeypatch):
    data = selectors.category_quality(filters(world, project=world["single"]), held_out=False)
    assert data["source"] == "predictions" and data["version"]["number"] == 1 and data["count"] == 6
    got = {r["code"]: (r["support"], r["predicted"], r["precision"], r["recall"]) for r in data["categories"]}
    assert got == {
        "cats": (3, 2, 1.0, 0.6667),
        "match-highlights": (2, 2, 0.5, 0.5),
        "training": (1, 2, 0.5, 1.0),
    }
    assert [c["code"] for c in data["confusion"]["labels"]] == ["cats", "match-highlights", "training"]
    assert data["confusion"]["matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]

    monkeypatch.setattr(selectors, "CONFUSION_TOP", 2)
    grouped = selectors.category_quality(filters(world, project=world["single"]), held_out=False)
    assert [c["code"] for c in grouped["confusion"]["labels"]] == ["cats", "match-highlights", "other"]
    assert grouped["confusion"]["matrix"] == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]


def test_quality_uses_the_stored_evaluation_and_the_training_split(world):
    version = world["version"]
    version.metrics = {
        "hit_at_1": 0.7,
        "per_category": [
            {"code": "nature/animals/cats", "support": 4, "predicted": 5, "precision": 0.8, "recall": 1.0, "f1": 0.9},
            {"code": "sports/basketball", "support": 0, "predicted": 0, "precision": 0.0, "recall": 0.0, "f1": 0.0},
        ],
    }
    version.save()
    data = selectors.category_quality(filters(world), held_out=False)
    assert data["source"] == "evaluation"
    assert [(r["code"], r["precision"], r["recall"]) for r in data["categories"]] == [("cats", 0.8, 1.0)]

    # held out: exactly the clips of the taxonomy's test split
    more = [clip(f"h{i}") for i in range(40)]
    from annotation.models import Task

    for x in more:
        Task.objects.create(
            project=world["single"], clip=x, status="done", final_category=world["cat"]["cats"], completed_at=MON
        )
        predict(version, x, world["cat"]["cats"], 0.9)
    singles = list(world["single"].tasks.values_list("clip_id", flat=True))
    splits = splits_for(taxonomy_id=world["taxonomy"].pk, examples=[(c, "cats") for c in singles])
    held = selectors.category_quality(filters(world, project=world["single"]), held_out=True)
    assert held["count"] == sum(s == "test" for s in splits.values()) > 0


def test_cold_start_share_per_day(world, settings):
    settings.CLIPCAT_COLD_START_CONFIDENCE = 0.6
    settings.CLIPCAT_COLD_START_MINUTES = 10
    v, cats = world["version"], world["cat"]["cats"]
    day1 = MON.replace(day=20)
    e1, e2, e3 = clip("e1", day1), clip("e2", day1), clip("e3", day1)
    predict(v, e1, cats, 0.9, day1 + timedelta(minutes=5))  # covered
    predict(v, e2, cats, 0.9, day1 + timedelta(minutes=20))  # too late
    predict(v, e3, cats, 0.5, day1 + timedelta(minutes=1))  # not sure enough
    clip("e4 failed", day1, status="failed")  # left out
    e5 = clip("e5", day1 + timedelta(days=1))
    predict(v, e5, cats, 0.7, day1 + timedelta(days=1, minutes=9))  # covered
    e6 = clip("e6 before the range", day1 - timedelta(days=5))
    predict(v, e6, cats, 0.9, day1 - timedelta(days=5))
    data = selectors.cold_start(filters(world, start=date(2025, 3, 20), end=date(2025, 3, 22)))
    assert [(d["day"], d["clips"], d["covered"], d["share"]) for d in data["days"]] == [
        ("2025-03-20", 3, 1, 0.3333),
        ("2025-03-21", 1, 1, 1.0),
        ("2025-03-22", 0, 0, None),
    ]
    assert (data["clips"], data["covered"], data["share"]) == (4, 2, 0.5)
    assert (data["confidence"], data["minutes"]) == (0.6, 10)
    stricter = selectors.cold_start(filters(world, start=date(2025, 3, 20), end=date(2025, 3, 22)), minutes=4)
    assert stricter["covered"] == 0


def test_throughput_per_annotator_per_day(world):
    data = selectors.throughput(filters(world, start=date(2025, 3, 3), end=date(2025, 3, 12)))
    assert data["days"][0] == "2025-03-03" and len(data["days"]) == 10
    people = {p["username"]: p for p in data["annotators"]}
    assert people["ann1"]["total"] == 3 and people["ann1"]["per_day"][0] == 2 and people["ann1"]["per_day"][9] == 1
    assert people["ann1"]["median_seconds"] == 20.0  # 10, 20, 30 s
    assert people["ann2"]["median_seconds"] == 7.0  # 5, 7, 40 s
    assert data["per_day"][0] == 4 and data["per_day"][9] == 2 and sum(data["per_day"]) == 6


def test_queue_depth_snapshot(world):
    data = selectors.queue_depth(filters(world))
    got = {p["name"]: (p["open"], p["review"], p["done"]) for p in data["projects"]}
    assert got == {"Overlap": (1, 1, 2), "Single": (0, 0, 6)}
    assert data["projects"][0]["name"] == "Overlap"


def test_model_versions(world):
    data = selectors.model_versions(filters(world))
    assert [v["number"] for v in data["versions"]] == [1]
    assert data["versions"][0]["metrics"] == {"hit_at_1": 0.66}
    assert "accuracy_level3" in data["metrics"]


def test_no_taxonomy_gives_empty_figures(db):
    f = DashboardFilters(taxonomy=None, project=None, start=date(2025, 3, 1), end=date(2025, 3, 2))
    assert selectors.labels_per_category(f)["categories"] == []
    assert selectors.agreement_over_time(f)["weeks"] == []
    assert selectors.category_quality(f)["categories"] == []
    assert selectors.queue_depth(f)["projects"] == []
    assert selectors.cold_start(f)["clips"] == 0
    assert selectors.throughput(f)["annotators"] == []
