"""Reads behind the dashboards: one function per figure, each returning plain data (dicts, lists, numbers,
ISO dates) that the pages draw and the API returns as it is. Counting is done by the database (GROUP BY);
Python only walks aggregated rows, except agreement, which reads the JSON of the tasks decided in range."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, timedelta

from django.conf import settings
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
)
from django.db.models.functions import TruncDate

from annotation.agreement import alpha_per_level
from annotation.choices import ClipStatus, LabelKind, TaskStatus
from annotation.models import Clip, Label, Task
from classifier.choices import ModelStatus, Split
from classifier.models import ClipSplit, ModelVersion, Prediction
from taxonomy.selectors import category_index

from .filters import DashboardFilters

CONFUSION_TOP = 15
OTHER = "other"


def _day(value) -> date:
    return value if isinstance(value, date) and not hasattr(value, "hour") else value.date()


def _category_ref(cats: dict[int, dict], pk: int | None) -> dict:
    if pk is None or pk not in cats:
        return {"id": pk, "code": "", "name": "(none)", "path": "(none)"}
    c = cats[pk]
    return {"id": pk, "code": c["code"], "name": c["name"], "path": c["path"]}


def _tasks(f: DashboardFilters):
    tasks = Task.objects.filter(project__taxonomy=f.taxonomy, is_gold=False)
    return tasks.filter(project=f.project) if f.project is not None else tasks


def labels_per_category(f: DashboardFilters) -> dict:
    """Per category: clips whose final label it is (decided in range) and individual current labels (made in
    range; a label carried to a new release counts from when it was carried). Most final labels first."""
    if f.taxonomy is None:
        return {"categories": [], "total_final": 0, "total_labels": 0}
    final = dict(
        _tasks(f)
        .filter(
            status=TaskStatus.DONE, final_category__isnull=False, completed_at__gte=f.since, completed_at__lt=f.until
        )
        .values_list("final_category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    labels = Label.objects.filter(
        task__project__taxonomy=f.taxonomy,
        kind=LabelKind.LABEL,
        is_current=True,
        created_at__gte=f.since,
        created_at__lt=f.until,
    )
    if f.project is not None:
        labels = labels.filter(task__project=f.project)
    individual = dict(labels.values_list("category_id").annotate(n=Count("id")).order_by())
    cats = category_index(f.taxonomy.pk)
    rows = [
        {**_category_ref(cats, pk), "final": final.get(pk, 0), "labels": individual.get(pk, 0)}
        for pk in set(final) | set(individual)
    ]
    rows.sort(key=lambda r: (-r["final"], -r["labels"], r["path"]))
    return {"categories": rows, "total_final": sum(final.values()), "total_labels": sum(individual.values())}


def _week(d: date) -> date:
    return d - timedelta(days=d.weekday())


def agreement_over_time(f: DashboardFilters) -> dict:
    """Per week (Mondays) and level: the share of clips with two or more labels whose labels all agree at that
    level, and Krippendorff's alpha per level. A clip counts in the week of its last label, whether its labels
    agreed or went to review (tasks sent back for re-labeling have no agreement and are left out)."""
    empty = {"weeks": [], "levels": [], "alpha": {}}
    if f.taxonomy is None:
        return empty
    depth = f.taxonomy.max_depth
    tasks = list(
        _tasks(f)
        .exclude(agreement={})
        .annotate(
            decided=Max("labels__created_at", filter=Q(labels__supersedes__isnull=True, labels__kind=LabelKind.LABEL))
        )
        .filter(decided__gte=f.since, decided__lt=f.until)
        .values_list("pk", "decided", "agreement")
    )
    tasks = [(pk, _week(_day(decided)), a) for pk, decided, a in tasks if int(a.get("labels", 0) or 0) >= 2]
    if not tasks:
        return empty
    agree: dict[date, Counter] = defaultdict(Counter)
    counted: Counter = Counter()
    for _, week, agreement in tasks:
        counted[week] += 1
        for level, ok in (agreement.get("levels") or {}).items():
            agree[week][int(level)] += bool(ok)
    week_of = {pk: week for pk, week, _ in tasks}
    labels = Label.objects.filter(task_id__in=list(week_of), kind=LabelKind.LABEL, is_current=True)
    cats = category_index(f.taxonomy.pk)
    per_week: dict[date, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    all_units: dict[int, list] = defaultdict(list)
    for task_id, category_id in labels.values_list("task_id", "category_id"):
        path = cats[category_id]["codes"]
        per_week[week_of[task_id]][task_id].append(path)
        all_units[task_id].append(path)
    weeks = sorted(counted)
    rows = []
    for week in weeks:
        alpha = alpha_per_level(per_week[week].values(), max_depth=depth)
        rows.append(
            {
                "week": week.isoformat(),
                "clips": counted[week],
                "share": {str(lv): round(agree[week][lv] / counted[week], 4) for lv in range(1, depth + 1)},
                "alpha": {str(lv): (round(v, 4) if v is not None else None) for lv, v in alpha.items()},
            }
        )
    overall = alpha_per_level(all_units.values(), max_depth=depth)
    return {
        "weeks": rows,
        "levels": list(range(1, depth + 1)),
        "alpha": {str(lv): (round(v, 4) if v is not None else None) for lv, v in overall.items()},
    }


SCALAR_METRICS = ("hit_at_1", "gap_at_20", "macro_f1", "hierarchical_f1", "ece")


def model_versions(f: DashboardFilters) -> dict:
    """Every model version of the taxonomy, oldest first, with its test-split metrics (scalars), their 95%
    intervals, the test clip count ("count", also `eval_count`) and whether that is enough to mean something.
    The date range does not apply: a version's metrics do not depend on it."""
    if f.taxonomy is None:
        return {"versions": [], "metrics": list(SCALAR_METRICS)}
    rows = ModelVersion.objects.filter(taxonomy=f.taxonomy).order_by("number")
    versions = [
        {
            "number": v.number,
            "status": v.status,
            "release": v.release.version,
            "created_at": v.created_at.isoformat(),
            "promoted_at": v.promoted_at.isoformat() if v.promoted_at else None,
            "train_count": v.train_count,
            "eval_count": v.eval_count,
            "metrics": {
                k: round(float(val), 4)
                for k, val in (v.metrics or {}).items()
                if isinstance(val, int | float) and not isinstance(val, bool)
            },
            "intervals": (v.metrics or {}).get("intervals", {}),
            "meaningful": bool((v.metrics or {}).get("meaningful", False)),
        }
        for v in rows.select_related("release")
    ]
    levels = [f"accuracy_level{lv}" for lv in range(1, f.taxonomy.max_depth + 1)]
    return {"versions": versions, "metrics": [*SCALAR_METRICS, *levels]}


def _version_for(f: DashboardFilters, number: int | None) -> ModelVersion | None:
    versions = ModelVersion.objects.filter(taxonomy=f.taxonomy)
    if number is not None:
        return versions.filter(number=number).first()
    return versions.filter(status=ModelStatus.ACTIVE).first() or versions.order_by("-number").first()


def _held_out_tasks(tasks, taxonomy):
    """Only the tasks of clips in the taxonomy's test split (classifier.splits): no version learned from them."""
    test = ClipSplit.objects.filter(taxonomy=taxonomy, split=Split.TEST).values("clip_id")
    return tasks.filter(clip_id__in=test)


def _with_intervals(row: dict, correct: int) -> dict:
    """Precision and recall of a category row, each with its n and 95% Wilson interval."""
    from classifier.ml.stats import wilson_interval

    row["precision_interval"] = (
        [round(v, 4) for v in wilson_interval(correct, row["predicted"])] if row["predicted"] else None
    )
    row["recall_interval"] = [round(v, 4) for v in wilson_interval(correct, row["support"])] if row["support"] else None
    return row


def category_quality(f: DashboardFilters, *, version: int | None = None, held_out: bool = True) -> dict:
    """Precision and recall per leaf category, and a confusion matrix (rows: final label, columns: the
    model's category) of the taxonomy's active model version (or version `version`).

    The confusion matrix compares the version's predictions with the final labels of labeled clips (leaf
    categories only, on held-out clips unless `held_out` is False; the date range does not apply: the model
    is judged on every label it can be). It shows the CONFUSION_TOP categories with most labels, the rest
    grouped as "other". Precision and recall come from the version's held-out evaluation when it stored
    one (`source: "evaluation"`), else from the same comparison (`source: "predictions"`).
    """
    empty = {
        "version": None,
        "source": None,
        "held_out": held_out,
        "categories": [],
        "confusion": {"labels": [], "matrix": []},
        "count": 0,
    }
    if f.taxonomy is None:
        return empty
    mv = _version_for(f, version)
    if mv is None:
        return empty
    cats = category_index(f.taxonomy.pk)
    tasks = _tasks(f).filter(
        status=TaskStatus.DONE, final_category__isnull=False, final_category__rght=F("final_category__lft") + 1
    )
    if held_out:
        tasks = _held_out_tasks(tasks, f.taxonomy)
    pairs = list(
        Prediction.objects.filter(model_version=mv, clip__tasks__in=tasks.values("pk"))
        .values_list("clip__tasks__final_category_id", "category_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    support, predicted, correct = Counter(), Counter(), Counter()
    for true, pred, n in pairs:
        support[true] += n
        predicted[pred] += n
        if true == pred:
            correct[true] += n
    computed = [
        _with_intervals(
            {
                **_category_ref(cats, pk),
                "support": support[pk],
                "predicted": predicted[pk],
                "precision": round(correct[pk] / predicted[pk], 4) if predicted[pk] else None,
                "recall": round(correct[pk] / support[pk], 4) if support[pk] else None,
            },
            correct[pk],
        )
        for pk in set(support) | {p for p in predicted if p is not None}
    ]
    stored = (mv.metrics or {}).get("per_category")
    if stored:
        by_code = {c["code"]: pk for pk, c in cats.items()}
        source, categories = "evaluation", []
        for row in stored:
            pk = by_code.get(str(row["code"]).split("/")[-1])
            if not row.get("support") and not row.get("predicted"):
                continue  # a category the held-out slice never saw
            hits = round(float(row["recall"]) * int(row["support"])) if row.get("support") else 0
            categories.append(
                _with_intervals(
                    {
                        **_category_ref(cats, pk),
                        "support": int(row["support"]),
                        "predicted": int(row.get("predicted", 0)),
                        "precision": round(float(row["precision"]), 4) if row.get("predicted") else None,
                        "recall": round(float(row["recall"]), 4) if row.get("support") else None,
                    },
                    hits,
                )
            )
    else:
        source, categories = "predictions", computed
    categories.sort(key=lambda r: (-r["support"], r["path"]))

    top = [pk for pk, _ in sorted(support.items(), key=lambda kv: (-kv[1], cats[kv[0]]["path"]))[:CONFUSION_TOP]]
    index = {pk: i for i, pk in enumerate(top)}
    other = len(top) if (set(support) | set(predicted)) - set(top) else None
    size = len(top) + (other is not None)
    matrix = [[0] * size for _ in range(size)]
    for true, pred, n in pairs:
        matrix[index.get(true, other)][index.get(pred, other)] += n
    labels = [_category_ref(cats, pk) for pk in top]
    if other is not None:
        labels.append({"id": None, "code": OTHER, "name": "Other", "path": "Other categories"})
    return {
        "version": {"number": mv.number, "status": mv.status, "release": mv.release.version},
        "source": source,
        "held_out": held_out,
        "categories": categories,
        "confusion": {"labels": labels, "matrix": matrix},
        "count": sum(support.values()),
    }


def throughput(f: DashboardFilters) -> dict:
    """Labels per annotator per day (first labels only, not the copies a release migration makes; skips
    excluded), with each annotator's total and median seconds per label over the range."""
    labels = Label.objects.filter(
        kind=LabelKind.LABEL, supersedes__isnull=True, created_at__gte=f.since, created_at__lt=f.until
    )
    if f.taxonomy is not None:
        labels = labels.filter(task__project__taxonomy=f.taxonomy)
    if f.project is not None:
        labels = labels.filter(task__project=f.project)
    rows = (
        labels.annotate(day=TruncDate("created_at"))
        .values_list("annotator_id", "annotator__username", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    days = f.days
    position = {d: i for i, d in enumerate(days)}
    people: dict[int, dict] = {}
    for user_id, username, day, n in rows:
        person = people.setdefault(user_id, {"username": username, "per_day": [0] * len(days), "total": 0})
        person["per_day"][position[_day(day)]] += n
        person["total"] += n
    for user_id, person in people.items():
        person["median_seconds"] = _median_seconds(labels.filter(annotator_id=user_id), person["total"])
    annotators = sorted(people.values(), key=lambda p: (-p["total"], p["username"]))
    return {
        "days": [d.isoformat() for d in days],
        "annotators": annotators,
        "per_day": [sum(p["per_day"][i] for p in annotators) for i in range(len(days))],
    }


def _median_seconds(labels, n: int) -> float | None:
    """The median of time_spent_ms, read as the one or two middle rows in order (an indexed offset, not
    every row), in seconds."""
    if n == 0:
        return None
    middle = list(labels.order_by("time_spent_ms").values_list("time_spent_ms", flat=True)[(n - 1) // 2 : n // 2 + 1])
    return round(sum(middle) / len(middle) / 1000, 1)


def queue_depth(f: DashboardFilters) -> dict:
    """Now, per active project of the taxonomy: tasks open (waiting for labels; of which re-labels), in
    review, done. Gold tasks are left out. The date range does not apply: this is a snapshot."""
    if f.taxonomy is None:
        return {"projects": []}
    rows = (
        _tasks(f)
        .filter(project__is_active=True)
        .values("project_id", "project__name")
        .annotate(
            open=Count("id", filter=Q(status=TaskStatus.OPEN)),
            relabel=Count("id", filter=Q(status=TaskStatus.OPEN) & ~Q(relabel_reason="")),
            review=Count("id", filter=Q(status=TaskStatus.REVIEW)),
            done=Count("id", filter=Q(status=TaskStatus.DONE)),
        )
        .order_by()
    )
    projects = [
        {
            "id": r["project_id"],
            "name": r["project__name"],
            "open": r["open"],
            "relabel": r["relabel"],
            "review": r["review"],
            "done": r["done"],
        }
        for r in rows
    ]
    projects.sort(key=lambda p: (-(p["open"] + p["review"]), p["name"]))
    return {"projects": projects}


def cold_start(f: DashboardFilters, *, confidence: float | None = None, minutes: int | None = None) -> dict:
    """Per day: clips that arrived (created; failed ones left out, they have nothing to predict from) and how
    many got a prediction at least `confidence` sure within `minutes` of arriving, from any model version
    of the taxonomy. Defaults: CLIPCAT_COLD_START_CONFIDENCE and CLIPCAT_COLD_START_MINUTES."""
    confidence = settings.CLIPCAT_COLD_START_CONFIDENCE if confidence is None else confidence
    minutes = settings.CLIPCAT_COLD_START_MINUTES if minutes is None else minutes
    clips = Clip.objects.filter(created_at__gte=f.since, created_at__lt=f.until).exclude(status=ClipStatus.FAILED)
    if f.project is not None:
        clips = clips.filter(tasks__project=f.project)
    deadline = ExpressionWrapper(OuterRef("created_at") + timedelta(minutes=minutes), output_field=DateTimeField())
    fast = Prediction.objects.filter(clip_id=OuterRef("pk"), confidence__gte=confidence, created_at__lte=deadline)
    if f.taxonomy is not None:
        fast = fast.filter(model_version__taxonomy=f.taxonomy)
    rows = dict(
        (_day(day), (total, covered))
        for day, total, covered in clips.annotate(day=TruncDate("created_at"), fast=Exists(fast))
        .values_list("day")
        .annotate(total=Count("id"), covered=Count("id", filter=Q(fast=True)))
        .values_list("day", "total", "covered")
        .order_by()
    )
    days = []
    for d in f.days:
        total, covered = rows.get(d, (0, 0))
        days.append(
            {
                "day": d.isoformat(),
                "clips": total,
                "covered": covered,
                "share": round(covered / total, 4) if total else None,
            }
        )
    total = sum(r["clips"] for r in days)
    covered = sum(r["covered"] for r in days)
    return {
        "confidence": confidence,
        "minutes": minutes,
        "days": days,
        "clips": total,
        "covered": covered,
        "share": round(covered / total, 4) if total else None,
    }
