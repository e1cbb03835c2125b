"""The database: DATABASE_URL (PostgreSQL in production), SQLite under var/ by default."""

from config.env import database_from_url, env_bool, env_str

from .base import BASE_DIR, VAR_DIR

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'clipcat.sqlite3'}")
DATABASES = {"default": database_from_url(DATABASE_URL, BASE_DIR)}

if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # The embedded setup keeps its database, broker queue and media under var/; make sure it exists.
    VAR_DIR.mkdir(parents=True, exist_ok=True)

# The labeling hot path prepares its statements once per PostgreSQL connection (core/prepared.py). Turn
# off behind a connection pooler in transaction mode (pgbouncer), which does not keep them.
CLIPCAT_PREPARED_STATEMENTS = env_bool("CLIPCAT_PREPARED_STATEMENTS", True)
# "Next clip" and "submit" take the fast lane on PostgreSQL (annotation/services/fast_lane.py); off, the
# reference services do everything (bench/annotate.py measures both).
CLIPCAT_LABELING_FAST_LANE = env_bool("CLIPCAT_LABELING_FAST_LANE", True)
