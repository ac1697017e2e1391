"""Number formats of the planner pages: fractions as percentages, seconds, hours."""

from __future__ import annotations

from django import template
from django.utils import formats

register = template.Library()


@register.filter
def percent(value: float | None, digits: int = 1) -> str:
    """0.8123 → "81.2 %" (localised decimal separator); "–" for nothing."""
    if value is None or value != value:  # None or NaN
        return "–"
    return f"{formats.number_format(round(value * 100, digits), digits)} %"


@register.filter
def number(value: float | None, digits: int = 1) -> str:
    """A localised number with ``digits`` decimals; "–" for nothing."""
    if value is None or value != value:
        return "–"
    return formats.number_format(round(value, digits), digits)


@register.filter
def quarter_hours(value: int | None) -> str:
    """Agent-quarter-hours as agent hours: 6 → "1.5" (localised)."""
    if value is None:
        return "–"
    return formats.number_format(round(value / 4, 2), 2)


@register.filter
def clock(minute: int) -> str:
    """Minutes of the day as "HH:MM"."""
    return f"{minute // 60:02d}:{minute % 60:02d}"
