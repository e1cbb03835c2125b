"""Creating and processing clips through the services: duplicates, limits, tags, failure reasons, the
stuck-clip sweeper; all without a worker (processing is called directly)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from annotation import services
from annotation.choices import ClipStatus
from annotation.models import Clip, Tag


def _stored_clips() -> list[str]:
    _, years = default_storage.listdir("clips") if default_storage.exists("clips") else ([], [])
    names = []
    for year in years:
        for month in default_storage.listdir(f"clips/{year}")[0]:
            names += default_storage.listdir(f"clips/{year}/{month}")[1]
    return names


def test_create_stores_under_a_generated_name_with_checksum_and_tags(upload):
    clip = upload("h264-stereo.mp4", tags="Goals, highlights; goals", title="")
    assert clip.status == ClipStatus.PENDING
    assert clip.file.name.startswith("clips/") and clip.file.name.endswith(".mp4")
    assert "h264" not in clip.file.name and clip.original_name == "h264-stereo.mp4"
    assert clip.title == "h264-stereo" and len(clip.checksum) == 64 and clip.size_bytes > 0
    assert sorted(t.name for t in clip.tags.all()) == ["goals", "highlights"]


def test_duplicate_is_refused_naming_the_existing_clip_and_nothing_is_left(upload):
    first = upload("vp9-mono.webm", title="Original")
    before = _stored_clips()
    with pytest.raises(services.DuplicateClipError) as caught:
        upload("vp9-mono.webm", title="Again")
    assert caught.value.existing == first
    assert f"#{first.pk}" in caught.value.message and "Original" in caught.value.message
    assert Clip.objects.count() == 1 and _stored_clips() == before


def test_uploaded_names_cannot_escape_the_media_folder(users):
    clip = services.clip_create(file=ContentFile(b"not really a video", name="../../etc/passwd.mp4"))
    assert clip.file.name.startswith("clips/") and ".." not in clip.file.name
    assert clip.original_name == "passwd.mp4"


@pytest.mark.parametrize(
    ("name", "content", "code"),
    [("notes.txt", b"hello", "not_video"), ("empty.mp4", b"", "empty")],
)
def test_refused_before_storing(db, name, content, code):
    with pytest.raises(ValidationError) as caught:
        services.clip_create(file=ContentFile(content, name=name))
    assert caught.value.error_dict["file"][0].code == code
    assert not Clip.objects.exists() and _stored_clips() == []


def test_over_the_size_limit_is_refused_before_storing(db, settings, videos):
    settings.CLIPCAT_MAX_UPLOAD_BYTES = 1000
    with open(videos["h264-stereo.mp4"], "rb") as handle, pytest.raises(ValidationError) as caught:
        services.clip_create(file=File(handle, name="big.mp4"))
    assert "ClipCat takes files up to 1000 bytes" in str(caught.value)
    assert _stored_clips() == []


def test_processing_marks_ready_with_probe_figures(upload):
    clip = services.clip_process(clip_id=upload("hevc-5.1.mp4").pk)
    assert clip.status == ClipStatus.READY and clip.processed_at and clip.attempts == 1
    assert (clip.width, clip.height, clip.video_codec, clip.audio_channels) == (128, 72, "hevc", 6)
    assert clip.frame_count == 2 and clip.frame_rate == 1.0 and clip.audio_rate == 16000
    assert all(f.name.startswith(f"derived/{clip.pk}/") for f in clip.derived_files)
    # processing again replaces the derived files and removes the old ones
    old = [f.name for f in clip.derived_files]
    services.clip_reprocess(clip=clip)
    clip = services.clip_process(clip_id=clip.pk)
    assert clip.status == ClipStatus.READY and not set(old) & {f.name for f in clip.derived_files}


def test_limits_apply_when_processing(upload, settings):
    settings.CLIPCAT_MAX_DURATION_SECONDS = 1
    clip = services.clip_process(clip_id=upload("h264-stereo.mp4").pk)
    assert (clip.status, clip.error_code) == (ClipStatus.FAILED, "too_long")
    assert "up to 0:00:01" in clip.error


def test_processing_a_ready_clip_again_is_a_no_op(upload):
    clip = services.clip_process(clip_id=upload("one-frame.mp4").pk)
    assert services.clip_process(clip_id=clip.pk) is None


def test_sweeper_requeues_then_fails_after_too_many_attempts(upload, settings):
    settings.CLIPCAT_PROCESS_INLINE = True
    clip = upload("tiny-mpeg4.avi")
    long_ago = timezone.now() - timedelta(seconds=settings.CLIPCAT_STUCK_AFTER_SECONDS + 60)
    recent = timezone.now()
    Clip.objects.filter(pk=clip.pk).update(status=ClipStatus.PROCESSING, processing_started_at=recent, attempts=1)
    assert services.clips_requeue_stuck() == {"requeued": [], "failed": [], "resent": []}  # not stuck yet
    Clip.objects.filter(pk=clip.pk).update(processing_started_at=long_ago)
    assert services.clips_requeue_stuck() == {"requeued": [clip.pk], "failed": [], "resent": []}
    clip.refresh_from_db()
    assert clip.status == ClipStatus.PENDING
    Clip.objects.filter(pk=clip.pk).update(
        status=ClipStatus.PROCESSING, processing_started_at=long_ago, attempts=settings.CLIPCAT_PROCESS_MAX_ATTEMPTS
    )
    assert services.clips_requeue_stuck() == {"requeued": [], "failed": [clip.pk], "resent": []}
    clip.refresh_from_db()
    assert clip.status == ClipStatus.FAILED and clip.error_code == "interrupted"


def test_a_pending_clip_whose_message_was_lost_is_sent_again(upload, settings, django_capture_on_commit_callbacks):
    """A broker restarted without persistence loses queued messages: the sweep sends the clip again."""
    clip = upload("tiny-mpeg4.avi")
    assert clip.status == ClipStatus.PENDING
    assert services.clips_requeue_stuck()["resent"] == []  # just queued: its message may be on its way
    long_ago = timezone.now() - timedelta(seconds=settings.CLIPCAT_PENDING_RESEND_AFTER_SECONDS + 60)
    Clip.objects.filter(pk=clip.pk).update(updated_at=long_ago)
    with django_capture_on_commit_callbacks() as sends:
        assert services.clips_requeue_stuck() == {"requeued": [], "failed": [], "resent": [clip.pk]}
    assert len(sends) == 1
    assert services.clips_requeue_stuck()["resent"] == []  # at most once per period
    settings.CLIPCAT_PROCESS_INLINE = True
    sends[0]()  # the message, delivered
    clip.refresh_from_db()
    assert clip.status == ClipStatus.READY and clip.attempts == 1


def test_update_and_delete(upload, users):
    program = services.program_create(title="Planet Close-up", year=2023)
    clip = services.clip_process(clip_id=upload("vp9-mono.webm").pk)
    services.clip_update(clip=clip, title=" New  title ", tags=["a", "B"], program=program)
    clip.refresh_from_db()
    assert (clip.title, clip.program) == ("New title", program)
    assert sorted(clip.tags.values_list("name", flat=True)) == ["a", "b"]
    names = [clip.file.name, *(f.name for f in clip.derived_files)]
    services.clip_delete(clip=clip)
    assert not Clip.objects.exists() and Tag.objects.count() == 2
    assert names  # files go on commit (see test_api for the committed path)


def test_program_title_and_year_are_unique(db):
    services.program_create(title="Kitchen Nights", year=2024)
    with pytest.raises(ValidationError, match="exists already"):
        services.program_create(title="Kitchen Nights", year=2024)
    assert services.program_get_or_create(title="kitchen  nights")[1] is False
