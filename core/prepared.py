"""Prepared statements for the few queries every labeling request runs.

On PostgreSQL a statement is prepared once per database connection (PREPARE) and then only executed
(EXECUTE), so the server neither parses nor plans it again: on this project's hot path that halves the
database's work per request. On SQLite the statement runs as it is (its driver caches compiled statements
itself).

SQL is written once with `%s` placeholders, as for `cursor.execute`; the PostgreSQL form numbers them.
Connection poolers in transaction mode (pgbouncer) do not keep prepared statements between transactions:
set CLIPCAT_PREPARED_STATEMENTS=false behind one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from django.conf import settings
from django.db import connection

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Statement:
    """One SQL statement, with the PostgreSQL types of its parameters in order."""

    def __init__(
        self, name: str, sql: str, types: Sequence[str] | dict[str, str] = (), *, sqlite_sql: str | None = None
    ):
        """`types`: a list for `%s` placeholders (one per placeholder, in order), or a dict name -> type for
        `%(name)s` placeholders (a name may appear several times; execute() then takes a dict)."""
        if not _NAME.match(name):
            raise ValueError(f"Statement name {name!r}: lower case letters, digits and _ only.")
        self.name, self.sql, self.types = f"clipcat_{name}", sql, types
        self.sqlite_sql = sqlite_sql or sql  # where the dialects differ (string_agg is group_concat)
        if isinstance(types, dict):
            used = set(re.findall(r"%\((\w+)\)s", sql))
            if used != set(types):
                raise ValueError(f"Statement {name}: parameters {sorted(used)} but types for {sorted(types)}.")
            numbered = sql
            for number, key in enumerate(types, 1):
                numbered = numbered.replace(f"%({key})s", f"${number}")
            arguments = ", ".join(f"%({key})s" for key in types)
        else:
            count = sql.count("%s")
            if count != len(types):
                raise ValueError(f"Statement {name}: {count} placeholders but {len(types)} parameter types.")
            parts, n = [], 0
            for i, part in enumerate(sql.split("%s")):
                parts.append(part if i == 0 else f"${(n := n + 1)}{part}")
            numbered, arguments = "".join(parts), ", ".join(["%s"] * len(types))
        typed = f" ({', '.join(types.values() if isinstance(types, dict) else types)})" if types else ""
        self._prepare = f"PREPARE {self.name}{typed} AS {numbered}"
        self._execute = f"EXECUTE {self.name}" + (f" ({arguments})" if types else "")

    def __repr__(self) -> str:
        return f"<Statement {self.name}>"

    def execute(self, cursor, params: Sequence | Mapping = ()):
        """Run on `cursor` (from django.db.connection) and return it, to fetch rows from."""
        if connection.vendor != "postgresql":
            cursor.execute(self.sqlite_sql, params)
            return cursor
        if not settings.CLIPCAT_PREPARED_STATEMENTS:
            cursor.execute(self.sql, params)
            return cursor
        prepared = _prepared_on_this_connection()
        if self.name not in prepared:
            cursor.execute(self._prepare)
            prepared.add(self.name)  # only once PREPARE succeeded
        cursor.execute(self._execute, params)
        return cursor

    def run(self, params: Sequence | Mapping = ()) -> int:
        """Execute a write; the number of rows it changed."""
        with connection.cursor() as cursor:
            return self.execute(cursor, params).rowcount

    def rows(self, params: Sequence | Mapping = ()) -> list[tuple]:
        with connection.cursor() as cursor:
            return self.execute(cursor, params).fetchall()

    def row(self, params: Sequence | Mapping = ()) -> tuple | None:
        with connection.cursor() as cursor:
            return self.execute(cursor, params).fetchone()


def _prepared_on_this_connection() -> set[str]:
    """Names prepared on the current database session; a new session (reconnect) starts empty."""
    connection.ensure_connection()
    session = connection.connection
    known = getattr(connection, "_clipcat_prepared", None)
    if known is None or known[0] is not session:
        known = (session, set())
        connection._clipcat_prepared = known
    return known[1]
