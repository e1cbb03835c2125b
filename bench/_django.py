"""Set up Django for a benchmark script: a throwaway database (a temporary SQLite file, or a fresh
PostgreSQL database when DATABASE_URL points at one), migrated, and removed at the end."""

from __future__ import annotations

import atexit
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def scratch_database_name(url: str, name: str) -> str:
    """The scratch database of benchmark `name` for DATABASE_URL `url`: named after the URL's own database
    (`.../clipcat` -> `clipcat_bench_annotate`), so benchmarks pointed at different databases of one
    server never share a scratch database."""
    own = url.rpartition("/")[2].split("?")[0] or "clipcat"
    return f"{own}_bench_{name}"


def setup(name: str, database: str | None = None) -> str:
    """Point Django at a scratch database named after the benchmark (or `database`, on PostgreSQL);
    return a description of it. A scratch database that another run is using is refused, not dropped."""
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    scratch = tempfile.mkdtemp(prefix=f"clipcat-bench-{name}-")
    os.environ.setdefault("CLIPCAT_VAR_DIR", scratch)
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres"):
        base, _, _ = url.rpartition("/")
        dbname = database or scratch_database_name(url, name)
        _recreate_postgres(base, dbname)
        os.environ["DATABASE_URL"] = f"{base}/{dbname}"
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
        cur.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [dbname])
        if cur.fetchone()[0]:
            conn.close()
            sys.exit(
                f"The scratch database {dbname!r} is in use (another benchmark run?). Point DATABASE_URL at "
                f"another database or pass --database NAME."
            )
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
