"""Selector data drawn as charts: one function per figure, each returning its title, a caption that says
what is counted, and the SVG. The pages only lay these out."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.utils.safestring import SafeString

from . import charts, selectors
from .filters import DashboardFilters

TOP_CATEGORIES = 20
METRIC_NAMES = {
    "hit_at_1": "hit@1",
    "gap_at_20": "GAP@20",
    "macro_f1": "macro F1",
    "hierarchical_f1": "hierarchical F1",
    "ece": "calibration error",
}


@dataclass
class Figure:
    key: str
    title: str
    caption: str
    svg: SafeString
    wide: bool = False
    api_url: str = ""  # the same data in the API (the page fills it in)


def labels_per_category(f: DashboardFilters) -> Figure:
    data = selectors.labels_per_category(f)
    rows = data["categories"]
    shown, rest = rows[:TOP_CATEGORIES], rows[TOP_CATEGORIES:]
    labels = [r["path"] for r in shown]
    final = [r["final"] for r in shown]
    hover = [f"{r['final']} final labels, {r['labels']} individual labels" for r in shown]
    if rest:
        labels.append(f"{len(rest)} other categories")
        final.append(sum(r["final"] for r in rest))
        hover.append(f"{sum(r['labels'] for r in rest)} individual labels")
    title = "Final labels per category"
    svg = charts.bar_chart(
        chart_id="chart-labels",
        title=title,
        desc=f"{data['total_final']} clips got a final label in the range; bars per category, most first.",
        labels=labels,
        series=[("final labels", final)],
        hover=hover,
        empty_message="No labels in this range yet.",
    )
    caption = (
        f"{data['total_final']} clips got a final label, from {data['total_labels']} individual labels "
        "(hover a bar for both)."
    )
    return Figure("labels", title, caption, svg)


def agreement(f: DashboardFilters) -> Figure:
    data = selectors.agreement_over_time(f)
    weeks = [w["week"] for w in data["weeks"]]
    series = [(f"level {lv}", [w["share"][str(lv)] for w in data["weeks"]]) for lv in data["levels"]]
    title = "Agreement per level, by week"
    svg = charts.line_chart(
        chart_id="chart-agreement",
        title=title,
        desc="Share of clips with two or more labels whose labels all agree, per level of the tree and week.",
        x=weeks,
        series=series,
        max_value=1.0,
        fmt=charts.percent,
        x_format=lambda d: "wk " + charts._short_date(d),
        notes=[f"{w['clips']} clips with 2+ labels" for w in data["weeks"]],
        empty_message="No clip labeled by two or more people in this range yet.",
    )
    alpha = ", ".join(
        f"level {lv} {'–' if v is None else f'{v:.2f}'}"
        for lv, v in sorted(data["alpha"].items(), key=lambda kv: kv[0])
    )
    clips = sum(w["clips"] for w in data["weeks"])
    caption = f"{clips} clips labeled by two or more people. Krippendorff's alpha over the range: {alpha or '–'}."
    return Figure("agreement", title, caption, svg)


def cold_start(f: DashboardFilters) -> Figure:
    data = selectors.cold_start(f)
    title = "Cold-start coverage, by day"
    svg = charts.line_chart(
        chart_id="chart-cold-start",
        title=title,
        desc=(
            f"Share of new clips that had a category at least {data['confidence']:.0%} sure within "
            f"{data['minutes']} minutes of arriving, per day."
        ),
        x=[d["day"] for d in data["days"]],
        series=[("covered", [d["share"] for d in data["days"]])],
        max_value=1.0,
        fmt=charts.percent,
        notes=[f"{d['covered']} of {d['clips']} new clips" for d in data["days"]],
        empty_message="No new clips in this range.",
    )
    caption = (
        f"New clips with a category at least {data['confidence']:.0%} sure within {data['minutes']} minutes: "
        f"{data['covered']} of {data['clips']} ({charts.percent(data['share'])}). Failed clips are left out."
    )
    return Figure("cold-start", title, caption, svg)


def queues(f: DashboardFilters) -> Figure:
    data = selectors.queue_depth(f)
    projects = [p for p in data["projects"] if p["open"] or p["review"]] or data["projects"]
    title = "Queue depth per project (now)"
    if not any(p["open"] or p["review"] for p in projects):
        svg = charts.empty("chart-queues", title, "No clip is waiting: every queue is empty.")
    else:
        svg = charts.bar_chart(
            chart_id="chart-queues",
            title=title,
            desc="Tasks waiting per active project: new, re-label and in review, stacked.",
            labels=[p["name"] for p in projects],
            series=[
                ("to label", [p["open"] - p["relabel"] for p in projects]),
                ("re-label", [p["relabel"] for p in projects]),
                ("in review", [p["review"] for p in projects]),
            ],
            stacked=True,
            hover=[f"{p['done']} done" for p in projects],
        )
    waiting = sum(p["open"] + p["review"] for p in data["projects"])
    caption = f"{waiting} tasks waiting in {len(data['projects'])} active projects (gold clips not counted)."
    return Figure("queues", title, caption, svg)


def throughput(f: DashboardFilters) -> Figure:
    data = selectors.throughput(f)
    rows = [
        (
            p["username"],
            p["per_day"],
            f"{p['total']} labels · {'–' if p['median_seconds'] is None else p['median_seconds']} s median",
        )
        for p in data["annotators"]
    ]
    title = "Annotator throughput, labels per day"
    svg = charts.small_multiples(
        chart_id="chart-throughput",
        title=title,
        desc="Labels per annotator per day on a shared scale, with each one's total and median seconds per label.",
        x=data["days"],
        rows=rows,
        empty_message="No labels in this range yet.",
    )
    caption = f"{sum(data['per_day'])} labels by {len(rows)} people; skips and labels carried by a release not counted."
    return Figure("throughput", title, caption, svg)


def model_versions(f: DashboardFilters, *, levels: bool = False) -> Figure:
    data = selectors.model_versions(f)
    versions = data["versions"]
    keys = [m for m in data["metrics"] if m.startswith("accuracy_level")] if levels else list(METRIC_NAMES)[:4]
    series = [
        (METRIC_NAMES.get(k, k.replace("accuracy_level", "accuracy level ")), [v["metrics"].get(k) for v in versions])
        for k in keys
    ]
    title = "Accuracy per level, by model version" if levels else "Model versions: test metrics"
    svg = charts.line_chart(
        chart_id="chart-versions-levels" if levels else "chart-versions",
        title=title,
        desc="Metrics of each model version on its test clips, oldest version first.",
        x=[f"v{v['number']}" for v in versions],
        series=series,
        max_value=1.0,
        fmt=lambda v: "–" if v is None else f"{v:.2f}",
        x_format=str,
        empty_message="No model version yet: train one on the Models page.",
    )
    active = next((v for v in versions if v["status"] == "active"), None)
    caption = (
        f"{len(versions)} versions; active: v{active['number']} (release {active['release']})."
        if active
        else f"{len(versions)} versions; none is active."
    )
    thin = [f"v{v['number']}" for v in versions if not v["meaningful"]]
    if thin:
        caption += f" Not yet meaningful (fewer than {settings.CLIPCAT_MIN_TEST_CLIPS} test clips): {', '.join(thin)}."
    return Figure("versions-levels" if levels else "versions", title, caption, svg)


def _quality_hover(row: dict) -> str:
    def part(name: str, n: int) -> str:
        value, interval = row[name], row.get(f"{name}_interval")
        if value is None:
            return f"{name} – (n=0)"
        return f"{name} {value:.0%} (95% {interval[0]:.0%}–{interval[1]:.0%}, n={n})"

    return f"{part('precision', row['predicted'])}; {part('recall', row['support'])}"


def precision_recall(f: DashboardFilters, quality: dict) -> Figure:
    rows = quality["categories"][:TOP_CATEGORIES]
    title = "Precision and recall per category"
    svg = charts.bar_chart(
        chart_id="chart-precision-recall",
        title=title,
        desc="Precision and recall of the model per leaf category, most labeled first.",
        labels=[r["path"] for r in rows],
        series=[("precision", [r["precision"] for r in rows]), ("recall", [r["recall"] for r in rows])],
        max_value=1.0,
        fmt=charts.percent,
        hover=[_quality_hover(r) for r in rows],
        empty_message=(
            "No model version yet: train one on the Models page."
            if quality["version"] is None
            else "No labeled clip has a prediction of this version yet."
        ),
    )
    version = quality["version"]
    if version is None:
        caption = "No model version yet."
    elif quality["source"] == "evaluation":
        caption = (
            f"v{version['number']}'s evaluation on its test clips when it was trained; hover a bar for its n "
            "and 95% interval."
        )
    else:
        caption = (
            f"v{version['number']}'s predictions against the final labels of {quality['count']} test clips; "
            "hover a bar for its n and 95% interval."
        )
    return Figure("precision-recall", title, caption, svg)


def confusion(f: DashboardFilters, quality: dict) -> Figure:
    conf = quality["confusion"]
    title = "Confusion: final label against the model's category"
    svg = charts.heatmap(
        chart_id="chart-confusion",
        title=title,
        desc="Counts of labeled test clips by final category (rows) and the model's category (columns).",
        labels=[c["path"] if c["code"] != selectors.OTHER else c["name"] for c in conf["labels"]],
        matrix=conf["matrix"],
        width=900,
    )
    version = quality["version"]
    where = "test clips" if quality.get("held_out", True) else "labeled clips"
    caption = (
        f"v{version['number']} on {quality['count']} {where} (leaf categories; the {selectors.CONFUSION_TOP} most "
        "labeled, the rest as Other). The diagonal is outlined."
        if version
        else "No model version yet."
    )
    return Figure("confusion", title, caption, svg, wide=True)


def overview(f: DashboardFilters) -> list[Figure]:
    quality = selectors.category_quality(f)
    return [
        queues(f),
        throughput(f),
        labels_per_category(f),
        precision_recall(f, quality),
        agreement(f),
        cold_start(f),
        confusion(f, quality),
        model_versions(f),
    ]
