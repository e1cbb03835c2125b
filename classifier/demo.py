"""A first model for the demo, so `make run` shows the loop working: suggestions on the labeling page,
model suggestions to review, dashboards with figures. Two thirds of the demo clips get "last round's"
labels (their known categories) as imported final labels; a model trains on them and predicts every clip.
The demo clips of none of the categories (`annotation.demo.demo_out_of_set_titles`) get no label."""

from __future__ import annotations

from annotation.choices import ClipStatus
from annotation.models import Clip, Project
from classifier.choices import ModelStatus, RunStatus
from classifier.metric_text import metric_text
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
    # Only clips of the demo categories get seed labels (the out-of-set ones never do), two thirds of
    # each category's clips, so every category has labels and unlabeled clips to suggest for.
    expected = demo_expected_categories()
    clips = list(Clip.objects.filter(status=ClipStatus.READY, title__in=expected).order_by("id"))
    by_code: dict[str, list[Clip]] = {}
    for clip in clips:
        by_code.setdefault(expected[clip.title], []).append(clip)
    seed = sorted((c for group in by_code.values() for i, c in enumerate(group) if i % 3 != 2), key=lambda c: c.pk)
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
    sizes = version.metrics.get("split_sizes", {})
    stdout.write(
        f"demo model: v{version.number} learned from {sizes.get('train', version.train_count)} of {len(seed)} "
        f"seed labels ({sizes.get('validation', 0)} validation, {sizes.get('test', 0)} test); "
        f"test hit@1 {metric_text(version.metrics, 'hit_at_1')}; "
        + ("active" if run.promoted else f"not active: {run.promotion_note}")
        + "; every clip pre-labeled"
    )
