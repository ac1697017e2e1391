"""The planner's charts as inline SVG, drawn on the server: lines, bars, coverage and Gantt.

No chart library and no build step: these functions lay out the planner's figures and return
SVG inside a ``<figure>`` with a legend. Every text goes through ``format_html`` (a queue or an
agent called ``<script>`` is shown, not run). Colours and hatching come from the CSS classes in
``static/wfm/wfm.css``; nothing depends on colour alone: home shifts are hatched *and* carry the
letter of their location, under-staffing is hatched *and* labelled with the number missing, and
every bar and point has a ``<title>`` tooltip.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from symfonie.domain.wfm.schedule_model import clock
from symfonie.wfm.intraday import IntradayRow
from symfonie.wfm.planner import INTERVAL_MINUTES, StaffedForecast
from symfonie.wfm.roster import SCHEDULE_INTERVAL_MINUTES, ScheduleOutcome, ShiftRow

WIDTH = 960
LEFT, RIGHT, TOP, BOTTOM = 52, 16, 14, 30
LABEL_WIDTH = 150  # the agent names of the Gantt charts
ROW_HEIGHT = 20
MAX_X_LABELS = 14


@dataclass(frozen=True)
class Line:
    """A line (``dashed`` for forecasts) or, with ``bars``, a bar per position."""

    key: str
    label: str
    values: Sequence[float | None]
    dashed: bool = False
    bars: bool = False


def nice_ceiling(value: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10ⁿ that is ≥ ``value`` (1 for nothing), for the y axis."""
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value * (1 - 1e-12):
            return float(step * power)
    return float(10 * power)  # pragma: no cover - the loop always returns


def _n(value: float) -> str:
    # SVG coordinates: a dot as decimal separator whatever the language
    return f"{value:.2f}"


def _join(parts: Sequence[SafeString]) -> SafeString:
    return format_html_join("", "{}", ((part,) for part in parts))


def _number(value: float) -> str:
    digits = 0 if float(value).is_integer() else 1
    return formats.number_format(round(value, digits), digits)


def _figure(
    title: str, svg: SafeString, legend: Sequence[tuple[str, str]], css: str = ""
) -> SafeString:
    items = format_html_join(
        "", '<li><span class="swatch {}"></span>{}</li>', ((key, label) for key, label in legend)
    )
    return format_html(
        '<figure class="chart wfm {}"><figcaption>{}</figcaption>{}<ul class="legend">{}</ul>'
        "</figure>",
        css,
        title,
        svg,
        items,
    )


def _svg(title: str, height: float, body: Sequence[SafeString]) -> SafeString:
    return format_html(
        '<svg viewBox="0 0 {} {}" role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet">'
        '<defs><pattern id="wfm-hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><rect width="6" height="6" class="hatch-ground"/>'
        '<line x1="0" y1="0" x2="0" y2="6" class="hatch-line"/></pattern></defs>{}</svg>',
        WIDTH,
        _n(height),
        title,
        _join(body),
    )


def _y_axis(y_max: float, height: float) -> list[SafeString]:
    plot = height - TOP - BOTTOM
    parts = []
    for step in range(5):
        value = y_max * step / 4
        y = TOP + plot * (1 - step / 4)
        parts.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}" text-anchor="end">{}</text>',
                LEFT,
                WIDTH - RIGHT,
                _n(y),
                _n(y),
                LEFT - 6,
                _n(y + 4),
                _number(round(value, 1)),
            )
        )
    return parts


def _x_labels(labels: Sequence[str], height: float) -> list[SafeString]:
    slot = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    every = max(1, math.ceil(len(labels) / MAX_X_LABELS))
    return [
        format_html(
            '<text class="tick" x="{}" y="{}" text-anchor="middle">{}</text>',
            _n(LEFT + slot * (index + 0.5)),
            _n(height - BOTTOM + 16),
            label,
        )
        for index, label in enumerate(labels)
        if index % every == 0
    ]


def series_chart(
    title: str,
    labels: Sequence[str],
    series: Sequence[Line],
    *,
    height: int = 240,
    divider: int | None = None,
    divider_label: str = "",
    shortfall: tuple[Sequence[float], Sequence[float]] | None = None,
    css: str = "",
) -> SafeString:
    """Bars and lines over the positions of ``labels``.

    ``divider``: a vertical line before that position (where the forecast starts).
    ``shortfall``: (required, scheduled) per position; where required > scheduled the gap is
    drawn hatched and labelled ``−n`` (under-staffing).
    """
    count = len(labels)
    values = [v for line in series for v in line.values if v is not None]
    if shortfall:
        values += list(shortfall[0])
    y_max = nice_ceiling(max(values, default=0.0))
    plot = height - TOP - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(count, 1)

    def x(index: int) -> float:
        return LEFT + slot * (index + 0.5)

    def y(value: float) -> float:
        return TOP + plot * (1 - value / y_max)

    body = [*_y_axis(y_max, height), *_x_labels(labels, height)]
    for line in series:
        if not line.bars:
            continue
        width = max(slot * 0.8, 1.0)
        for index, value in enumerate(line.values):
            if value is None or value <= 0:
                continue
            body.append(
                format_html(
                    '<rect class="bar s-{}" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{} {}: {}</title></rect>",
                    line.key,
                    _n(x(index) - width / 2),
                    _n(y(value)),
                    _n(width),
                    _n(plot * value / y_max),
                    labels[index],
                    line.label,
                    _number(round(value, 1)),
                )
            )
    if shortfall:
        required, scheduled = shortfall
        width = max(slot * 0.8, 1.0)
        for index, (need, got) in enumerate(zip(required, scheduled, strict=True)):
            if need <= got:
                continue
            body.append(
                format_html(
                    '<rect class="under" x="{}" y="{}" width="{}" height="{}">'
                    "<title>{} {}: {}</title></rect>",
                    _n(x(index) - width / 2),
                    _n(y(need)),
                    _n(width),
                    _n(plot * (need - got) / y_max),
                    labels[index],
                    _("under-staffed by"),
                    _number(need - got),
                )
            )
            if slot >= 9:
                body.append(
                    format_html(
                        '<text class="under-label" x="{}" y="{}" text-anchor="middle">−{}</text>',
                        _n(x(index)),
                        _n(y(need) - 3),
                        _number(need - got),
                    )
                )
    for line in series:
        if line.bars:
            continue
        run: list[str] = []
        runs = []
        for index, value in enumerate(line.values):
            if value is None:
                if run:
                    runs.append(run)
                run = []
                continue
            run.append(f"{_n(x(index))},{_n(y(value))}")
            body.append(
                format_html(
                    '<circle class="dot s-{}" cx="{}" cy="{}" r="2"><title>{} {}: {}</title>'
                    "</circle>",
                    line.key,
                    _n(x(index)),
                    _n(y(value)),
                    labels[index],
                    line.label,
                    _number(round(value, 1)),
                )
            )
        if run:
            runs.append(run)
        for points in runs:
            body.append(
                format_html(
                    '<polyline class="line s-{}{}" points="{}"/>',
                    line.key,
                    " dashed" if line.dashed else "",
                    " ".join(points),
                )
            )
    if divider is not None and 0 < divider < count:
        at = LEFT + slot * divider
        body.append(
            format_html(
                '<line class="divider" x1="{}" x2="{}" y1="{}" y2="{}"/>'
                '<text class="tick" x="{}" y="{}">{}</text>',
                _n(at),
                _n(at),
                TOP,
                _n(height - BOTTOM),
                _n(at + 4),
                TOP + 10,
                divider_label,
            )
        )
    legend = [(f"s-{line.key}{' dashed' if line.dashed else ''}", line.label) for line in series]
    if shortfall:
        legend.append(("under", _("under-staffing")))
    return _figure(title, _svg(title, height, body), legend, css)


def _day_label(day: date) -> str:
    return formats.date_format(day, "D j-n")


def forecast_daily_chart(staffed: StaffedForecast) -> SafeString:
    """Contacts per day: the history (actual) and the horizon (forecast)."""
    history = staffed.history
    actual_days = [history.first_day + timedelta(days=d) for d in range(history.days)]
    labels = [_day_label(day) for day in actual_days] + [
        _day_label(day.day) for day in staffed.days
    ]
    actual = [float(v) for v in history.daily_contacts] + [None] * len(staffed.days)
    forecast = [None] * history.days + [day.contacts for day in staffed.days]
    return series_chart(
        _("Contacts per day: actual and forecast"),
        labels,
        [
            Line("actual", _("actual"), actual),
            Line("forecast", _("forecast"), forecast, dashed=True),
        ],
        divider=history.days,
        divider_label=_("forecast"),
    )


def forecast_interval_chart(staffed: StaffedForecast, day_index: int) -> SafeString:
    """Contacts per interval of one horizon day, beside the same weekday a week earlier."""
    rows = staffed.day_intervals(day_index)
    day = staffed.days[day_index].day
    history = staffed.history
    earlier = day - timedelta(days=7 * math.ceil(((day - history.last_day).days) / 7))
    position = (earlier - history.first_day).days
    last_week: list[float | None] = [None] * len(rows)
    if 0 <= position < history.days:
        last_week = [float(history.contacts[position, row.slot]) for row in rows]
    title = _("Contacts per interval on %(day)s") % {"day": formats.date_format(day, "l j F")}
    return series_chart(
        title,
        [row.start.strftime("%H:%M") for row in rows],
        [
            Line(
                "lastweek",
                _("actual on %(day)s") % {"day": _day_label(earlier)},
                last_week,
                bars=True,
            ),
            Line("forecast", _("forecast"), [row.contacts for row in rows], dashed=True),
        ],
    )


def coverage_chart(outcome: ScheduleOutcome, day_index: int) -> SafeString:
    """Required vs scheduled agents per quarter-hour of one day (within the opening window)."""
    day = outcome.days[day_index]
    assert outcome.window is not None
    first = outcome.window[0] // SCHEDULE_INTERVAL_MINUTES
    last = outcome.window[1] // SCHEDULE_INTERVAL_MINUTES
    required = [float(v) for v in day.required[first:last]]
    scheduled = [float(v) for v in day.scheduled[first:last]]
    labels = [clock(k * SCHEDULE_INTERVAL_MINUTES) for k in range(first, last)]
    title = _("Coverage on %(day)s: required and scheduled agents") % {
        "day": formats.date_format(day.day, "l j F")
    }
    return series_chart(
        title,
        labels,
        [
            Line("scheduled", _("scheduled agents (not on a break)"), scheduled, bars=True),
            Line("required", _("required agents"), required),
        ],
        shortfall=(required, scheduled),
    )


def _location_text(location: str) -> tuple[str, str]:
    """(word, initial) of a location, translated: the initial marks a bar without colour."""
    if location == "home":
        return _("home"), pgettext("initial of 'home'", "H")
    return _("office"), pgettext("initial of 'office'", "O")


def break_name(kind: str) -> str:
    """A break's kind (``break`` or ``lunch``), translated."""
    return _("lunch") if kind == "lunch" else _("break")


def _shift_title(shift: ShiftRow) -> str:
    word, _initial = _location_text(shift.location)
    breaks = ", ".join(
        f"{break_name(kind)} {clock(start)}–{clock(end)}"
        for kind, start, end, _paid in shift.breaks
    )
    text = f"{shift.agent}: {formats.date_format(shift.day, 'D j-n')} {shift.start}–{shift.end}"
    return f"{text}, {word}" + (f" ({breaks})" if breaks else "")


def _shift_bars(
    shift: ShiftRow, x0: float, scale: float, origin: int, y: float, label: str
) -> list[SafeString]:
    """One shift: a bar per working piece, dashed outlines where the breaks are, a label."""
    title = _shift_title(shift)
    parts = []
    for start, end in shift.working_segments():
        parts.append(
            format_html(
                '<rect class="shift {}" x="{}" y="{}" width="{}" height="{}"><title>{}</title>'
                "</rect>",
                shift.location,
                _n(x0 + (start - origin) * scale),
                _n(y + 3),
                _n(max((end - start) * scale, 1.0)),
                ROW_HEIGHT - 6,
                title,
            )
        )
    for _kind, start, end, _paid in shift.breaks:
        parts.append(
            format_html(
                '<rect class="break" x="{}" y="{}" width="{}" height="{}"><title>{}</title></rect>',
                _n(x0 + (start - origin) * scale),
                _n(y + 6),
                _n((end - start) * scale),
                ROW_HEIGHT - 12,
                title,
            )
        )
    # the label sits in the longest working piece, clear of the breaks
    first, last = max(
        shift.working_segments(),
        key=lambda piece: piece[1] - piece[0],
        default=(shift.start_minute, shift.end_minute),
    )
    middle = x0 + ((first + last) / 2 - origin) * scale
    parts.append(
        format_html(
            '<text class="shift-label {}" x="{}" y="{}" text-anchor="middle">{}</text>',
            shift.location,
            _n(middle),
            _n(y + ROW_HEIGHT - 6),
            label,
        )
    )
    return parts


def _gantt_legend() -> list[tuple[str, str]]:
    office, office_initial = _location_text("office")
    home, home_initial = _location_text("home")
    hatched = _("hatched")
    return [
        ("shift-office", f"{office_initial} = {office}"),
        ("shift-home", f"{home_initial} = {home} ({hatched})"),
        ("shift-break", _("break or lunch")),
    ]


def gantt_week(outcome: ScheduleOutcome) -> SafeString:
    """A row per agent, a column per day, a bar per shift with its breaks cut out."""
    assert outcome.window is not None and outcome.problem is not None
    origin, close = outcome.window
    days = outcome.problem.days
    column = (WIDTH - LABEL_WIDTH - RIGHT) / days
    scale = column / (close - origin)
    rows = outcome.agent_rows()
    height = 24 + ROW_HEIGHT * len(rows) + 6
    body = []
    for d in range(days):
        x0 = LABEL_WIDTH + d * column
        body.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="4" y2="{}"/>'
                '<text class="tick" x="{}" y="16" text-anchor="middle">{}</text>',
                _n(x0),
                _n(x0),
                _n(height),
                _n(x0 + column / 2),
                _day_label(outcome.problem.date_of(d)),
            )
        )
    for number, (agent, shifts) in enumerate(rows):
        y = 24 + number * ROW_HEIGHT
        body.append(
            format_html(
                '<text class="label" x="4" y="{}">{}</text>', _n(y + ROW_HEIGHT - 6), agent.name
            )
        )
        for shift in shifts:
            x0 = LABEL_WIDTH + shift.day_index * column
            _word, initial = _location_text(shift.location)
            body += _shift_bars(shift, x0, scale, origin, y, initial)
    title = _("Schedule per agent (%(first)s – %(last)s, %(open)s–%(close)s)") % {
        "first": formats.date_format(outcome.problem.start_date, "j M"),
        "last": formats.date_format(outcome.problem.date_of(days - 1), "j M Y"),
        "open": clock(origin),
        "close": clock(close),
    }
    return _figure(title, _svg(title, height, body), _gantt_legend(), "gantt")


def gantt_day(outcome: ScheduleOutcome, day_index: int) -> SafeString:
    """The shifts of one day: a row per working agent on an hour scale, times in the bars."""
    assert outcome.window is not None and outcome.problem is not None
    origin, close = outcome.window
    origin, close = origin - origin % 60, close + (-close) % 60
    shifts = outcome.day_shifts(day_index)
    scale = (WIDTH - LABEL_WIDTH - RIGHT) / (close - origin)
    height = 24 + ROW_HEIGHT * max(len(shifts), 1) + 6
    body = []
    for minute in range(origin, close + 1, 60):
        x0 = LABEL_WIDTH + (minute - origin) * scale
        body.append(
            format_html(
                '<line class="grid" x1="{}" x2="{}" y1="20" y2="{}"/>'
                '<text class="tick" x="{}" y="14" text-anchor="middle">{}</text>',
                _n(x0),
                _n(x0),
                _n(height),
                _n(x0),
                clock(minute),
            )
        )
    for number, shift in enumerate(shifts):
        y = 24 + number * ROW_HEIGHT
        word, initial = _location_text(shift.location)
        label = f"{initial} {shift.start}–{shift.end} · {word}"
        body.append(
            format_html(
                '<text class="label" x="4" y="{}">{}</text>', _n(y + ROW_HEIGHT - 6), shift.agent
            )
        )
        body += _shift_bars(shift, LABEL_WIDTH, scale, origin, y, label)
    day = outcome.problem.date_of(day_index)
    title = _("Shifts on %(day)s") % {"day": formats.date_format(day, "l j F Y")}
    return _figure(title, _svg(title, height, body), _gantt_legend(), "gantt")


def intraday_contacts_chart(rows: Sequence[IntradayRow]) -> SafeString:
    labels = [row.start.strftime("%H:%M") for row in rows]
    return series_chart(
        _("Contacts per interval: actual and forecast"),
        labels,
        [
            Line("actual", _("actual offered"), [row.offered for row in rows], bars=True),
            Line("forecast", _("forecast"), [row.forecast for row in rows], dashed=True),
        ],
    )


def intraday_agents_chart(rows: Sequence[IntradayRow]) -> SafeString:
    labels = [row.start.strftime("%H:%M") for row in rows]
    required = [float(row.required_agents) for row in rows]
    scheduled = [float(row.scheduled_agents or 0) for row in rows]
    minutes = INTERVAL_MINUTES
    return series_chart(
        _("Agents per %(minutes)s minutes: required and scheduled") % {"minutes": minutes},
        labels,
        [
            Line("scheduled", _("scheduled agents"), scheduled, bars=True),
            Line("required", _("required agents"), required),
        ],
        shortfall=(required, scheduled),
    )
