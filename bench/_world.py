"""What bench/faults.py works on, made before any process starts: people and tokens, the labeling projects,
a taxonomy with an active model and cached features to retrain from, and real videos to upload."""

from __future__ import annotations

import contextlib
import os
import sys
import uuid
from pathlib import Path
from types import SimpleNamespace

import numpy as np

PASSWORD = "bench-password-1"


def tokens_for(prefix: str, count: int, role: str = "annotator") -> tuple[list, list[str]]:
    """`count` people with `role` and their API tokens."""
    from rest_framework.authtoken.models import Token

    from accounts.services import user_create_with_role

    users = [user_create_with_role(username=f"{prefix}-{i}", password=PASSWORD, role=role) for i in range(count)]
    return users, [Token.objects.get_or_create(user=u)[0].key for u in users]


def load_taxonomy(editor):
    """A one-path taxonomy for the labeling load (as bench/annotate.py); returns it and its leaf."""
    from taxonomy import services as tax

    taxonomy = tax.taxonomy_create(name="Faults load", actor=editor)
    root = tax.category_add(taxonomy=taxonomy, name="Sports", actor=editor)
    mid = tax.category_add(taxonomy=taxonomy, name="Football", parent=root, actor=editor)
    leaf = tax.category_add(taxonomy=taxonomy, name="Highlights", parent=mid, actor=editor)
    tax.release_publish(taxonomy=taxonomy, actor=editor)
    return taxonomy, leaf


def ready_clip_rows(n: int, tag: str) -> list[int]:
    """Ids of `n` new ready clips (rows only: labeling and exports never open the files)."""
    from annotation.choices import ClipStatus
    from annotation.models import Clip

    made = Clip.objects.bulk_create(
        [
            Clip(
                title=f"{tag} {i}",
                file=f"clips/{tag}-{i}.mp4",
                checksum=uuid.uuid4().hex * 2,
                status=ClipStatus.READY,
                duration=30.0,
            )
            for i in range(n)
        ],
        batch_size=5000,
    )
    return [c.pk for c in made]


def load_project(taxonomy, editor, users, *, name: str, clips: int, overlap: int, lease_seconds: int):
    """A project of `clips` ready clips (rows only: labeling never opens the files) with `users` as members."""
    from annotation.models import ProjectMember
    from annotation.services.projects import project_create

    project = project_create(
        name=name,
        taxonomy=taxonomy,
        actor=editor,
        clip_filter={"ids": ready_clip_rows(clips, name)},
        overlap=overlap,
        queue_order="random",
        lease_seconds=lease_seconds,
    )
    ProjectMember.objects.bulk_create([ProjectMember(project=project, user=u) for u in users])
    return project


def training_taxonomy(editor, annotator, clips: int, first_epochs: int = 3):
    """bench/loop.py's world: a 72-leaf taxonomy, `clips` ready clips with cached features and final
    labels, and a first model v1 trained and promoted here, before the worker starts (Celery eager, so
    its re-prediction runs here too, over these clips only). Returns (taxonomy, v1)."""
    from django.conf import settings
    from loop import build_taxonomy, label_everything, make_clips

    from classifier.choices import ModelStatus
    from classifier.models import ModelVersion
    from classifier.services.runs import training_run_request
    from config.celery import app

    taxonomy, leaves = build_taxonomy(editor)
    made, truth = make_clips(clips, leaves, SimpleNamespace(frames=16, audio_chunks=0), np.random.default_rng(7))
    label_everything(taxonomy, made, truth, editor, annotator)
    epochs, settings.CLIPCAT_TRAIN_EPOCHS = settings.CLIPCAT_TRAIN_EPOCHS, first_epochs
    app.conf.task_always_eager = True
    try:
        training_run_request(taxonomy=taxonomy, trigger="manual", reason="faults bench: v1", window_s=0)
    finally:
        app.conf.task_always_eager = False
        settings.CLIPCAT_TRAIN_EPOCHS = epochs
    v1 = ModelVersion.objects.filter(taxonomy=taxonomy, status=ModelStatus.ACTIVE).first()
    if v1 is None:
        raise RuntimeError("the first model (v1) was not trained; nothing to compare with")
    return taxonomy, v1


@contextlib.contextmanager
def quiet_stderr():
    """The encoders (x264, SVT-AV1) print their banners straight to file descriptor 2: hide them."""
    sys.stderr.flush()
    saved = os.dup(2)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 2)
    try:
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def videos(folder: Path, long_clips: int = 4, probes: int = 2) -> tuple[list[Path], list[Path], list[Path]]:
    """Real videos for the ingest fault, written with PyAV: the test suite's set (codecs, containers, audio
    layouts, and broken files that must fail with a reason; tests/annotation/conftest.py), plus
    `long_clips` six-minute 360p videos (a few seconds of processing each, so that a kill lands during
    one), plus `probes` small ones uploaded after the broker and database restarts.
    Returns (batch, long ones, probes)."""
    folder.mkdir(parents=True, exist_ok=True)
    with quiet_stderr():
        return _videos(folder, long_clips, probes)


def _videos(folder: Path, long_clips: int, probes: int) -> tuple[list[Path], list[Path], list[Path]]:
    from annotation.media.synth import concat_copies, moving_gradient, write_video
    from tests.annotation.conftest import VIDEOS, _make_broken

    made = {name: write_video(folder / name, **spec) for name, (spec, _) in VIDEOS.items() if spec}
    _make_broken(folder, made)
    batch = [folder / name for name in VIDEOS]  # empty.mp4 is refused at upload: not a clip
    long = []
    for seed in range(long_clips):
        short = write_video(
            folder / f"long-source-{seed}.mp4",
            seconds=10,
            width=640,
            height=360,
            fps=25,
            audio_channels=2,
            picture=moving_gradient(640, 360, seed=100 + seed),
        )
        long.append(concat_copies(short, folder / f"long-{seed}.mp4", 36))
    probe = [
        write_video(folder / f"probe-{i}.mp4", seconds=2, audio_channels=1, picture=moving_gradient(160, 120, 200 + i))
        for i in range(probes)
    ]
    return batch + long, long, probe
