"""Charts as inline SVG, drawn on the server: stacked bars, lines and horizontal bars.

The pages work offline and without a build step, so there is no chart library: these functions
lay the figures out and return SVG inside a ``<figure>``. Every text (labels, tooltips, links)
goes through ``format_html``, so a topic called ``<script>`` is shown, not run. A bar or point
with an ``href`` is a link (to the contacts behind it); its ``<title>`` is the tooltip.
Colours come from the CSS classes ``s-<key>`` in ``static/reporting/reports.css``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

WIDTH = 960
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 14, 30
MAX_X_LABELS = 12


@dataclass(frozen=True)
class Series:
    """One kind of value in a chart; ``key`` names its CSS class (``s-<key>``)."""

    key: str
    label: str


@dataclass(frozen=True)
class Point:
    """The values of every series at one x position (a bucket), with their links.

    ``values``/``hrefs``/``flags`` follow the order of the series; ``title`` starts the
    tooltip (e.g. the bucket's time); a flagged point gets a marker (an unusual rise).
    """

    label: str
    title: str
    values: tuple[float | None, ...]
    hrefs: tuple[str | None, ...] = ()
    flags: tuple[bool, ...] = ()

    def href(self, index: int) -> str | None:
        return self.hrefs[index] if index < len(self.hrefs) else None

    def flagged(self, index: int) -> bool:
        return index < len(self.flags) and self.flags[index]


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ that is ≥ ``value`` (1 for nothing), for the y axis."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-12):
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _join(parts: Sequence[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _number(value: float) -> str:
    # SVG coordinates: a dot as decimal separator whatever the language, two decimals
    return f"{value:.2f}"


def _figure(title: str, series: Sequence[Series], svg: SafeString, css: str) -> SafeString:
    legend = format_html_join(
        "",
        '<li><span class="swatch s-{}"></span>{}</li>',
        ((item.key, item.label) for item in series if item.label),
    )
    return format_html(
        '<figure class="chart {}"><figcaption>{}</figcaption>{}<ul class="legend">{}</ul></figure>',
        css,
        title,
        svg,
        legend,
    )


def _svg(title: str, height: int, body: Sequence[SafeString]) -> SafeString:
    return format_html(
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet">'
        "{}</svg>",
        WIDTH,
        height,
        title,
        _join(body),
    )


def _maybe_link(href: str | None, element: SafeString) -> SafeString:
    if not href:
        return element
    return format_html('<a href="{}">{}</a>', href, element)


def _tick_count(y_max: float) -> int:
    # 2, 4, 20, 40… in quarters, 1, 2.5, 5, 10… in fifths: whole steps on the axis
    leading = y_max / 10 ** math.floor(math.log10(y_max)) if y_max > 0 else 1
    return 4 if round(leading, 6) in (2, 4) else 5


def _y_axis(y_max: float, height: int, fmt: Callable[[float], str]) -> list[SafeString]:
    plot = height - TOP - BOTTOM
    ticks = _tick_count(y_max)
    parts = []
    for step in range(ticks + 1):
        value = y_max * step / ticks
        y = TOP + plot * (1 - step / ticks)
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _number(y),
                _number(y),
                LEFT - 6,
                _number(y + 4),
                fmt(value),
            )
        )
    return parts


def _x_labels(points: Sequence[Point], height: int) -> list[SafeString]:
    if not points:
        return []
    slot = (WIDTH - LEFT - RIGHT) / len(points)
    every = max(1, math.ceil(len(points) / MAX_X_LABELS))
    return [
        format_html(
            '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
            _number(LEFT + slot * (index + 0.5)),
            height - BOTTOM + 16,
            point.label,
        )
        for index, point in enumerate(points)
        if index % every == 0
    ]


def _empty(title: str, message: str) -> SafeString:
    return format_html(
        '<figure class="chart empty"><figcaption>{}</figcaption><p>{}</p></figure>',
        title,
        message,
    )


def stacked_bars(
    title: str,
    series: Sequence[Series],
    points: Sequence[Point],
    *,
    fmt: Callable[[float], str] = lambda value: f"{value:g}",
    height: int = 240,
    top_labels: Sequence[str] | None = None,
    empty: str = "",
) -> SafeString:
    """One bar per point, the series stacked from the bottom (a value ``None`` counts as 0).

    ``top_labels`` (one per point) are written above the bars, for charts with few bars.
    """
    totals = [sum(value or 0 for value in point.values) for point in points]
    if not points or not any(totals):
        return _empty(title, empty)
    y_max = nice_ceiling(max(totals))
    if y_max < 4 and all(float(total).is_integer() for total in totals):
        y_max = 4.0  # whole numbers on the axis for small counts
    plot = height - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(points)
    bar = max(slot * 0.78, 0.6)
    body = _y_axis(y_max, height, fmt)
    for index, point in enumerate(points):
        x = LEFT + slot * index + (slot - bar) / 2
        base = 0.0
        for position, item in enumerate(series):
            value = point.values[position] if position < len(point.values) else None
            if not value:
                continue
            y = TOP + plot * (1 - (base + value) / y_max)
            rect = format_html(
                '<rect class="s-{}" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                item.key,
                _number(x),
                _number(y),
                _number(bar),
                _number(plot * value / y_max),
                f"{point.title} · {item.label}: {fmt(value)}",
            )
            body.append(_maybe_link(point.href(position), rect))
            base += value
        if top_labels is not None and index < len(top_labels) and top_labels[index]:
            body.append(
                format_html(
                    '<text class="value" x="{}" y="{}" text-anchor="middle">{}</text>',
                    _number(x + bar / 2),
                    _number(TOP + plot * (1 - base / y_max) - 4),
                    top_labels[index],
                )
            )
    body.extend(_x_labels(points, height))
    return _figure(title, series, _svg(title, height, body), "bars")


def lines(
    title: str,
    series: Sequence[Series],
    points: Sequence[Point],
    *,
    fmt: Callable[[float], str] = lambda value: f"{value:g}",
    y_max: float | None = None,
    target: float | None = None,
    target_label: str = "",
    height: int = 240,
    empty: str = "",
) -> SafeString:
    """A line per series through the points; ``None`` leaves a gap; flagged points are ringed.

    ``y_max`` fixes the axis (1.0 for fractions); ``target`` draws a dashed horizontal line.
    """
    known = [value for point in points for value in point.values if value is not None]
    if not points or not known:
        return _empty(title, empty)
    top = y_max if y_max is not None else nice_ceiling(max([*known, target or 0]))
    plot = height - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / len(points)
    radius = 3.5 if len(points) <= 60 else 2.0
    body = _y_axis(top, height, fmt)
    if target is not None:
        y = TOP + plot * (1 - target / top)
        body.append(
            format_html(
                '<line class="target" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="target-label" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _number(y),
                _number(y),
                WIDTH - RIGHT - 2,
                _number(y - 4),
                target_label,
            )
        )

    def position(index: int, value: float) -> tuple[float, float]:
        return LEFT + slot * (index + 0.5), TOP + plot * (1 - min(value, top) / top)

    for number, item in enumerate(series):
        run: list[str] = []
        runs: list[list[str]] = []
        for index, point in enumerate(points):
            value = point.values[number] if number < len(point.values) else None
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            x, y = position(index, value)
            run.append(f"{_number(x)},{_number(y)}")
        if run:
            runs.append(run)
        for found in runs:
            body.append(
                format_html('<polyline class="s-{}" points="{}"/>', item.key, " ".join(found))
            )
        for index, point in enumerate(points):
            value = point.values[number] if number < len(point.values) else None
            if value is None:
                continue
            x, y = position(index, value)
            flagged = point.flagged(number)
            dot = format_html(
                '<circle class="s-{}{}" cx="{}" cy="{}" r="{}"><title>{}</title></circle>',
                item.key,
                " flag" if flagged else "",
                _number(x),
                _number(y),
                radius * 2 if flagged else radius,
                f"{point.title} · {item.label}: {fmt(value)}",
            )
            body.append(_maybe_link(point.href(number), dot))
    body.extend(_x_labels(points, height))
    return _figure(title, series, _svg(title, height, body), "lines")


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart: ``value`` sets the length, ``text`` is printed."""

    label: str
    value: float
    text: str
    href: str | None = None


def horizontal_bars(title: str, bars: Sequence[Bar], *, empty: str = "") -> SafeString:
    """One labelled row per bar, longest first as given (e.g. the channel mix)."""
    if not bars or not any(bar.value for bar in bars):
        return _empty(title, empty)
    row, label_width, text_width = 26, 150, 110
    height = row * len(bars) + 8
    longest = max(bar.value for bar in bars)
    span = WIDTH - label_width - text_width
    body = []
    for index, bar in enumerate(bars):
        y = 4 + row * index
        length = max(span * bar.value / longest, 1.0) if bar.value else 0.0
        rect = format_html(
            '<rect class="s-bar" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
            label_width,
            y + 3,
            _number(length),
            row - 8,
            f"{bar.label}: {bar.text}",
        )
        body.append(
            format_html(
                '<text class="label" x="{}" y="{}" text-anchor="end">{}</text>{}'
                '<text class="value" x="{}" y="{}">{}</text>',
                label_width - 8,
                y + row / 2 + 4,
                bar.label,
                _maybe_link(bar.href, rect),
                _number(label_width + length + 6),
                y + row / 2 + 4,
                bar.text,
            )
        )
    return _figure(title, [], _svg(title, height, body), "hbars")
