"""The classifier learns the demo categories from labels made through the labeling services: a run
trains, evaluates on held-out clips, writes an artifact, is promoted, and the model predicts valid paths
that the labeling page and active learning use. Synchronous here; the worker tests run it on Celery."""

import pytest

from annotation.models import Clip, Task
from classifier.active_learning import pick
from classifier.choices import ModelStatus, RunStatus, Strategy
from classifier.models import ModelVersion, Prediction
from classifier.services.inference import predict_clips, suggestion_for_task
from classifier.services.runs import training_run_request
from classifier.services.training import training_run_execute

pytestmark = pytest.mark.slow


def test_train_promote_predict(labeled, demo):
    run = training_run_request(taxonomy=demo, trigger="manual", reason="test", window_s=0)
    run = training_run_execute(run_id=run.pk)
    run.refresh_from_db()
    assert run.status == RunStatus.SUCCEEDED, run.log + run.error
    version = run.model_version
    assert version.status == ModelStatus.ACTIVE and run.promoted, run.promotion_note
    assert "no active model to compare with" in run.promotion_note
    # 10 leaf categories: chance is 0.1 on the test clips; the figure carries its n and interval
    sizes = version.metrics["split_sizes"]
    assert version.metrics["count"] == sizes["test"] == version.eval_count >= 4
    assert version.train_count == sizes["train"] and sizes["validation"] >= 1
    low, high = version.metrics["intervals"]["hit_at_1"]
    assert 0.0 <= low <= version.metrics["hit_at_1"] <= high <= 1.0
    # How well it learns is judged on the full demo (test_demo_model.py) and bench/quality.py: this demo
    # of 6 clips per category is too small for that.
    assert "per_category" in version.metrics
    assert version.frame_backend == "onnx-int8" and len(version.calibration["temperatures"]) == 3
    assert "Test: " in run.log and "n=" in run.log

    clips = list(Clip.objects.filter(status="ready"))
    predictions = predict_clips(version=version, clips=clips)
    assert len(predictions) == len(clips) == Prediction.objects.filter(model_version=version).count()
    for p in predictions:
        assert len(p.path) == 3 and p.category is not None and p.category.code == p.path[-1]
        assert 0 < p.confidence <= 1 and 0 <= p.entropy <= 1 and abs(p.margin) <= 1

    task = Task.objects.filter(project=labeled).first()
    suggestion = suggestion_for_task(task)
    assert suggestion["model_version"] == version.number and len(suggestion["top"]) == 3
    for strategy in Strategy.values:
        chosen = pick(version=version, strategy=strategy, k=5)
        assert len(chosen) == 5 and len(set(chosen)) == 5

    # a second run starts from v1 and is compared against it on the same held-out clips
    second = training_run_execute(
        run_id=training_run_request(taxonomy=demo, trigger="manual", reason="again", window_s=0).pk
    )
    second.refresh_from_db()
    assert second.status == RunStatus.SUCCEEDED
    baseline = second.model_version.metrics["baseline"]
    assert baseline["version"] == version.number and baseline["n"] == version.metrics["count"]
    assert "on the same" in second.promotion_note
    assert ModelVersion.objects.filter(taxonomy=demo, status=ModelStatus.ACTIVE).count() == 1


def test_too_few_labels_fails_cleanly(demo):
    run = training_run_execute(
        run_id=training_run_request(taxonomy=demo, trigger="manual", reason="no labels", window_s=0).pk
    )
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "needs at least" in run.error
    assert not ModelVersion.objects.exists()


def test_triggers_coalesce(demo):
    first = training_run_request(taxonomy=demo, trigger="release", reason="release 1.1", window_s=60)
    second = training_run_request(taxonomy=demo, trigger="labels", reason="200 labels", window_s=60)
    assert first.pk == second.pk
    second.refresh_from_db()
    assert [r["reason"] for r in second.reasons][-2:] == ["release 1.1", "200 labels"]
