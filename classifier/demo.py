"""A first model for the demo, so `make run` shows the loop working: suggestions on the labeling page,
model suggestions to review, dashboards with figures. Two thirds of the demo clips get "last round's"
labels (their known categories) as imported final labels; a model trains on them and predicts every clip."""

from __future__ import annotations

from annotation.choices import ClipStatus
from annotation.models import Clip, Project
from classifier.choices import ModelStatus, RunStatus
from classifier.models import ModelVersion

SEED_PROJECT = "Seed labels (last round)"


def demo_model_make(stdout) -> None:
    from django.contrib.auth import get_user_model
    from django.db.models import Q

    from annotation.demo import demo_expected_categories
    from annotation.exports import labels_import_csv
    from annotation.services.projects import project_create
    from classifier.services.inference import predict_clips
    from classifier.services.runs import training_run_request
    from classifier.services.training import training_run_execute
    from core.demo import DEMO_TAXONOMY
    from taxonomy.models import Taxonomy

    taxonomy = Taxonomy.objects.get(name=DEMO_TAXONOMY)
    if ModelVersion.objects.filter(taxonomy=taxonomy, status=ModelStatus.ACTIVE).exists():
        return
    expected = demo_expected_categories()
    clips = list(Clip.objects.filter(status=ClipStatus.READY, title__in=expected).order_by("id"))
    seed = [c for i, c in enumerate(clips) if i % 3 != 2]
    editor = get_user_model().objects.get(username="editor")
    project = Project.objects.filter(name=SEED_PROJECT).first() or project_create(
        name=SEED_PROJECT,
        taxonomy=taxonomy,
        actor=editor,
        clip_filter={"ids": [c.pk for c in seed]},
        instructions="Labels imported from the previous labeling round.",
    )
    rows = "clip_id,category_code\n" + "".join(f"{c.pk},{expected[c.title]}\n" for c in seed)
    labels_import_csv(project=project, data=rows.encode(), actor=editor)
    Project.objects.filter(Q(pk=project.pk)).update(is_active=False)
    run = training_run_request(
        taxonomy=taxonomy, trigger="manual", reason="demo: first model", window_s=0, actor=editor
    )
    run = training_run_execute(run_id=run.pk)
    if run is None or run.status != RunStatus.SUCCEEDED:
        why = f"run {run.pk} {run.status}: {run.error}" if run else "the run was taken by a worker"
        stdout.write(f"demo model: training did not succeed ({why}); the run's log is on /models/runs/")
        return
    version = ModelVersion.objects.get(pk=run.model_version_id)
    predict_clips(version=version, clips=list(Clip.objects.filter(status=ClipStatus.READY).prefetch_related("tags")))
    stdout.write(
        f"demo model: v{version.number} trained on {len(seed)} clips, "
        f"held-out hit@1 {version.metrics.get('hit_at_1', 0):.2f}; every clip pre-labeled"
    )
