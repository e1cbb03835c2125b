"""Model metrics as people read them: the figure, its 95% interval and the number of test clips, and a
plain "not yet meaningful" below CLIPCAT_MIN_TEST_CLIPS. `metric_text` is also used in run logs and
management commands; `{% metric v.metrics "hit_at_1" %}` renders the same on pages."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

register = template.Library()


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
    """"0.712 (95% 0.60–0.80, n=52)", with ", not yet meaningful" below the minimum; "–" when absent."""
    parts = metric_parts(metrics, key)
    if parts is None:
        return "–"
    interval = f"95% {parts['low']:.2f}–{parts['high']:.2f}, " if parts["low"] is not None else ""
    note = "" if parts["meaningful"] else ", not yet meaningful"
    return f"{parts['value']:.3f} ({interval}n={parts['n']}{note})"


@register.simple_tag
def metric(metrics: dict | None, key: str):
    """A metric cell: the figure, then its interval and n in small print; muted when not yet meaningful."""
    parts = metric_parts(metrics, key)
    if parts is None:
        return "–"
    interval = (
        format_html("95% {}–{}, ", f"{parts['low']:.2f}", f"{parts['high']:.2f}") if parts["low"] is not None else ""
    )
    if parts["meaningful"]:
        return format_html(
            '<span class="metric">{}</span> <span class="muted small">({}n={})</span>',
            f"{parts['value']:.3f}",
            interval,
            parts["n"],
        )
    return format_html(
        '<span class="metric muted" title="Fewer test clips than the minimum: not yet meaningful">{}</span> '
        '<span class="muted small">({}n={}, not yet meaningful)</span>',
        f"{parts['value']:.3f}",
        interval,
        parts["n"],
    )


@register.simple_tag
def version_metric(row: dict, key: str):
    """`metric` for a dashboards.selectors.model_versions row (metrics, intervals and meaningful apart)."""
    stored = {**row.get("metrics", {}), "intervals": row.get("intervals", {}), "meaningful": row.get("meaningful")}
    stored["count"] = row.get("eval_count", 0)
    return metric(stored, key)
