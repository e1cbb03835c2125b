"""Labeling load at 8/32/64 annotators, faults injected under load, then an exact reconciliation.

Runs against the server as deployed: gunicorn (3 gthread workers x 4 threads), one Celery worker on every
queue (-c 1), PostgreSQL (a scratch database, bench/_django.py) and Redis (its own db number and key
prefix). Needs both: DATABASE_URL=postgres://..., and root for the Redis and PostgreSQL restarts.

Phases, in order, each printing its figures as it goes:
  1. Setup: people, a taxonomy with ~600 labeled clips whose features are cached and a first model v1
     trained and active (bench/loop.py's world), real videos to upload (the test suite's set, broken files
     included, plus four six-minute ones); then gunicorn and the worker start.
  2. Clean load: for each count in --annotators, that many simulated annotators (bench/_annotators.py:
     next + submit over HTTP, retrying like the labeling page) label a project of --clips clips for
     --seconds. No faults: the target is zero errors.
  3. Fault phase: the first count's annotators label another project while, in turn and --gap seconds
     apart, the faults in --faults are injected (bench/_driver.py): `gunicorn` SIGKILLs one gunicorn worker (the master
     starts another); `ingest` uploads the videos through the API and SIGKILLs the Celery worker (its
     whole process group) while it processes one, then starts a new worker; `training` asks for a
     retrain through the API and SIGKILLs the worker in its training stage, then starts a new one;
     `redis` restarts Redis without saving (queued messages are lost); `postgres` restarts PostgreSQL.
     Each fault has a window from its injection to its recovery plus GRACE seconds; errors are counted
     inside and outside the windows. After the Redis and PostgreSQL restarts a probe video is uploaded
     and must become ready (the worker consumes again). The load goes on for --seconds after the last one.
  4. Settle and reconcile: wait (bounded) for uploaded clips to settle, for runs to stop running and for
     leases to pass their expiry; sweep once more; then check exactly (bench/_reconcile.py): every
     accepted label in the database once; no clip over its overlap; no duplicate (clip, person); no
     lease stuck, and taken == live leases + submitted labels for every task; every uploaded clip ready,
     or failed with a reason, none left processing; no training run left running; the active model
     unchanged unless a run completed. Exits 1 when a check fails.

Beat's periodic tasks (clips_requeue_stuck, leases_expire, training_runs_sweep) are not run by a beat
process: beat ticks once a minute. This script calls the same task functions itself every --sweep-every
seconds and once more at the end, with short thresholds (CLIPCAT_STUCK_AFTER_SECONDS, CLIPCAT_RUN_STALE_S)
so that a killed worker's clip or run is found within the run. Automatic retraining is switched off
(CLIPCAT_RETRAIN_EVERY_LABELS) so that the load's labels start no run of their own.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/x .venv/bin/python bench/faults.py \
        [--annotators 8 32 64] [--seconds 20] [--faults gunicorn,ingest,training,redis,postgres]

The `redis` and `postgres` faults restart the machine's shared services (everyone's connections drop).
To try the script without that, give it a Redis and a PostgreSQL cluster of its own: --redis-port 6391
--pg-cluster NAME with DATABASE_URL pointing at that cluster's port (pg_createcluster 15 NAME --port 5441).
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from _annotators import run_annotators, summary, table
from _django import ROOT, setup
from _load import free_port
from _stack import Services, Stack

FAULTS = ("gunicorn", "ingest", "training", "redis", "postgres")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annotators", type=int, nargs="+", default=[8, 32, 64])
    parser.add_argument("--seconds", type=float, default=20.0, help="each clean phase, and the fault phase's tail")
    parser.add_argument("--faults", default=",".join(FAULTS), help=f"comma-separated, from {','.join(FAULTS)}")
    parser.add_argument("--clips", type=int, default=10_000, help="clips of each clean phase's project")
    parser.add_argument("--fault-clips", type=int, default=20_000, help="clips of the fault phase's project")
    parser.add_argument("--overlap", type=int, default=2)
    parser.add_argument("--gap", type=float, default=5.0, help="seconds of plain load between two faults")
    parser.add_argument("--train-clips", type=int, default=600)
    parser.add_argument("--redis-port", type=int, default=6379, help="the Redis that is the broker and is restarted")
    parser.add_argument("--redis-db", type=int, default=12)
    parser.add_argument("--pg-cluster", default="main", help="the PostgreSQL cluster restarted (pg_ctlcluster)")
    parser.add_argument("--sweep-every", type=float, default=5.0)
    parser.add_argument("--stuck-after", type=int, default=30, help="CLIPCAT_STUCK_AFTER_SECONDS")
    parser.add_argument("--stale-after", type=int, default=30, help="CLIPCAT_RUN_STALE_S")
    args = parser.parse_args()
    args.faults = [f for f in args.faults.split(",") if f]
    unknown = set(args.faults) - set(FAULTS)
    if unknown:
        parser.error(f"unknown faults {sorted(unknown)}; choose from {', '.join(FAULTS)}")
    return args


def environment(args: argparse.Namespace) -> None:
    """Settings for this process and its children alike (set before Django starts)."""
    os.environ.update(
        CELERY_BROKER_URL=f"redis://127.0.0.1:{args.redis_port}/{args.redis_db}",
        CELERY_BROKER_KEY_PREFIX=f"clipcat-faults-{os.getpid()}:",
        CLIPCAT_STUCK_AFTER_SECONDS=str(args.stuck_after),
        CLIPCAT_RUN_STALE_S=str(args.stale_after),
        CLIPCAT_RETRAIN_WINDOW_S="0",
        CLIPCAT_RETRAIN_EVERY_LABELS=str(10**9),
        CLIPCAT_FINETUNE_EPOCHS="200",  # the retrain is killed long before; early stopping ends it otherwise
        CLIPCAT_TRAIN_DEVICE="cpu",
        CLIPCAT_PROCESS_INLINE="0",
        CELERY_TASK_ALWAYS_EAGER="0",
        PYTHONUNBUFFERED="1",
    )
    os.environ.setdefault("CLIPCAT_ONNX_DIR", str(ROOT / "var" / "test-onnx"))  # shared with the tests


def main() -> int:
    sys.stdout.reconfigure(line_buffering=True)
    args = arguments()
    url = os.environ.get("DATABASE_URL", "")
    admin_dsn = url.rpartition("/")[0].replace("postgres://", "postgresql://") + "/postgres"
    services = Services(admin_dsn, args.redis_port, args.pg_cluster)
    if not url.startswith("postgres") or not services.redis_ping():
        print(f"bench/faults.py needs PostgreSQL (DATABASE_URL=postgres://...) and Redis on {args.redis_port}; skipped")
        return 0
    environment(args)
    where = setup("faults")
    logging.getLogger("celery").setLevel(logging.WARNING)  # v1's eager tasks would fill the screen
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
        "PYTHONWARNINGS": "ignore:No directory at",  # whitenoise: no collectstatic for a benchmark
    }
    logs = Path(tempfile.mkdtemp(prefix="clipcat-faults-logs-"))
    scratch = Path(os.environ["CLIPCAT_VAR_DIR"])  # media, features and models; the logs are kept
    for folder in [logs / "videos"] + ([scratch] if scratch.name.startswith("clipcat-bench-faults-") else []):
        atexit.register(shutil.rmtree, folder, True)
    print(f"database: {where}; broker: {os.environ['CELERY_BROKER_URL']}; logs and videos: {logs}")
    print(f"faults: {', '.join(args.faults) or 'none'}; annotators: {args.annotators}; {args.seconds:.0f} s per phase")

    from _faults import Sweeper, World, reconcile, settle

    world = World(args, logs)
    stack = Stack(env, logs, web_workers=3)
    sweeper = Sweeper(args.sweep_every)
    try:
        stack.start(free_port())
        print(f"server: gunicorn {stack.web_workers} workers x 4 threads (pid {stack.web.pid}); worker ready")
        sweeper.start()
        phases = [clean_phase(args, world, stack, count) for count in args.annotators]
        if args.faults:
            phases.append(fault_phase(args, world, stack, services))
        settle(args, world, sweeper)
        print("\nper phase:\n" + "\n".join(table(phases)))
        failed = reconcile(world, phases, stack, sweeper)
    finally:
        sweeper.halt()
        stack.stop()
        for line in services.ensure_up():
            print(line)
    print(f"\n{'FAILED: ' + str(failed) + ' check(s)' if failed else 'all checks passed'}")
    return 1 if failed else 0


def clean_phase(args, world, stack: Stack, count: int) -> tuple:
    """`count` annotators for --seconds on a project of their own, no faults."""
    name = f"clean {count}"
    project, tokens = world.phase(count, args.clips, name)
    stop = threading.Event()
    threading.Timer(args.seconds, stop.set).start()
    log = run_annotators(stack.port, project.pk, tokens, world.leaf.pk, stop)
    print("\n" + "\n".join(summary(count, log, [])))
    return name, project.pk, log, []


def fault_phase(args, world, stack: Stack, services: Services) -> tuple:
    """The first count's annotators while the FaultDriver injects every fault, then --seconds more."""
    from _driver import GRACE, FaultDriver

    count = args.annotators[0]
    name = f"faults {count}"
    project, tokens = world.phase(count, args.fault_clips, name)
    driver = FaultDriver(args, world, stack, services)
    stop = threading.Event()
    threading.Thread(target=driver.run_then_stop, args=(stop, args.seconds), daemon=True).start()
    print(f"\nfault phase: {count} annotators; faults in turn, {args.gap:.0f} s apart")
    log = run_annotators(stack.port, project.pk, tokens, world.leaf.pk, stop)
    print("\n" + "\n".join(summary(count, log, driver.windows)))
    print(f"  fault windows (injection to recovery + {GRACE:.0f} s): {driver.describe()}")
    world.uploaded = driver.uploaded
    return name, project.pk, log, driver.windows


if __name__ == "__main__":
    sys.exit(main())
