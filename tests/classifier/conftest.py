"""Fixtures for the classifier in the loop: the demo data (real generated videos, processed inline), a
demo labeling project labeled by simulated annotators, and scratch folders for features and models."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.conf import settings as django_settings


@pytest.fixture(autouse=True)
def classifier_dirs(request, settings, tmp_path):
    if "live_worker" not in request.fixturenames:  # the worker fixture sets a media folder both processes share
        settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.CLIPCAT_FEATURE_DIR = str(tmp_path / "features")
    settings.CLIPCAT_MODEL_DIR = str(tmp_path / "models")
    # The exported ONNX backbone depends only on the weights: keep it between runs (var/ is git-ignored).
    settings.CLIPCAT_ONNX_DIR = str(Path(django_settings.BASE_DIR) / "var" / "test-onnx")
    settings.CLIPCAT_TRAIN_EPOCHS = 12
    # The demo world of these tests is small, so is its test split: promote from 4 test clips
    # (test_promotion.py checks the real minimum).
    settings.CLIPCAT_MIN_TEST_CLIPS = 4
    from classifier import clip_features

    clip_features.feature_cache.cache_clear()
    clip_features.frame_extractor.cache_clear()
    yield


@pytest.fixture
def demo(db, settings):
    """Demo users, taxonomy (release 1.0) and the small test demo (6 clips per category, 4 of none;
    tests/conftest.py), processed inline."""
    from core.demo import demo_data_make

    settings.CLIPCAT_PROCESS_INLINE = True
    demo_data_make(io.StringIO())
    from taxonomy.models import Taxonomy

    return Taxonomy.objects.get(name="Video categories")


@pytest.fixture
def labeled(demo):
    """Every demo clip labeled with the category it was made for, through the labeling services."""
    from django.contrib.auth import get_user_model

    from annotation.choices import ClipStatus
    from annotation.demo import demo_expected_categories
    from annotation.models import Clip
    from annotation.services.labels import label_submit
    from annotation.services.projects import project_create, project_member_set
    from annotation.services.queue import task_next_for_annotator
    from taxonomy.models import Category

    expected = demo_expected_categories()
    clips = Clip.objects.filter(status=ClipStatus.READY, title__in=expected)
    editor = get_user_model().objects.get(username="editor")
    annotator = get_user_model().objects.get(username="annotator")
    project = project_create(
        name="Training labels",
        taxonomy=demo,
        actor=editor,
        clip_filter={"ids": list(clips.values_list("id", flat=True))},
        overlap=1,
    )
    project_member_set(project=project, user=annotator)
    codes = {c.code: c for c in Category.objects.filter(taxonomy=demo)}
    while (assignment := task_next_for_annotator(project=project, user=annotator)) is not None:
        label_submit(assignment=assignment, user=annotator, category=codes[expected[assignment.task.clip.title]])
    return project
