"""The classifier's management commands as the README shows them (train, evaluate, prelabel), and a demo
reset: a database started again beside the model folder of an earlier one trains its first model."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from annotation.models import Clip
from classifier.choices import ModelStatus, RunStatus
from classifier.models import ModelVersion, Prediction, TrainingRun

pytestmark = pytest.mark.slow
TAXONOMY = "Video categories"


def _call(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_train_evaluate_prelabel_as_the_readme_shows(labeled):
    trained = _call("train", TAXONOMY)
    version = ModelVersion.objects.get(taxonomy__name=TAXONOMY)
    assert f"v{version.number} ({ModelStatus.ACTIVE})" in trained

    report = _call("evaluate", TAXONOMY)
    assert f"v{version.number} on {version.metrics['count']} test clips" in report and "hit_at_1" in report
    assert f"n={version.metrics['count']}" in report
    as_json = json.loads(_call("evaluate", TAXONOMY, "--model-version", str(version.number), "--json"))
    # the stored version and the command judge the same test clips, calibrated alike
    assert as_json["count"] == version.metrics["count"]
    assert as_json["hit_at_1"] == pytest.approx(version.metrics["hit_at_1"], abs=1e-6)
    assert as_json["intervals"]["hit_at_1"] == version.metrics["intervals"]["hit_at_1"]

    ready = Clip.objects.filter(status="ready").count()
    assert f"Predicted {ready} clips with v{version.number}." in _call("prelabel", TAXONOMY)
    assert f"Predicted {ready} clips" in _call("prelabel", TAXONOMY, "--model-version", str(version.number))
    assert Prediction.objects.filter(model_version=version).count() == ready


def test_commands_refuse_unknown_taxonomies_and_versions(small_taxonomy):
    with pytest.raises(CommandError, match="No taxonomy named 'Nope'"):
        _call("evaluate", "Nope")
    with pytest.raises(CommandError, match="has no active model"):
        _call("prelabel", small_taxonomy.name)
    with pytest.raises(CommandError, match="No model version 7"):
        _call("evaluate", small_taxonomy.name, "--model-version", "7")


def _forget_the_classifier_tables(next_run: int) -> None:
    """What deleting the database and starting again does to the classifier's rows: gone, and the next
    run gets the id the first run of the earlier database had."""
    Prediction.objects.all().delete()
    TrainingRun.objects.all().delete()
    ModelVersion.objects.all().delete()
    table = TrainingRun._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("UPDATE sqlite_sequence SET seq = %s WHERE name = %s", [next_run - 1, table])
        else:
            cursor.execute("SELECT setval(pg_get_serial_sequence(%s, 'id'), %s, false)", [table, next_run])


def test_a_reset_database_trains_beside_the_artifacts_of_the_earlier_one(labeled, settings):
    from classifier.services.runs import training_run_request
    from classifier.services.training import training_run_execute

    def train() -> TrainingRun:
        run = training_run_request(taxonomy=labeled.taxonomy, trigger="manual", reason="demo", window_s=0)
        return training_run_execute(run_id=run.pk)

    first = train()
    assert first.status == RunStatus.SUCCEEDED, first.error
    earlier = Path(first.model_version.artifact)
    _forget_the_classifier_tables(next_run=first.pk)

    again = train()
    assert again.status == RunStatus.SUCCEEDED, again.error
    assert (again.pk, again.model_version.number) == (first.pk, 1)  # the same numbers as before the reset
    later = Path(again.model_version.artifact)
    assert later != earlier and later.exists() and earlier.exists()
    assert sorted(p.name for p in Path(settings.CLIPCAT_MODEL_DIR).rglob("*.pt")) == sorted([earlier.name, later.name])
