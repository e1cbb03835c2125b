"""Processing of clips: claim, run the media pipeline, store what it made, and mark ready or failed.
Called by the Celery task on the media queue (or inline, with CLIPCAT_PROCESS_INLINE)."""

from __future__ import annotations

import contextlib
import logging
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from annotation.choices import ClipError, ClipStatus
from annotation.hooks import clip_ready
from annotation.media import MediaError, MediaOptions, process_video
from annotation.models import Clip

from .storage import delete_files, store_derived

log = logging.getLogger(__name__)


def media_options() -> MediaOptions:
    """The pipeline's options, from settings."""
    return MediaOptions(
        frame_rate=settings.CLIPCAT_FRAME_RATE,
        max_frames=settings.CLIPCAT_MAX_FRAMES,
        frame_size=settings.CLIPCAT_FRAME_SIZE,
        audio_rate=settings.CLIPCAT_AUDIO_RATE,
        max_duration=settings.CLIPCAT_MAX_DURATION_SECONDS,
        max_pixels=settings.CLIPCAT_MAX_PIXELS,
    )


def clip_enqueue(clip_id: int) -> None:
    """Hand a clip to the media queue (call it from transaction.on_commit)."""
    if settings.CLIPCAT_PROCESS_INLINE:
        clip_process(clip_id=clip_id)
        return
    from annotation.tasks import clip_process as task

    task.delay(clip_id)


@contextlib.contextmanager
def _local_source(clip: Clip):
    """A path when the storage is a local disk (fastest for PyAV), else a file object from the backend."""
    try:
        path = default_storage.path(clip.file.name)
    except NotImplementedError:
        with default_storage.open(clip.file.name, "rb") as handle:
            yield handle
        return
    if not Path(path).is_file():
        raise FileNotFoundError(f"clip {clip.pk}: {clip.file.name} is missing from storage")
    yield Path(path)


def clip_process(*, clip_id: int, options: MediaOptions | None = None) -> Clip | None:
    """Process one clip. Returns the clip (ready or failed), or None when it was not waiting for it.

    Media errors mark the clip failed with their reason; storage and database errors propagate so the
    task can retry them.
    """
    claimed = Clip.objects.filter(pk=clip_id, status__in=[ClipStatus.PENDING, ClipStatus.PROCESSING]).update(
        status=ClipStatus.PROCESSING,
        processing_started_at=timezone.now(),
        attempts=F("attempts") + 1,
        error="",
        error_code="",
    )
    if not claimed:
        return None
    clip = Clip.objects.get(pk=clip_id)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix=f"clipcat-{clip_id}-") as tmp:
        try:
            with _local_source(clip) as source:
                result = process_video(source, Path(tmp), options or media_options())
        except MediaError as exc:
            return clip_mark_failed(clip_id=clip_id, code=exc.code, reason=exc.reason)
        stored_at = time.perf_counter()
        files = {"frames": result.frames_path, "poster": result.poster_path, "strip": result.strip_path}
        if result.audio_path:
            files["audio"] = result.audio_path
        stored = store_derived(clip_id, files)
        result.timings["storage"] += time.perf_counter() - stored_at
    old = [f.name for f in clip.derived_files]
    probe = result.probe
    fields = dict(
        status=ClipStatus.READY,
        processed_at=timezone.now(),
        container=probe.container[:64],
        duration=round(result.duration, 3),
        fps=round(probe.fps, 3) if probe.fps else None,
        width=probe.width,
        height=probe.height,
        video_codec=probe.video_codec[:32],
        audio_codec=probe.audio_codec[:32] if result.has_audio else "",
        audio_channels=probe.audio_channels if result.has_audio else 0,
        has_audio=result.has_audio,
        frame_count=result.frame_count,
        frame_rate=round(result.sample_rate, 4),
        audio_rate=settings.CLIPCAT_AUDIO_RATE if result.has_audio else None,
        strip_frames=min(result.frame_count, media_options().strip_frames),
        frames=stored["frames"],
        poster=stored["poster"],
        strip=stored["strip"],
        audio=stored.get("audio", ""),
    )
    with transaction.atomic():
        if not Clip.objects.filter(pk=clip_id, status=ClipStatus.PROCESSING).update(**fields):
            transaction.on_commit(lambda: delete_files(stored.values()))  # deleted or reset meanwhile
            return Clip.objects.filter(pk=clip_id).first()
        transaction.on_commit(lambda: delete_files(old))
        clip_ready.send(sender=Clip, clip_id=clip_id)  # the classifier pre-labels it (after commit)
    timings = " ".join(f"{k}={v:.2f}s" for k, v in result.timings.items())
    log.info("clip %s ready in %.2fs (%s)", clip_id, time.perf_counter() - started, timings)
    return Clip.objects.get(pk=clip_id)


def clip_mark_failed(*, clip_id: int, code: str, reason: str) -> Clip | None:
    """Record a permanent failure with a reason a person can act on (unless the clip is ready meanwhile)."""
    Clip.objects.filter(pk=clip_id).exclude(status=ClipStatus.READY).update(
        status=ClipStatus.FAILED, error_code=code, error=reason, processed_at=timezone.now()
    )
    log.info("clip %s failed (%s): %s", clip_id, code, reason)
    return Clip.objects.filter(pk=clip_id).first()


def clips_requeue_stuck(*, now=None) -> dict[str, list[int]]:
    """Find clips left `processing` by a worker that died, and queue them again; after too many attempts,
    fail them instead. Also send again clips whose queue message was lost. Run periodically by beat
    (config/schedules.py)."""
    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.CLIPCAT_STUCK_AFTER_SECONDS)
    requeued, failed = [], []
    stuck = Clip.objects.filter(status=ClipStatus.PROCESSING, processing_started_at__lt=cutoff)
    for clip_id, attempts, started in stuck.values_list("id", "attempts", "processing_started_at"):
        if attempts >= settings.CLIPCAT_PROCESS_MAX_ATTEMPTS:
            clip_mark_failed(
                clip_id=clip_id,
                code=ClipError.INTERRUPTED,
                reason=f"Processing was interrupted {attempts} times (the worker stopped or ran out of memory). "
                "Reprocess it once the workers are healthy; if it fails again, the video may be too demanding.",
            )
            failed.append(clip_id)
            continue
        with transaction.atomic():
            moved = Clip.objects.filter(pk=clip_id, status=ClipStatus.PROCESSING, processing_started_at=started)
            if moved.update(status=ClipStatus.PENDING, updated_at=now):
                transaction.on_commit(lambda clip_id=clip_id: clip_enqueue(clip_id))
                requeued.append(clip_id)
    resent = _pending_resend(now)
    if requeued or failed or resent:
        log.warning("stuck clips: re-queued %s, failed %s, pending ones sent again %s", requeued, failed, resent)
    return {"requeued": requeued, "failed": failed, "resent": resent}


def _pending_resend(now) -> list[int]:
    """Send again the clips pending for longer than any queue wait: their message was lost (a broker that
    restarted without persistence, or one that was down when the clip was queued). `updated_at` is bumped,
    so each is sent again at most once per period; a copy that arrives after the clip is done is a no-op."""
    cutoff = now - timedelta(seconds=settings.CLIPCAT_PENDING_RESEND_AFTER_SECONDS)
    resent = []
    for clip_id in Clip.objects.filter(status=ClipStatus.PENDING, updated_at__lt=cutoff).values_list("id", flat=True):
        with transaction.atomic():
            if Clip.objects.filter(pk=clip_id, status=ClipStatus.PENDING, updated_at__lt=cutoff).update(updated_at=now):
                transaction.on_commit(lambda clip_id=clip_id: clip_enqueue(clip_id))
                resent.append(clip_id)
    return resent
