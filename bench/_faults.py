"""The parts of bench/faults.py that need Django: the world it labels, the beat-equivalent sweeper, waiting
with the database going away, settling at the end and printing the reconciliation."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import _reconcile as rc
import _world
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from annotation.choices import AssignmentStatus, ClipStatus
from annotation.models import Assignment, Clip, Project
from classifier.choices import ModelStatus, RunStatus
from classifier.models import ModelVersion, TrainingRun
from taxonomy.models import Taxonomy

LEASE_SECONDS = 30  # the shortest a project allows: a lease left behind by a fault expires soon


def wait_for(condition: Callable[[], object], timeout: float, every: float = 0.2):
    """Poll `condition` until it returns something truthy (returned), reconnecting while PostgreSQL is
    away; None after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = condition()
        except (OperationalError, InterfaceError):
            connection.close()
            found = None
        if found:
            return found
        time.sleep(every)
    return None


class World:
    """People, projects, the training taxonomy with its active model, and the videos to upload."""

    def __init__(self, args, folder: Path):
        from accounts.services import user_create_with_role

        self.overlap = args.overlap
        (self.admin,), (self.admin_token,) = _world.tokens_for("faults-admin", 1, role="admin")
        annotator = user_create_with_role(username="faults-seed", password=_world.PASSWORD, role="annotator")
        self.taxonomy, self.leaf = _world.load_taxonomy(self.admin)
        t0 = time.perf_counter()
        self.train_taxonomy, v1 = _world.training_taxonomy(self.admin, annotator, args.train_clips)
        print(
            f"training taxonomy: {args.train_clips} labeled clips with cached features; v1 trained and active "
            f"(hit@1 {v1.metrics.get('hit_at_1', 0):.2f}) in {time.perf_counter() - t0:.0f} s"
        )
        self.started = timezone.now()  # from here on, only a run that succeeds may change an active model
        active = ModelVersion.objects.filter(status=ModelStatus.ACTIVE)
        self.active_before = {
            t.pk: active.filter(taxonomy=t).values_list("pk", flat=True).first() for t in Taxonomy.objects.all()
        }
        t0 = time.perf_counter()
        self.batch, self.long, self.probes = _world.videos(folder / "videos")
        took = time.perf_counter() - t0
        print(f"videos: {len(self.batch)} to upload ({len(self.long)} of six minutes) written in {took:.0f} s")
        self.uploaded: list[int] = []

    def phase(self, count: int, clips: int, name: str) -> tuple[Project, list[str]]:
        users, tokens = _world.tokens_for(name.replace(" ", "-"), count)
        project = _world.load_project(
            self.taxonomy, self.admin, users, name=name, clips=clips, overlap=self.overlap, lease_seconds=LEASE_SECONDS
        )
        connection.close()  # the load starts: this thread's connection is not needed meanwhile
        return project, tokens


class Sweeper(threading.Thread):
    """Beat's three periodic tasks, called here every `every` seconds (the task functions run in this
    process, as the worker would run them). Failures (while Redis or PostgreSQL restart) are counted and
    the next tick tries again."""

    def __init__(self, every: float):
        super().__init__(daemon=True)
        self.every, self.done = every, threading.Event()
        self.counts: Counter = Counter()
        self.errors: list[str] = []

    def sweep_once(self) -> dict:
        from annotation.tasks import clips_requeue_stuck, leases_expire
        from classifier.tasks import training_runs_sweep

        clips = clips_requeue_stuck()
        did = {
            "clips re-queued": len(clips["requeued"]),
            "clips failed": len(clips["failed"]),
            "leases expired": leases_expire(),
            "runs failed (or retrains asked for)": training_runs_sweep(),
        }
        self.counts.update(did)
        return did

    def run(self) -> None:
        while not self.done.wait(self.every):
            try:
                self.sweep_once()
            except Exception as exc:  # noqa: BLE001 - counted and printed at the end; the next tick retries
                first = (str(exc).splitlines() or [""])[0]
                self.errors.append(f"{time.strftime('%H:%M:%S')} {type(exc).__name__}: {first}"[:160])
                connection.close()
        connection.close()

    def halt(self) -> None:
        self.done.set()
        if self.is_alive():
            self.join(timeout=60)


def settle(args, world: World, sweeper: Sweeper) -> None:
    """Wait (bounded) for what the faults left behind to be cleaned up by the sweeps, then sweep once more."""
    print(f"\nsettling (the sweeper runs every {args.sweep_every:.0f} s):")
    active = [ClipStatus.PENDING, ClipStatus.PROCESSING]
    t0 = time.monotonic()
    ok = wait_for(
        lambda: not Clip.objects.filter(pk__in=world.uploaded, status__in=active).exists(), args.stuck_after + 180
    )
    print(f"  uploaded clips settled: {bool(ok)} after {time.monotonic() - t0:.0f} s")
    t0 = time.monotonic()
    ok = wait_for(lambda: not TrainingRun.objects.filter(status=RunStatus.RUNNING).exists(), args.stale_after + 60)
    print(f"  no training run running: {bool(ok)} after {time.monotonic() - t0:.0f} s")
    t0 = time.monotonic()
    leased = Assignment.objects.filter(status=AssignmentStatus.LEASED)
    ok = wait_for(lambda: not leased.filter(expires_at__gte=timezone.now()).exists(), LEASE_SECONDS + 10)
    print(f"  every lease past its expiry: {bool(ok)} after {time.monotonic() - t0:.0f} s")
    sweeper.halt()
    print(f"  final sweep: {wait_for(sweeper.sweep_once, 30, every=1) or 'nothing to do'}")


def reconcile(world: World, phases: list, stack, sweeper: Sweeper) -> int:
    """Print every check; returns how many failed."""
    print("\nreconciliation:")
    checks = [rc.labels_once(name, project_id, log.accepted) for name, project_id, log, _ in phases]
    project_ids = [project_id for _, project_id, *_ in phases]
    checks += rc.overlap(project_ids) + rc.leases(project_ids) + rc.clips(world.uploaded)
    checks += rc.training(world.active_before, world.started)
    for ok, line in checks:
        print(f"  {'ok  ' if ok else 'FAIL'} {line}")
    print(f"  sweeps: {dict(sweeper.counts)}; failed sweeps {len(sweeper.errors)}")
    for error in sweeper.errors[:5]:
        print(f"    {error}")
    errors = stack.web_log_errors()
    print(f"  gunicorn log lines reporting a 500 or a lost worker: {len(errors)}")
    for line in errors[:8]:
        print(f"    {line}")
    errors = stack.worker_log_errors()
    print(f"  Celery worker log lines reporting errors: {len(errors)} (logs in {stack.logs})")
    for line in errors[:8]:
        print(f"    {line}")
    return sum(1 for ok, _ in checks if not ok)
