"""Dashboards: what counts as a confident cold-start category, and how soon it must come."""

from config.env import env_int, env_str

# A new clip is covered when a prediction at least this confident exists within CLIPCAT_COLD_START_MINUTES.
CLIPCAT_COLD_START_CONFIDENCE = float(env_str("CLIPCAT_COLD_START_CONFIDENCE", "0.6"))
CLIPCAT_COLD_START_MINUTES = env_int("CLIPCAT_COLD_START_MINUTES", 10)
