"""The dashboards in Chromium on a busy, made-up eight weeks (long category names, four annotators, four model
versions, a few hundred clips): the page loads with its defaults, every chart draws marks, hovering a mark has
a value, there are no JavaScript errors, and screenshots are kept for people to look at."""

from __future__ import annotations

import random
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.services import user_create_with_role
from annotation.choices import ClipStatus, TaskStatus
from annotation.models import Clip, Label, Project, Task
from classifier.choices import ModelStatus
from classifier.models import ModelVersion, Prediction
from classifier.splits import splits_for
from taxonomy import services as taxonomy_services
from taxonomy.models import Category
from tests.e2e.test_labeling import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

LONG_NAMES = [
    "Late-night talk show monologues and interviews",
    "Stand-up comedy",
    "Cooking competitions",
    "Street food tours",
    "Home renovation before and after",
    "Unboxing",
    "Esports tournament highlights",
    "Speedruns",
    "<script>alert('x')</script>",
    "Classical concerts",
    "Music videos",
    "Nature documentaries about the deep sea",
]


def busy_world(small_taxonomy, editor) -> dict:
    rng = random.Random(6)
    fun = taxonomy_services.category_add(taxonomy=small_taxonomy, name="Entertainment", actor=editor, code="fun")
    for i, name in enumerate(LONG_NAMES):
        taxonomy_services.category_add(taxonomy=small_taxonomy, name=name, parent=fun, actor=editor, code=f"fun-{i}")
    release = taxonomy_services.release_publish(taxonomy=small_taxonomy, actor=editor)
    leaves = [c for c in Category.objects.filter(taxonomy=small_taxonomy) if c.is_leaf_node()]
    weights = [1 / (i + 1) for i in range(len(leaves))]
    people = [
        user_create_with_role(username=n, password=PASSWORD, role="annotator") for n in ("ana", "bo", "chen", "dev")
    ]
    now = timezone.now()
    clips = Clip.objects.bulk_create(
        [
            Clip(title=f"clip {i}", file=f"clips/{i}.mp4", checksum=uuid.uuid4().hex * 2, status=ClipStatus.READY)
            for i in range(320)
        ]
    )
    for c in clips:
        c.created_at = now - timedelta(days=rng.uniform(0, 55))
    Clip.objects.bulk_update(clips, ["created_at"])
    project = Project.objects.create(name="Backlog", taxonomy=small_taxonomy, release=release, overlap=2)
    Project.objects.create(name="Spot checks", taxonomy=small_taxonomy, release=release, overlap=1)
    tasks = Task.objects.bulk_create([Task(project=project, clip=c, required=2) for c in clips])
    versions = [
        ModelVersion.objects.create(
            taxonomy=small_taxonomy,
            release=release,
            number=n,
            status=ModelStatus.ACTIVE if n == 4 else ModelStatus.RETIRED,
            metrics={
                "hit_at_1": 0.48 + 0.09 * n,
                "gap_at_20": 0.55 + 0.08 * n,
                "macro_f1": 0.35 + 0.1 * n,
                "hierarchical_f1": 0.6 + 0.06 * n,
                "accuracy_level1": 0.7 + 0.05 * n,
                "accuracy_level2": 0.6 + 0.06 * n,
                "accuracy_level3": 0.45 + 0.08 * n,
            },
        )
        for n in range(1, 5)
    ]
    labels, predictions = [], []
    for task in tasks[:240]:
        truth = rng.choices(leaves, weights)[0]
        second = truth if rng.random() < 0.75 else rng.choice(leaves)
        at = task.clip.created_at + timedelta(hours=rng.uniform(1, 30))
        for person, category in zip(rng.sample(people, 2), (truth, second), strict=True):
            labels.append(
                (
                    Label(
                        task=task,
                        annotator=person,
                        category=category,
                        release=release,
                        time_spent_ms=rng.randint(3_000, 40_000),
                    ),
                    at,
                )
            )
        same = truth == second
        task.agreement = {"levels": {"1": same or rng.random() < 0.5, "2": same, "3": same}, "labels": 2}
        task.status, task.completed_at = (TaskStatus.DONE, at) if same else (TaskStatus.REVIEW, None)
        task.final_category, task.final_release = (truth, release) if same else (None, None)
        said = truth if rng.random() < 0.8 else rng.choice(leaves)
        predictions.append(
            Prediction(
                clip=task.clip,
                model_version=versions[-1],
                category=said,
                path=[said.code],
                confidence=rng.uniform(0.3, 0.99),
            )
        )
    Task.objects.bulk_update(tasks, ["agreement", "status", "completed_at", "final_category", "final_release"])
    made = Label.objects.bulk_create([label for label, _ in labels])
    for label, (_, at) in zip(made, labels, strict=True):
        label.created_at = at
    Label.objects.bulk_update(made, ["created_at"])
    made = Prediction.objects.bulk_create(predictions)
    for p in made:
        p.created_at = p.clip.created_at + timedelta(minutes=rng.choice([1, 2, 3, 5, 30]))
    Prediction.objects.bulk_update(made, ["created_at"])
    # the splits training would have made: the dashboards judge the model on the test split
    splits_for(
        taxonomy_id=small_taxonomy.pk,
        examples=[(t.clip_id, t.final_category.code) for t in tasks if t.final_category is not None],
    )
    return {"taxonomy": small_taxonomy}


def test_dashboards_render_in_the_browser(page, login, shot, small_taxonomy, editor, users):
    busy_world(small_taxonomy, editor)
    login("reviewer1", "a-long-test-password")
    page.goto("/dashboards/")
    page.wait_for_selector("#chart-confusion")
    for chart in ("labels", "agreement", "precision-recall", "versions", "throughput", "queues", "cold-start"):
        marks = page.locator(f"#chart-{chart} rect[fill], #chart-{chart} circle, #chart-{chart} polyline").count()
        assert marks > 0, chart
        assert page.locator(f"#chart-{chart} text.empty").count() == 0, chart
    box = page.locator("#chart-labels").bounding_box()
    assert box["width"] > 300 and box["height"] > 100
    assert page.locator("#chart-labels title", has_text="<script>alert('x')</script>").count() >= 1
    assert "Dashboards" in page.locator(".topbar nav a.active").inner_text()
    shot("dashboards-01-overview")

    page.select_option("select[name=project]", label="Backlog")
    page.click("button:has-text('Show')")
    page.wait_for_selector(".dash-title:has-text('Backlog')")
    shot("dashboards-02-project")

    page.click("text=Model versions →")
    page.wait_for_selector("#chart-versions-levels")
    assert page.locator("table tbody tr").count() == 4
    shot("dashboards-03-models")


def test_empty_dashboards_say_so(page, login, shot, users):
    login("annotator1", "a-long-test-password")
    page.goto("/dashboards/")
    page.wait_for_selector("text=No taxonomy yet")
    assert page.locator("svg text.empty").count() == 8
    shot("dashboards-04-empty")
