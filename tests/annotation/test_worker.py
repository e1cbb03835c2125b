"""Processing through a real Celery worker on the configured broker (Redis in CI) and the test database:
every test video ends ready with the right figures or failed with the right reason."""

from __future__ import annotations

import numpy as np
import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from annotation import services
from annotation.choices import ClipStatus
from annotation.models import Clip

from .conftest import VIDEOS

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def _settled(ids) -> bool:
    return not Clip.objects.filter(pk__in=ids, status__in=[ClipStatus.PENDING, ClipStatus.PROCESSING]).exists()


def test_worker_processes_every_test_video(live_worker, upload):
    ids = {}
    for name in VIDEOS:
        with transaction.atomic():  # committed: the task is sent on commit and the worker sees the row
            ids[name] = upload(name).pk
    live_worker.wait_for(lambda: _settled(ids.values()), timeout=120, what="every clip to be processed")
    for name, (_, expected) in VIDEOS.items():
        clip = Clip.objects.get(pk=ids[name])
        assert clip.status == expected["status"], (name, clip.error, live_worker.log(20))
        assert clip.attempts == 1
        if clip.status == ClipStatus.FAILED:
            assert clip.error_code == expected["error_code"], (name, clip.error)
            assert clip.error and not clip.frames
            continue
        assert (clip.width, clip.height) == (expected["width"], expected["height"]), name
        if "duration" in expected:
            assert clip.duration == pytest.approx(expected["duration"], abs=0.1), name
            assert clip.fps == pytest.approx(expected["fps"], rel=0.02), name
        assert clip.has_audio == bool(expected.get("audio_channels")), name
        assert clip.audio_channels == expected.get("audio_channels", 0), name
        assert clip.frames.name.startswith(f"derived/{clip.pk}/")
        with default_storage.open(clip.frames.name) as handle:
            assert np.load(handle).shape == (clip.frame_count, 224, 224, 3)
        assert default_storage.exists(clip.poster.name) and default_storage.exists(clip.strip.name)
        assert bool(clip.audio) == clip.has_audio


def test_stuck_clip_is_requeued_and_processed(live_worker, upload):
    from datetime import timedelta

    from django.utils import timezone

    clip = upload("vp9-mono.webm")  # autocommit: the worker processes it
    live_worker.wait_for(lambda: _settled([clip.pk]), what="the first processing")
    # a worker died half-way: the clip is left in processing for longer than the stuck limit
    Clip.objects.filter(pk=clip.pk).update(
        status=ClipStatus.PROCESSING, processing_started_at=timezone.now() - timedelta(days=1)
    )
    assert services.clips_requeue_stuck() == {"requeued": [clip.pk], "failed": [], "resent": []}
    live_worker.wait_for(lambda: _settled([clip.pk]), what="the re-queued clip")
    clip.refresh_from_db()
    assert clip.status == ClipStatus.READY and clip.attempts == 2
