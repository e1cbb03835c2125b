"""The processes bench/faults.py runs and breaks: gunicorn and one Celery worker (subprocesses it owns), and
the machine's Redis and PostgreSQL (restarted with the commands the issue gives)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

from _django import ROOT
from _load import gunicorn_start, wait_port, worker_pids

QUEUES = "default,media,inference,training"


class Services:
    """The machine's Redis and PostgreSQL, restarted with the commands of the issue. The defaults are the
    shared ones (Redis on 6379, cluster "main"); a private Redis port or cluster lets the script be tried
    without disturbing anyone."""

    def __init__(self, dsn: str, redis_port: int = 6379, pg_cluster: str = "main"):
        self.dsn, self.redis_port, self.pg_cluster = dsn, redis_port, pg_cluster
        self.pg_version = sorted(os.listdir("/etc/postgresql"))[-1]

    def _redis_cli(self, *command: str) -> str:
        cli = ["redis-cli", "-h", "127.0.0.1", "-p", str(self.redis_port), *command]
        return subprocess.run(cli, capture_output=True, text=True).stdout.strip()

    def _redis_start(self) -> None:
        log = "ci.log" if self.redis_port == 6379 else f"faults-{self.redis_port}.log"
        subprocess.run(
            [
                "redis-server",
                *("--daemonize", "yes", "--bind", "127.0.0.1", "-::1", "--port", str(self.redis_port)),
                *("--save", "", "--appendonly", "no", "--dir", "/var/lib/redis", "--logfile", f"/var/log/redis/{log}"),
            ],
            check=True,
            capture_output=True,
        )

    def _pg_ctlcluster(self, action: str, check: bool = True) -> None:
        command = ["pg_ctlcluster", "--skip-systemctl-redirect", self.pg_version, self.pg_cluster, action]
        subprocess.run(command, check=check, capture_output=True)

    def redis_ping(self) -> bool:
        return self._redis_cli("ping") == "PONG"

    def redis_restart(self, timeout: float = 30) -> float:
        """Shut Redis down without saving (every queued message is lost) and start it again; returns the
        seconds until it answers."""
        t0 = time.monotonic()
        self._redis_cli("shutdown", "nosave")
        while self.redis_ping() and time.monotonic() - t0 < timeout:
            time.sleep(0.1)
        self._redis_start()
        while not self.redis_ping():
            if time.monotonic() - t0 > timeout:
                raise RuntimeError("Redis did not come back")
            time.sleep(0.1)
        return time.monotonic() - t0

    def postgres_accepts(self) -> bool:
        import psycopg2

        try:
            psycopg2.connect(self.dsn, connect_timeout=2).close()
            return True
        except psycopg2.OperationalError:
            return False

    def postgres_restart(self, timeout: float = 60) -> float:
        """pg_ctlcluster restart (every connection is cut); returns the seconds until it accepts again."""
        t0 = time.monotonic()
        self._pg_ctlcluster("restart")
        while not self.postgres_accepts():
            if time.monotonic() - t0 > timeout:
                raise RuntimeError("PostgreSQL did not come back")
            time.sleep(0.2)
        return time.monotonic() - t0

    def ensure_up(self) -> list[str]:
        """Start Redis or PostgreSQL again where a fault that went wrong left one down; says what it did."""
        done = []
        if not self.redis_ping():
            self._redis_start()
            done.append(f"Redis was down: started it ({'answers' if self.redis_ping() else 'still down'})")
        if not self.postgres_accepts():
            self._pg_ctlcluster("start", check=False)
            time.sleep(2)
            done.append(f"PostgreSQL was down: started it ({'accepts' if self.postgres_accepts() else 'still down'})")
        return done


class Stack:
    """gunicorn (N gthread workers x 4 threads) and one Celery worker on every queue, with a shared env.

    The Celery worker runs in its own session, so a SIGKILL to its process group takes the pool child
    with it, as when a machine dies or the OOM killer strikes.
    """

    def __init__(self, env: dict, logs: Path, web_workers: int = 3):
        self.env, self.logs, self.web_workers = env, logs, web_workers
        self.port = 0
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None
        self.worker_log: Path | None = None
        self.workers_started = 0

    def start(self, port: int) -> None:
        self.port = port
        self.web = gunicorn_start(port, self.web_workers, self.env, log=self.logs / "gunicorn.log")
        if not wait_port(port, timeout=60):
            raise RuntimeError("gunicorn did not start")
        self.worker_start()

    # -- gunicorn -----------------------------------------------------------------------------------
    def web_pids(self) -> list[int]:
        return worker_pids(self.web.pid)

    def web_worker_kill(self) -> int:
        victim = self.web_pids()[0]
        os.kill(victim, signal.SIGKILL)
        return victim

    def web_wait_full(self, gone: int, timeout: float = 60) -> bool:
        """True once the master runs its full number of workers again, `gone` not among them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pids = self.web_pids()
            if len(pids) == self.web_workers and gone not in pids:
                return True
            time.sleep(0.1)
        return False

    # -- Celery -------------------------------------------------------------------------------------
    def worker_start(self, timeout: float = 120) -> float:
        """Start a worker and wait until it says it is ready; returns the seconds that took."""
        t0 = time.monotonic()
        self.workers_started += 1
        self.worker_log = self.logs / f"worker-{self.workers_started}.log"
        command = [
            str(ROOT / ".venv" / "bin" / "celery"),
            *("-A", "config", "worker", "-Q", QUEUES, "-c", "1", "--without-gossip", "--without-mingle"),
            *("-l", "info", "-n", f"faults-{os.getpid()}-{self.workers_started}@%h"),
        ]
        with self.worker_log.open("w") as log:
            self.worker = subprocess.Popen(
                command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
        while " ready." not in self.worker_log.read_text(errors="replace"):
            if self.worker.poll() is not None or time.monotonic() - t0 > timeout:
                raise RuntimeError(f"the Celery worker did not start; see {self.worker_log}")
            time.sleep(0.2)
        return time.monotonic() - t0

    def worker_kill(self) -> None:
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait(timeout=30)

    def web_log_errors(self) -> list[str]:
        """gunicorn's log lines for requests answered 500, and for workers it had to replace."""
        lines = (self.logs / "gunicorn.log").read_text(errors="replace").splitlines()
        return [line.strip()[:200] for line in lines if "Internal Server Error" in line or "[ERROR] Worker" in line]

    def worker_log_errors(self) -> list[str]:
        """Lines of every worker log that report a task failure or a traceback."""
        found = []
        for path in sorted(self.logs.glob("worker-*.log")):
            for line in path.read_text(errors="replace").splitlines():
                if "Traceback" in line or "] ERROR/" in line or "raised unexpected" in line:
                    found.append(f"{path.name}: {line.strip()[:200]}")
        return found

    def stop(self) -> None:
        if self.worker is not None and self.worker.poll() is None:
            os.killpg(self.worker.pid, signal.SIGTERM)
            try:
                self.worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.worker.pid, signal.SIGKILL)
        if self.web is not None and self.web.poll() is None:
            self.web.terminate()
            self.web.wait(timeout=30)
