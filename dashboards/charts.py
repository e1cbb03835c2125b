"""Charts drawn on the server as SVG: no JavaScript library, nothing fetched from the internet.

Each function takes plain data and returns a safe SVG string with a <title> and <desc> (read by screen
readers), text labels on the chart itself, and a <title> on every mark so hovering shows its value. Every
piece of text goes through `esc` (category and user names are typed by people). Widths are in viewBox
units; the SVG scales to its container.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import date
from html import escape

from django.utils.safestring import SafeString, mark_safe

# Lines differ by dash as well as colour, so overlapping series and colour-blind readers still tell them apart.
DASHES = ("", ' stroke-dasharray="7 3"', ' stroke-dasharray="2 3"', ' stroke-dasharray="9 3 2 3"')
PALETTE = ("#3559e0", "#e07b00", "#1b9e77", "#c2362f", "#7b4fc9", "#8c6d31", "#d45a9b", "#5b6b82")
FG, MUTED, GRID, EMPTY_CELL = "#1d2433", "#6b7385", "#e6e9ef", "#f5f6f8"
CHAR_W = 7.0  # average width of a 12px system-ui character, for sizing label columns
FONT = 'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" font-size="12"'


def esc(value) -> str:
    """Text and attribute values for SVG (XML): &, <, >, and both quotes escaped."""
    return escape(str(value), quote=True)


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def number(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{value:,.0f}" if float(value).is_integer() or abs(value) >= 100 else f"{value:,.2f}"


def clip_text(text: str, chars: int) -> str:
    text = str(text)
    return text if len(text) <= chars else text[: max(1, chars - 1)].rstrip() + "…"


def short_label(text: str, chars: int, sep: str = " > ") -> str:
    """A category path shortened to `chars` by dropping its upper levels first ("… > Leaf"), so the leaf, the
    part that tells categories apart, stays whole when it can; other text is cut at the end."""
    text = str(text)
    if len(text) <= chars or sep not in text:
        return clip_text(text, chars)
    parts = text.split(sep)
    for k in range(1, len(parts)):
        candidate = "…" + sep + sep.join(parts[k:])
        if len(candidate) <= chars:
            return candidate
    return clip_text(parts[-1], chars)


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """Round tick values from 0 to at least `top` (steps of 1, 2 or 5 times a power of ten)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks, value = [], 0.0
    while value < top - 1e-9:
        ticks.append(round(value, 10))
        value += step
    ticks.append(round(value, 10))
    return ticks


def _svg(chart_id: str, width: float, height: float, title: str, desc: str, body: list[str]) -> SafeString:
    cid = esc(chart_id)
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" viewBox="0 0 {width:.0f} {height:.0f}" '
        f'width="100%" role="img" aria-labelledby="{cid}-title {cid}-desc" {FONT} fill="{FG}">'
        f'<title id="{cid}-title">{esc(title)}</title><desc id="{cid}-desc">{esc(desc)}</desc>'
    )
    return mark_safe(head + "".join(body) + "</svg>")  # noqa: S308 (every text above went through esc)


def empty(chart_id: str, title: str, message: str, width: float = 560) -> SafeString:
    """A chart with nothing to draw yet: says so, and why, instead of empty axes."""
    return _svg(
        chart_id,
        width,
        90,
        title,
        message,
        [
            f'<rect x="0.5" y="0.5" width="{width - 1:.0f}" height="89" rx="6" fill="{EMPTY_CELL}" stroke="{GRID}"/>',
            f'<text x="{width / 2:.0f}" y="50" text-anchor="middle" fill="{MUTED}" class="empty">{esc(message)}</text>',
        ],
    )


def _legend(names: Sequence[str], x: float, y: float) -> list[str]:
    parts, cursor = [], x
    for i, name in enumerate(names):
        color = PALETTE[i % len(PALETTE)]
        parts.append(f'<rect x="{cursor:.1f}" y="{y - 9:.1f}" width="10" height="10" rx="2" fill="{color}"/>')
        parts.append(f'<text x="{cursor + 14:.1f}" y="{y:.1f}">{esc(name)}</text>')
        cursor += 14 + len(name) * CHAR_W + 16
    return parts


def bar_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    stacked: bool = False,
    max_value: float | None = None,
    fmt: Callable[[float | None], str] = number,
    hover: Sequence[str] | None = None,
    width: float = 560,
    label_chars: int = 34,
    empty_message: str = "No data yet.",
) -> SafeString:
    """Horizontal bars, one row per label: one bar per series side by side (grouped), or one bar of stacked
    segments. Values are written after each bar; hovering a bar shows its label, series and value.

    Args:
        labels: the row names (long ones are shortened on the chart, whole on hover).
        series: (name, one value per label) pairs; None means "no value" (no bar, a dash).
        stacked: stack the series in one bar per row (their total is written after it).
        max_value: the axis' end (say 1.0 for shares); default: the largest bar, rounded up.
        hover: one extra line per row for the hover text.
    """
    if not labels:
        return empty(chart_id, title, empty_message, width)
    names = [name for name, _ in series]
    label_w = min(label_chars, max(len(str(s)) for s in labels)) * CHAR_W + 12
    value_w = 64 if not stacked else 56
    plot_x, plot_w = label_w, width - label_w - value_w
    band = 8 if len(series) > 1 and not stacked else 0
    bar_h = 16 if stacked or len(series) == 1 else 11
    row_h = (bar_h if stacked else bar_h * len(series)) + 9 + band
    legend_h = 22 if len(series) > 1 else 0
    top = legend_h + 20
    height = top + row_h * len(labels) + 8
    totals = [sum(v or 0 for _, vals in series for v in [vals[i]]) for i in range(len(labels))]
    largest = max_value or max([*(totals if stacked else [v or 0 for _, vals in series for v in vals]), 0]) or 1
    ticks = nice_ticks(largest) if max_value is None else nice_ticks(max_value, 4)
    scale = plot_w / ticks[-1]
    body = _legend(names, plot_x, 12) if legend_h else []
    for t in ticks:
        x = plot_x + t * scale
        body.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 6:.0f}" stroke="{GRID}"/>')
        body.append(
            f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" fill="{MUTED}" font-size="10">{esc(fmt(t))}</text>'
        )
    for i, label in enumerate(labels):
        y = top + i * row_h + 4
        mid = y + (bar_h if stacked else bar_h * len(series)) / 2 + 4
        extra = f"\n{hover[i]}" if hover else ""
        body.append(f'<text x="{plot_x - 8:.1f}" y="{mid:.1f}" text-anchor="end"><title>{esc(label)}</title>')
        body.append(f"{esc(short_label(label, label_chars))}</text>")
        cursor = plot_x
        for j, (name, values) in enumerate(series):
            value = values[i]
            color = PALETTE[j % len(PALETTE)]
            tip = esc(f"{label}{' — ' + name if len(series) > 1 else ''}: {fmt(value)}{extra}")
            by = y if stacked else y + j * bar_h
            w = (value or 0) * scale
            x = cursor if stacked else plot_x
            body.append(
                f'<rect x="{x:.1f}" y="{by:.1f}" width="{max(w, 0):.1f}" height="{bar_h - 2}" rx="2" fill="{color}">'
                f"<title>{tip}</title></rect>"
            )
            if stacked:
                cursor += w
            else:
                body.append(
                    f'<text x="{x + w + 4:.1f}" y="{by + bar_h - 4:.1f}" fill="{MUTED}" font-size="11">'
                    f"{esc(fmt(value))}</text>"
                )
        if stacked:
            body.append(
                f'<text x="{cursor + 4:.1f}" y="{mid:.1f}" fill="{MUTED}" font-size="11">{esc(fmt(totals[i]))}</text>'
            )
    return _svg(chart_id, width, height, title, desc, body)


def _short_date(value: str) -> str:
    d = date.fromisoformat(value)
    return f"{d:%b} {d.day}"


def line_chart(
    *,
    chart_id: str,
    title: str,
    desc: str,
    x: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    max_value: float | None = None,
    fmt: Callable[[float | None], str] = number,
    x_format: Callable[[str], str] = _short_date,
    notes: Sequence[str] | None = None,
    width: float = 560,
    height: float = 240,
    empty_message: str = "No data yet.",
) -> SafeString:
    """A time series per series name over the points `x` (ISO dates), with axes, ticks and a legend; a None
    value breaks the line. Every point is a dot whose hover text gives the series, date and value (and
    `notes[i]`, a line about that point, when given)."""
    values = [v for _, vals in series for v in vals if v is not None]
    if not x or not values:
        return empty(chart_id, title, empty_message, width)
    left, right, top, bottom = 46, 14, 30, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    ticks = nice_ticks(max_value if max_value is not None else max(values), 4)
    y_of = lambda v: top + plot_h - v / ticks[-1] * plot_h  # noqa: E731
    step = plot_w / max(1, len(x) - 1)
    x_of = lambda i: left + (i * step if len(x) > 1 else plot_w / 2)  # noqa: E731
    body = _legend([name for name, _ in series], left, 14)
    for t in ticks:
        y = y_of(t)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right:.0f}" y2="{y:.1f}" stroke="{GRID}"/>')
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{MUTED}" font-size="10">{esc(fmt(t))}</text>'
        )
    body.append(
        f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right:.0f}" y2="{top + plot_h}" stroke="{MUTED}"/>'
    )
    every = max(1, math.ceil(len(x) / max(1, plot_w // 70)))
    for i, value in enumerate(x):
        if i % every == 0 or i == len(x) - 1 and len(x) <= 12:
            px, text = x_of(i), x_format(value)
            half = len(text) * CHAR_W * 0.42
            anchor = "end" if px + half > width - 2 else "start" if px - half < 2 else "middle"
            body.append(
                f'<line x1="{px:.1f}" y1="{top + plot_h}" x2="{px:.1f}" y2="{top + plot_h + 4}" stroke="{MUTED}"/>'
            )
            body.append(
                f'<text x="{px:.1f}" y="{top + plot_h + 17}" text-anchor="{anchor}" fill="{MUTED}" font-size="10">'
                f"{esc(text)}</text>"
            )
    for j, (name, vals) in enumerate(series):
        color, dash = PALETTE[j % len(PALETTE)], DASHES[j % len(DASHES)]
        run: list[str] = []
        for i, v in enumerate([*vals, None]):
            if v is not None:
                run.append(f"{x_of(i):.1f},{y_of(v):.1f}")
            elif run:
                if len(run) > 1:
                    body.append(
                        f'<polyline points="{" ".join(run)}" fill="none" stroke="{color}" stroke-width="2"{dash}/>'
                    )
                run = []
        for i, v in enumerate(vals):
            if v is not None:
                tip = esc(f"{name}, {x_format(x[i])}: {fmt(v)}" + (f"\n{notes[i]}" if notes else ""))
                body.append(
                    f'<circle cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3.5" fill="{color}" stroke="#fff">'
                    f"<title>{tip}</title></circle>"
                )
    return _svg(chart_id, width, height, title, desc, body)


def _blend(share: float) -> str:
    """White to the accent blue, by share (0..1)."""
    r0, g0, b0, r1, g1, b1 = 255, 255, 255, 0x1F, 0x3F, 0xB8
    s = max(0.0, min(1.0, share))
    return f"#{round(r0 + (r1 - r0) * s):02x}{round(g0 + (g1 - g0) * s):02x}{round(b0 + (b1 - b0) * s):02x}"


def heatmap(
    *,
    chart_id: str,
    title: str,
    desc: str,
    labels: Sequence[str],
    matrix: Sequence[Sequence[int]],
    row_title: str = "Final label",
    col_title: str = "Model said",
    width: float = 560,
    label_chars: int = 30,
) -> SafeString:
    """A confusion matrix: rows are the truth, columns the prediction; each cell is coloured by its share of
    the row (so every true category reads on the same scale) and shows its count; hover gives both."""
    if not labels or not any(any(row) for row in matrix):
        return empty(chart_id, title, "No predictions of labeled clips yet.", width)
    n = len(labels)
    label_w = min(label_chars, max(len(str(s)) for s in labels)) * CHAR_W + 14
    cell = max(18.0, min(40.0, (width - label_w - 30) / n))
    col_h = min(label_chars, max(len(str(s)) for s in labels)) * CHAR_W * 0.72 + 24
    top, left = col_h + 18, label_w + 18
    grid_w = cell * n
    height = top + grid_w + 52
    body = [
        f'<text x="{left + grid_w / 2:.1f}" y="12" text-anchor="middle" fill="{MUTED}" font-weight="600">'
        f"{esc(col_title)} →</text>",
        f'<text transform="translate(12 {top + grid_w / 2:.1f}) rotate(-90)" text-anchor="middle" fill="{MUTED}" '
        f'font-weight="600">{esc(row_title)} →</text>',
    ]
    for j, label in enumerate(labels):
        cx = left + j * cell + cell / 2
        body.append(
            f'<text transform="translate({cx + 4:.1f} {top - 6:.1f}) rotate(-45)" font-size="11">'
            f"<title>{esc(label)}</title>{esc(short_label(label, label_chars))}</text>"
        )
    for i, (label, row) in enumerate(zip(labels, matrix, strict=True)):
        y = top + i * cell
        total = sum(row)
        body.append(
            f'<text x="{left - 6:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="end" font-size="11">'
            f"<title>{esc(label)} ({total} labeled)</title>{esc(short_label(label, label_chars))}</text>"
        )
        for j, count in enumerate(row):
            share = count / total if total else 0.0
            fill = _blend(share) if count else EMPTY_CELL
            stroke = ' stroke="#1d2433" stroke-width="1.2"' if i == j else f' stroke="{GRID}"'
            tip = esc(f"final {label} → model {labels[j]}: {count} clip(s), {percent(share)} of the row")
            x = left + j * cell
            body.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{cell:.1f}" height="{cell:.1f}" fill="{fill}"{stroke}>')
            body.append(f"<title>{tip}</title></rect>")
            if count and cell >= 20:
                color = "#fff" if share > 0.5 else FG
                body.append(
                    f'<text x="{x + cell / 2:.1f}" y="{y + cell / 2 + 4:.1f}" text-anchor="middle" font-size="10" '
                    f'fill="{color}" pointer-events="none">{count}</text>'
                )
    # the colour scale
    sy, sx, sw = top + grid_w + 18, left, min(grid_w, 220)
    for k in range(20):
        x = sx + k * sw / 20
        body.append(f'<rect x="{x:.1f}" y="{sy}" width="{sw / 20 + 0.5:.1f}" height="10" fill="{_blend(k / 19)}"/>')
    body.append(f'<text x="{sx}" y="{sy + 24}" fill="{MUTED}" font-size="10">0%</text>')
    body.append(f'<text x="{sx + sw:.1f}" y="{sy + 24}" text-anchor="end" fill="{MUTED}" font-size="10">100%</text>')
    body.append(f'<text x="{sx + sw + 10:.1f}" y="{sy + 9}" fill="{MUTED}" font-size="10">share of the row</text>')
    return _svg(chart_id, max(width, left + grid_w + 10), height, title, desc, body)


def small_multiples(
    *,
    chart_id: str,
    title: str,
    desc: str,
    x: Sequence[str],
    rows: Sequence[tuple[str, Sequence[float], str]],
    width: float = 560,
    name_chars: int = 18,
    x_format: Callable[[str], str] = _short_date,
    empty_message: str = "No data yet.",
) -> SafeString:
    """One sparkline per row on a shared scale (name, values over `x`, a summary written on the right), so
    rows compare at a glance; the first and last dates are written under the last row."""
    if not rows or not x:
        return empty(chart_id, title, empty_message, width)
    name_w, row_h = min(name_chars, max(len(name) for name, _, _ in rows)) * CHAR_W + 12, 30
    summary_w = max(len(summary) for _, _, summary in rows) * CHAR_W * 0.95 + 12
    spark_x, spark_w = name_w, width - name_w - summary_w - 10
    top = max((max(vals) if vals else 0) for _, vals, _ in rows) or 1
    step = spark_w / max(1, len(x) - 1)
    body = []
    for i, (name, vals, summary) in enumerate(rows):
        y0 = 6 + i * row_h
        base = y0 + row_h - 8
        body.append(f'<line x1="{spark_x}" y1="{base}" x2="{spark_x + spark_w:.1f}" y2="{base}" stroke="{GRID}"/>')
        body.append(f'<text x="0" y="{base - 4}"><title>{esc(name)}</title>{esc(clip_text(name, name_chars))}</text>')
        points = [(spark_x + k * step, base - (v / top) * (row_h - 12)) for k, v in enumerate(vals)]
        color = PALETTE[0]
        if len(points) > 1:
            area = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
            body.append(
                f'<polygon points="{spark_x:.1f},{base} {area} {points[-1][0]:.1f},{base}" fill="{color}" '
                'fill-opacity="0.15"/>'
            )
            body.append(f'<polyline points="{area}" fill="none" stroke="{color}" stroke-width="1.5"/>')
        for k, (px, py) in enumerate(points):
            if vals[k]:
                tip = esc(f"{name}, {x_format(x[k])}: {number(vals[k])}")
                body.append(f'<circle cx="{px:.1f}" cy="{py:.1f}" r="2.2" fill="{color}"><title>{tip}</title></circle>')
        body.append(f'<text x="{width - summary_w:.0f}" y="{base - 4}" fill="{MUTED}">{esc(summary)}</text>')
    foot = 6 + len(rows) * row_h + 10
    body.append(f'<text x="{spark_x}" y="{foot}" fill="{MUTED}" font-size="10">{esc(x_format(x[0]))}</text>')
    body.append(
        f'<text x="{spark_x + spark_w:.1f}" y="{foot}" text-anchor="end" fill="{MUTED}" font-size="10">'
        f"{esc(x_format(x[-1]))}</text>"
    )
    return _svg(chart_id, width, foot + 6, title, desc, body)
