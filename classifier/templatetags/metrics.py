"""`{% metric v.metrics "hit_at_1" %}`: a metric with its 95% interval and n on pages, as
classifier.metric_text writes it in logs and commands."""

from __future__ import annotations

from django import template
from django.utils.html import format_html

from classifier.metric_text import metric_parts

register = template.Library()


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
