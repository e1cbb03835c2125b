"""A broker that restarts without persistence loses queued messages: the sweep sends again a run that is
still queued long after it should have started, so no run waits forever (the clips' sweep does the same:
tests/annotation/test_clip_services.py)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from classifier.models import TrainingRun
from classifier.services.runs import training_run_request, training_runs_resend_lost

pytestmark = pytest.mark.django_db


def test_a_queued_run_whose_message_was_lost_is_sent_again_once(small_taxonomy, django_capture_on_commit_callbacks):
    run = training_run_request(taxonomy=small_taxonomy, trigger="manual", reason="test", window_s=0)
    assert training_runs_resend_lost() == 0  # its start time has just come: the message may be on its way
    from django.conf import settings

    long_ago = timezone.now() - timedelta(seconds=settings.CLIPCAT_RUN_STALE_S + 60)
    TrainingRun.objects.filter(pk=run.pk).update(scheduled_for=long_ago)
    with django_capture_on_commit_callbacks() as sends:
        assert training_runs_resend_lost() == 1
    assert len(sends) == 1  # one new message, sent when the sweep commits
    run.refresh_from_db()
    assert run.status == "queued" and run.scheduled_for > long_ago and "sent again" in run.log
    assert training_runs_resend_lost() == 0  # not again before another stale period
    # later triggers still join the one queued run rather than stacking behind a lost one
    assert training_run_request(taxonomy=small_taxonomy, trigger="manual", reason="again").pk == run.pk
