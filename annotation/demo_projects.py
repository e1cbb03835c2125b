"""The demo labeling project for `make run`: every demo clip on the demo taxonomy's latest release, two
labels per clip, two gold clips, the demo annotators and the reviewer as members. Runs after the demo
clips builder: core.demo imports this module after annotation.demo, and this module imports that one
first, whichever is imported first."""

from __future__ import annotations

# Imported first so that its clips builder is registered (and runs) before this module's.
from annotation.demo import demo_expected_categories
from core.demo import DEMO_TAXONOMY, demo_builder

DEMO_PROJECT = "Demo labeling"
GOLD_CLIPS = 2


@demo_builder
def _labeling_project(stdout) -> None:
    from django.contrib.auth import get_user_model

    from annotation.choices import ClipStatus, MemberRole
    from annotation.models import Clip, Project
    from annotation.services import clip_process
    from annotation.services.projects import project_create, project_member_set, task_gold_set
    from taxonomy.models import Category, Taxonomy

    if Project.objects.filter(name=DEMO_PROJECT).exists():
        return
    taxonomy = Taxonomy.objects.filter(name=DEMO_TAXONOMY).first()
    if taxonomy is None:
        return
    # A project takes ready clips only. The demo clips are tiny (a few seconds each), so the ones still
    # waiting for the worker are processed here, and the labeling page has work as soon as it opens.
    pending = Clip.objects.filter(source__startswith="demo", status=ClipStatus.PENDING)
    for clip_id in pending.values_list("id", flat=True):
        clip_process(clip_id=clip_id)
    names = ["editor", "annotator", "annotator2", "reviewer"]
    users = {u.username: u for u in get_user_model().objects.filter(username__in=names)}
    project = project_create(
        name=DEMO_PROJECT,
        taxonomy=taxonomy,
        actor=users.get("editor"),
        clip_filter={"tags": ["demo"]},
        overlap=2,
        gold_share=0.1,
        instructions="Label what the clip is about by the standard beside the picker. Flag (f) a clip when the "
        "standard does not say how to handle it; skip (s) one you cannot judge.",
    )
    for username, role, training in (
        ("annotator", MemberRole.ANNOTATOR, False),
        ("annotator2", MemberRole.ANNOTATOR, True),
        ("reviewer", MemberRole.REVIEWER, False),
    ):
        if username in users:
            project_member_set(project=project, user=users[username], role=role, training_mode=training)
    gold = 0
    expected = demo_expected_categories()
    codes = dict(Category.objects.filter(taxonomy=taxonomy).values_list("code", "pk"))
    for task in project.tasks.select_related("clip").order_by("-id"):
        code = expected.get(task.clip.title)
        if gold < GOLD_CLIPS and code in codes:
            task_gold_set(task=task, category=Category.objects.get(pk=codes[code]))
            gold += 1
    stdout.write(
        f"demo labeling project: {project.tasks.count()} clips ({gold} gold), overlap 2; "
        "annotator, annotator2 (training mode) and reviewer are members"
    )
