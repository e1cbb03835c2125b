"""The faults of bench/faults.py, injected one after another while the annotators label (its phase 3)."""

from __future__ import annotations

import http.client
import threading
import time
from datetime import timedelta
from pathlib import Path

from _faults import wait_for
from _load import Client
from _stack import Services, Stack
from django.db import connection
from django.utils import timezone

from annotation.choices import ClipStatus
from annotation.models import Clip
from classifier.choices import RunStatus
from classifier.models import TrainingRun

GRACE = 3.0  # seconds after a fault's recovery that still count as its window


class FaultDriver:
    """Injects the faults in turn while the load runs, recording each one's window (start, recovery +
    GRACE), then lets the load go on for a tail and stops it."""

    def __init__(self, args, world, stack: Stack, services: Services):
        self.args, self.world, self.stack, self.services = args, world, stack, services
        self.windows: list[tuple[str, float, float]] = []
        self.uploaded: list[int] = []
        self.client = Client(stack.port, world.admin_token, timeout=60)

    def run_then_stop(self, stop: threading.Event, tail: float) -> None:
        try:
            time.sleep(self.args.gap)
            for name in self.args.faults:
                getattr(self, name)()
                time.sleep(self.args.gap)
            time.sleep(max(0.0, tail - self.args.gap))
        except Exception as exc:  # noqa: BLE001 - printed; the load stops and the checks still run
            print(f"  the fault driver stopped: {exc!r}")
        finally:
            connection.close()
            stop.set()

    def describe(self) -> str:
        return ", ".join(f"{name} {end - start:.1f} s" for name, start, end in self.windows) or "none"

    def window(self, name: str, start: float) -> float:
        self.windows.append((name, start, time.time() + GRACE))
        return time.time() - start

    def request(self, method: str, path: str, body: dict | None = None, file: Path | None = None):
        """(status, body) from the API as the admin, retried while the server is unreachable or 5xx."""
        for attempt in range(20):
            try:
                if file is not None:
                    status, data, _ = self.client.upload(path, file, body or {})
                elif method == "GET":
                    status, data, _ = self.client.get(path)
                else:
                    status, data, _ = self.client.post(path, body or {})
                if status < 500:
                    return status, data
            except (http.client.HTTPException, OSError):
                self.client = Client(self.stack.port, self.world.admin_token, timeout=60)
            time.sleep(min(0.2 * 2**attempt, 3))
        raise RuntimeError(f"{method} {path}: no answer from the server")

    def upload(self, path: Path) -> int | None:
        status, data = self.request("POST", "/api/clips/", {"title": path.stem}, file=path)
        if status != 201:
            print(f"    upload {path.name} refused: {status} {str(data)[:160]}")
            return None
        self.uploaded.append(data["id"])
        return data["id"]

    def settled(self, ids: list[int], timeout: float) -> bool:
        busy = [ClipStatus.PENDING, ClipStatus.PROCESSING]
        return bool(wait_for(lambda: not Clip.objects.filter(pk__in=ids, status__in=busy).exists(), timeout))

    def probe(self, after: str, index: int) -> None:
        """Upload a small video and wait until the worker made it ready: it consumes again."""
        t0 = time.monotonic()
        clip_id = self.upload(self.world.probes[index])
        ok = clip_id is not None and self.settled([clip_id], 120)
        status = Clip.objects.filter(pk=clip_id).values_list("status", flat=True).first()
        took = time.monotonic() - t0
        print(f"    probe clip #{clip_id} uploaded after the {after} restart: {status} after {took:.1f} s")
        if not ok:
            print("    the worker did not process the probe clip in 120 s")

    def gunicorn(self) -> None:
        t0 = time.time()
        victim = self.stack.web_worker_kill()
        full = self.stack.web_wait_full(victim)
        self.request("GET", "/api/projects/?page_size=1")
        took = self.window("gunicorn", t0)
        print(f"  fault gunicorn: SIGKILL worker {victim}; all workers up ({full}) and answering after {took:.1f} s")

    def ingest(self) -> None:
        t0 = time.monotonic()
        ids = {p.name: self.upload(p) for p in self.world.batch}
        long = [ids[p.name] for p in self.world.long if ids.get(p.name)]
        print(f"  fault ingest: {len(self.uploaded)} videos uploaded through the API in {time.monotonic() - t0:.1f} s")
        busy = Clip.objects.filter(pk__in=long, status=ClipStatus.PROCESSING)
        victim = wait_for(
            lambda: (
                busy.filter(processing_started_at__lt=timezone.now() - timedelta(seconds=0.5))
                .values_list("pk", flat=True)
                .first()
            ),
            180,
            every=0.05,
        )
        t1 = time.time()
        self.stack.worker_kill()
        ready = self.stack.worker_start()
        self.window("ingest", t1)
        doing = f"while it processed clip #{victim}" if victim else "(no long clip was seen processing in 180 s)"
        print(f"    SIGKILL the Celery worker {doing}; a new worker ready in {ready:.1f} s")
        t0 = time.monotonic()
        ok = self.settled(self.uploaded, self.args.stuck_after + 120)
        clip = Clip.objects.filter(pk=victim).first()
        print(
            f"    uploads settled ({ok}) {time.monotonic() - t0:.0f} s after the new worker; clip #{victim}: "
            f"{clip.status if clip else None}, {clip.attempts if clip else 0} attempts"
        )

    def training(self) -> None:
        taxonomy = self.world.train_taxonomy.pk
        status, data = self.request("POST", "/api/training-runs/", {"taxonomy": taxonomy, "reason": "faults bench"})
        if status != 201:
            raise RuntimeError(f"the retrain was refused: {status} {data}")
        runs = TrainingRun.objects.filter(pk=data["id"])
        t0 = time.monotonic()
        mid = wait_for(
            lambda: runs.filter(status=RunStatus.RUNNING, stage="training", epoch__gte=2).exists(), 300, every=0.5
        )
        run = runs.get()
        t1 = time.time()
        self.stack.worker_kill()
        ready = self.stack.worker_start()
        self.window("training", t1)
        print(
            f"  fault training: run #{run.pk} asked for through the API; SIGKILL the worker "
            f"{time.monotonic() - t0:.0f} s later in stage {run.stage!r}, epoch {run.epoch} (mid-run: {mid}); "
            f"a new worker ready in {ready:.1f} s"
        )
        t0 = time.monotonic()
        wait_for(lambda: not runs.filter(status=RunStatus.RUNNING).exists(), self.args.stale_after + 60, every=1)
        run = runs.get()
        print(f"    run #{run.pk} is {run.status} {time.monotonic() - t0:.0f} s later: {run.error or '(no error)'}")

    def redis(self) -> None:
        t0 = time.time()
        down = self.services.redis_restart()
        self.window("redis", t0)
        print(f"  fault redis: shutdown nosave, then started again; unreachable for {down:.1f} s")
        self.probe("Redis", 0)

    def postgres(self) -> None:
        t0 = time.time()
        down = self.services.postgres_restart()
        self.request("GET", "/api/projects/?page_size=1")
        took = self.window("postgres", t0)
        print(
            f"  fault postgres: pg_ctlcluster restart; accepting after {down:.1f} s, API answering after {took:.1f} s"
        )
        self.probe("PostgreSQL", 1)
