"""Print shell exports that point the test suite at PostgreSQL and Redis when they answer on this
machine (as in CI), and nothing otherwise, so the suite falls back to the embedded SQLite + filesystem
broker. Variables already set in the environment win."""

import os
import socket


def answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


exports = []
if "DATABASE_URL" not in os.environ and answers("127.0.0.1", 5432):
    exports.append("export DATABASE_URL=postgres://postgres@127.0.0.1:5432/clipcat")
if "CELERY_BROKER_URL" not in os.environ and answers("127.0.0.1", 6379):
    exports.append("export CELERY_BROKER_URL=redis://127.0.0.1:6379/14")
print("; ".join(exports))
