"""A real Celery worker for tests: `live_worker` starts `celery -A config worker` as a subprocess on the
configured broker (Redis in CI, the filesystem transport otherwise) and the *test* database, with its
own var/ and media folders, and stops it at the end of the session.

Tests that use it need `transactional_db` (the worker only sees committed rows), must not turn on
CELERY_TASK_ALWAYS_EAGER, and are marked `@pytest.mark.worker`.
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parents[1]
QUEUES = ("default", "media", "inference", "training")
READY_TIMEOUT = 90


class LiveWorker:
    """The running worker process and everything it printed."""

    def __init__(self, process: subprocess.Popen):
        self.process = process
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.append(line.rstrip())

    def log(self, last: int = 80) -> str:
        return "\n".join(self.lines[-last:])

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(" ready." in line for line in self.lines):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        self.stop()
        pytest.fail(f"The Celery worker did not start within {timeout:.0f}s. Its log:\n{self.log()}")

    def wait_for(self, condition: Callable[[], bool], timeout: float = 60, what: str = "the worker") -> None:
        """Poll `condition` until true; fail with the worker's log when it never is."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if condition():
                return
            if self.process.poll() is not None:
                pytest.fail(f"The Celery worker exited ({self.process.returncode}). Its log:\n{self.log()}")
            time.sleep(0.2)
        pytest.fail(f"Timed out after {timeout:.0f}s waiting for {what}. Worker log:\n{self.log()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def _database_url(db: dict) -> str:
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = quote(db.get("USER") or "", safe="")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"], safe="")
    host = f"{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"
    return f"postgres://{auth}@{host}/{db['NAME']}"


def _use_transport_options(app, options: dict) -> None:
    """Point this process's Celery app at other broker options; kombu keys its connection and producer
    pools by them, so dropping the app's cached pools is enough."""
    app.conf.broker_transport_options = options
    app._pool = None
    app.amqp._producer_pool = None


def _purge(app) -> None:
    with app.connection_for_write() as connection:
        channel = connection.default_channel
        for queue in QUEUES:
            channel.queue_declare(queue=queue, durable=True, auto_delete=False)
            channel.queue_purge(queue)


@pytest.fixture(scope="session")
def live_worker(django_db_setup, tmp_path_factory):
    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings

    from config.celery import app

    var_dir = tmp_path_factory.mktemp("worker-var")
    media_root = var_dir / "media"
    media_root.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CLIPCAT_VAR_DIR": str(var_dir),
        "DJANGO_MEDIA_ROOT": str(media_root),
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_TASK_ALWAYS_EAGER": "0",
        "CLIPCAT_PROCESS_INLINE": "0",
        "PYTHONUNBUFFERED": "1",
        # The exported ONNX backbone depends only on the weights: share it between runs (var/ is git-ignored).
        "CLIPCAT_ONNX_DIR": str(ROOT / "var" / "test-onnx"),
        "CLIPCAT_TRAIN_EPOCHS": os.environ.get("CLIPCAT_TRAIN_EPOCHS", "12"),
        # The test worlds hold dozens of clips, so their test splits are small: promote from 4 test clips
        # (tests/classifier/test_promotion.py checks the real minimum).
        "CLIPCAT_MIN_TEST_CLIPS": os.environ.get("CLIPCAT_MIN_TEST_CLIPS", "4"),
    }
    saved_options = dict(app.conf.broker_transport_options or {})
    if settings.CELERY_BROKER_URL.startswith("filesystem"):
        broker_dir, processed = var_dir / "celery" / "broker", var_dir / "celery" / "processed"
        for folder in (broker_dir, processed):
            folder.mkdir(parents=True, exist_ok=True)
        options = {
            **saved_options,
            "data_folder_in": str(broker_dir),
            "data_folder_out": str(broker_dir),
            "processed_folder": str(processed),
        }
    else:  # a key prefix of our own keeps concurrent test sessions on one Redis database apart
        env["CELERY_BROKER_KEY_PREFIX"] = f"clipcat-test-{os.getpid()}:"
        options = {**saved_options, "global_keyprefix": env["CELERY_BROKER_KEY_PREFIX"]}
    _use_transport_options(app, options)
    _purge(app)
    media = override_settings(MEDIA_ROOT=str(media_root), CLIPCAT_PROCESS_INLINE=False, CELERY_TASK_ALWAYS_EAGER=False)
    media.enable()
    command = [
        str(Path(sys.executable).with_name("celery")),
        *("-A", "config", "worker", "-Q", ",".join(QUEUES), "-c", "1"),
        *("--without-gossip", "--without-mingle", "-l", "info", "-n", f"test-{os.getpid()}@%h"),
    ]
    process = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    )
    worker = LiveWorker(process)
    worker.env = env  # so a test can start a second worker on the same database, broker and folders
    try:
        worker.wait_ready()
        yield worker
    finally:
        worker.stop()
        media.disable()
        _use_transport_options(app, saved_options)
