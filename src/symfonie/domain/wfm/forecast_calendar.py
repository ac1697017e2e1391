"""Which days are not ordinary for the forecast: public holidays and planner-marked special days.

Public holidays come from the ``holidays`` package (national holidays, no regional ones) for
the countries given, e.g. ``("NL",)`` or ``("NL", "BE")``. Special days are dates a planner
marks with a factor on the normal forecast (0.6: 40 % fewer contacts; 0: closed).

How the forecast uses them (:mod:`symfonie.domain.wfm.forecast`):

* in the history, both kinds are *irregular*: their volume is replaced by a seasonal naive
  estimate before fitting, and they are left out of the intraday profiles, the handle times and
  the backtest scores;
* in the horizon, a special day gets ``factor ×`` the normal forecast of its date with its own
  weekday's profile (a special day overrides a public holiday on the same date); a public
  holiday is forecast "like a Sunday" by default (``holiday_as_weekday=6``): volume × (recent
  Sunday volume / recent volume of its own weekday), with the Sunday intraday profile and
  handle times; with ``holiday_factor`` set it is ``holiday_factor ×`` its normal forecast
  instead, with its own weekday's profile.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import holidays

__all__ = ["DayCalendar", "DayInfo", "DayKind"]


class DayKind(StrEnum):
    """What a day is for the forecast."""

    REGULAR = "regular"
    HOLIDAY = "holiday"
    SPECIAL = "special"


@dataclass(frozen=True, slots=True)
class DayInfo:
    """One day's kind; ``name`` of the holiday or special day (``""`` for a regular day);
    ``factor`` on the normal forecast for a special day (0 = closed), else ``None``."""

    kind: DayKind
    name: str = ""
    factor: float | None = None


@dataclass(frozen=True)
class DayCalendar:
    """Public holidays of ``countries`` (ISO 3166 codes) plus planner-marked ``special_days``.

    ``special_days`` maps a date to a factor >= 0 on its normal forecast (0 = closed).
    ``holiday_as_weekday`` (Monday 0 … Sunday 6, default Sunday) is the weekday a public holiday
    is forecast like, unless ``holiday_factor`` (>= 0) is given. Bad codes or factors raise
    ``ValueError``.
    """

    countries: tuple[str, ...] = ()
    special_days: Mapping[date, float] = field(default_factory=dict)
    holiday_as_weekday: int = 6
    holiday_factor: float | None = None
    _tables: dict[str, holidays.HolidayBase] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        import holidays  # here, not at the top: only a forecast needs its tables

        for code in self.countries:
            try:
                self._tables[code] = holidays.country_holidays(code)
            except NotImplementedError:
                raise ValueError(f"no public holidays known for country {code!r}") from None
        for day, factor in self.special_days.items():
            if not math.isfinite(factor) or factor < 0:
                raise ValueError(f"special day {day}: factor must be a number >= 0, got {factor}")
        if self.holiday_as_weekday not in range(7):
            raise ValueError(
                f"holiday_as_weekday must be 0 (Monday) … 6 (Sunday), got {self.holiday_as_weekday}"
            )
        if self.holiday_factor is not None and not (
            math.isfinite(self.holiday_factor) and self.holiday_factor >= 0
        ):
            raise ValueError(f"holiday_factor must be >= 0, got {self.holiday_factor}")

    def day(self, day: date) -> DayInfo:
        """The kind of ``day``: special (planner) first, then public holiday, else regular."""
        if day in self.special_days:
            factor = float(self.special_days[day])
            return DayInfo(DayKind.SPECIAL, "closed" if factor == 0 else "special day", factor)
        names = [f"{table[day]} ({code})" for code, table in self._tables.items() if day in table]
        if names:
            return DayInfo(DayKind.HOLIDAY, "; ".join(names))
        return DayInfo(DayKind.REGULAR)
