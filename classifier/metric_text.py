"""Model metrics as people read them: the figure, its 95% interval and the number of test clips, and
"not yet meaningful" below CLIPCAT_MIN_TEST_CLIPS. Used by run logs, management commands and the
`{% metric %}` template tag (classifier/templatetags/metrics.py)."""

from __future__ import annotations


def metric_parts(metrics: dict | None, key: str) -> dict | None:
    """{"value", "low", "high", "n", "meaningful"} of one stored metric, or None when it is absent."""
    metrics = metrics or {}
    value = metrics.get(key)
    if not isinstance(value, int | float):
        return None
    low, high = (metrics.get("intervals") or {}).get(key) or (None, None)
    n = int(metrics.get("count") or 0)
    meaningful = bool(metrics.get("meaningful", False))
    return {"value": float(value), "low": low, "high": high, "n": n, "meaningful": meaningful}


def metric_text(metrics: dict | None, key: str) -> str:
    """ "0.712 (95% 0.60–0.80, n=52)", with ", not yet meaningful" below the minimum; "–" when absent."""
    parts = metric_parts(metrics, key)
    if parts is None:
        return "–"
    interval = f"95% {parts['low']:.2f}–{parts['high']:.2f}, " if parts["low"] is not None else ""
    note = "" if parts["meaningful"] else ", not yet meaningful"
    return f"{parts['value']:.3f} ({interval}n={parts['n']}{note})"
