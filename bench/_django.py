"""Set up Django for a benchmark script: a throwaway database (a temporary SQLite file, or a fresh
PostgreSQL database when DATABASE_URL points at one), migrated, and removed at the end."""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup(name: str) -> str:
    """Point Django at a scratch database named after the benchmark; return a description of it."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    scratch = tempfile.mkdtemp(prefix=f"clipcat-bench-{name}-")
    os.environ.setdefault("CLIPCAT_VAR_DIR", scratch)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _, _ = url.rpartition("/")
        os.environ["DATABASE_URL"] = f"{base}/clipcat_bench_{name}"
        _recreate_postgres(base, f"clipcat_bench_{name}")
    else:
        os.environ["DATABASE_URL"] = f"sqlite:///{scratch}/bench.sqlite3"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.db import connection

    return f"{connection.vendor} ({connection.settings_dict['NAME']})"


def _recreate_postgres(base: str, dbname: str) -> None:
    import psycopg2

    dsn = base.replace("postgres://", "postgresql://") + "/postgres"
    conn = psycopg2.connect(dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        cur.execute(f'CREATE DATABASE "{dbname}"')
    conn.close()

    def drop() -> None:
        from django.db import connections

        connections.close_all()
        conn = psycopg2.connect(dsn)
        conn.autocommit = True
        with conn.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{dbname}"')
        conn.close()

    atexit.register(drop)
