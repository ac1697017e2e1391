"""Figures as people read them, in the active language: 12,5 %, 1:05, +3 %-punt, week 10.

Rates are fractions in the domain (0.125) and shown as percentages; times are seconds and shown
as ``m:ss`` from a minute up; a figure that is undefined (``None``) is shown as a dash.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from symfonie.domain.kpi.service_level import ServiceLevel, ServiceLevelVariant

DASH = "–"
MINUS = "−"


def _decimal(value: float, digits: int) -> str:
    # number_format cuts decimals off; a report rounds them (20,69 % is 20,7 %)
    return number_format(round(value, digits), digits)


def count(value: int | None) -> str:
    return DASH if value is None else number_format(value, 0, force_grouping=True)


def rate(value: float | None, digits: int = 1) -> str:
    """A fraction as a percentage: 0.125 → "12,5 %"."""
    return DASH if value is None else f"{_decimal(value * 100, digits)} %"


def seconds(value: float | None) -> str:
    """Seconds: "12 s" below a minute, "1:05" up to an hour, "1:02:05" from an hour."""
    if value is None:
        return DASH
    whole = round(value)
    if whole < 60:
        return f"{whole} s"
    minutes, secs = divmod(whole, 60)
    if minutes < 60:
        return f"{minutes}:{secs:02d}"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def points(value: float | None) -> str:
    """NPS points: "33,3"."""
    return DASH if value is None else _decimal(value, 1)


def _signed(text: str, negative: bool) -> str:
    return f"{MINUS if negative else '+'}{text}"


@dataclass(frozen=True)
class Change:
    """The change of a figure against the previous period, and whether that is good news."""

    text: str
    trend: str  # "better", "worse", "same" or "" (neither good nor bad, or unknown)


def _trend(difference: float, higher_is_better: bool | None) -> str:
    if difference == 0:
        return "same"
    if higher_is_better is None:
        return ""
    return "better" if (difference > 0) == higher_is_better else "worse"


def change(
    current: float | None,
    previous: float | None,
    kind: str,
    higher_is_better: bool | None = None,
) -> Change:
    """``kind``: "count" (+12, +8,5 %), "rate" (+2,1 %-pt), "seconds" (+0:12) or "points"."""
    if current is None or previous is None:
        return Change(DASH, "")
    difference = current - previous
    if difference == 0:
        return Change("±0", "same")
    negative = difference < 0
    size = abs(difference)
    if kind == "count":
        text = _signed(count(int(size)), negative)
        if previous:
            text += f" ({_signed(_decimal(abs(difference / previous) * 100, 1), negative)} %)"
    elif kind == "rate":
        text = _("%(value)s pp") % {"value": _signed(_decimal(size * 100, 1), negative)}
    elif kind == "seconds":
        text = _signed(seconds(size), negative)
    else:
        text = _signed(_decimal(size, 1), negative)
    return Change(text, _trend(difference, higher_is_better))


def threshold(level: ServiceLevel) -> str:
    """The threshold T of a service level: "20 s", "12,5 s", or "T (per queue)" when mixed."""
    if len(level.thresholds_seconds) != 1:
        return _("T (per queue)")
    seconds = level.thresholds_seconds[0]
    return f"{int(seconds) if float(seconds).is_integer() else number_format(seconds)} s"


def service_level_label(level: ServiceLevel, variant: ServiceLevelVariant) -> str:
    """E.g. "answered within 20 s / offered", in the active language."""
    limit = threshold(level)
    if variant is ServiceLevelVariant.ANSWERED:
        return _("answered within %(t)s / answered") % {"t": limit}
    if variant is ServiceLevelVariant.OFFERED:
        return _("answered within %(t)s / offered") % {"t": limit}
    return _("answered within %(t)s / (offered − short abandons)") % {"t": limit}


def week_name(monday: date | datetime) -> str:
    """ "week 10 (2–8 mrt 2026)" of the ISO week starting on ``monday``."""
    day = monday.date() if isinstance(monday, datetime) else monday
    sunday = day + timedelta(days=6)
    return _("week %(week)s (%(first)s – %(last)s)") % {
        "week": day.isocalendar().week,
        "first": date_format(day, "j M"),
        "last": date_format(sunday, "j M Y"),
    }


def iso_week(monday: date | datetime) -> str:
    """ "2026-W10"."""
    day = monday.date() if isinstance(monday, datetime) else monday
    year, week, _day = day.isocalendar()
    return f"{year}-W{week:02d}"
