"""Per-weekday intraday profiles, handle times and volume levels from recent regular days.

All three look at the last ``recent_weeks`` *regular* days (no public holiday, no special day)
of each weekday: recent weeks follow a changing pattern, several weeks smooth the noise. Arrays
are ``(days, slots)`` per interval or ``(days,)`` per day; results are ``(7, slots)`` or
``(7,)`` indexed by weekday (Monday 0 … Sunday 6).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm.forecast_methods import BoolArray, FloatArray

__all__ = ["handle_time_profiles", "intraday_profiles", "recent_weekday_levels"]

IntArray = npt.NDArray[np.int64]


def _recent(weekdays: npt.ArrayLike, usable: npt.ArrayLike, weekday: int, weeks: int) -> IntArray:
    """Indices of the last ``weeks`` usable days that fall on ``weekday``."""
    days = np.flatnonzero((np.asarray(weekdays) == weekday) & np.asarray(usable, dtype=np.bool_))
    return days[-weeks:] if weeks > 0 else days[:0]


def intraday_profiles(
    contacts: npt.ArrayLike, weekdays: npt.ArrayLike, regular: npt.ArrayLike, recent_weeks: int
) -> FloatArray:
    """Share of a day's contacts per interval, per weekday: shape (7, slots), rows sum to 1.

    Row w is the mean, over the last ``recent_weeks`` regular days of weekday w with contacts,
    of each day's shares ``contacts[d, i] / Σ_i contacts[d, i]`` (the classical "average of
    daily proportions" for intraday patterns; FPP3 §3.4 gives the same idea for seasonal
    indices). A weekday without such a day takes the mean shares of all regular days with
    contacts; with none at all, every interval gets 1 / slots.
    """
    counts = np.asarray(contacts, dtype=np.float64)
    totals = counts.sum(axis=1)
    with_contacts = np.asarray(regular, dtype=np.bool_) & (totals > 0)
    shares = np.divide(
        counts, totals[:, None], out=np.zeros_like(counts), where=totals[:, None] > 0
    )
    slots = counts.shape[1]
    fallback = shares[with_contacts].mean(axis=0) if with_contacts.any() else np.full(slots, 1.0)
    fallback = fallback / fallback.sum()
    profiles = np.empty((7, slots))
    for weekday in range(7):
        days = _recent(weekdays, with_contacts, weekday, recent_weeks)
        profiles[weekday] = shares[days].mean(axis=0) if days.size else fallback
    return profiles


def handle_time_profiles(
    handle_seconds: npt.ArrayLike,
    handled_contacts: npt.ArrayLike,
    weekdays: npt.ArrayLike,
    regular: npt.ArrayLike,
    recent_weeks: int,
) -> FloatArray | None:
    """AHT in seconds per weekday and interval, shape (7, slots); ``None`` with no handled contact.

    AHT[w, i] = Σ handle_seconds / Σ handled_contacts over interval i of the last
    ``recent_weeks`` regular days of weekday w — a mean weighted by contacts, so a quiet week
    counts less. Where those days handled nothing in interval i: the weekday's AHT over the
    same days; where they handled nothing at all: the AHT of the whole history (every day).
    """
    seconds = np.asarray(handle_seconds, dtype=np.float64)
    handled = np.asarray(handled_contacts, dtype=np.float64)
    if handled.sum() <= 0:
        return None
    overall = float(seconds.sum() / handled.sum())
    profiles = np.full((7, seconds.shape[1]), overall)
    for weekday in range(7):
        days = _recent(weekdays, regular, weekday, recent_weeks)
        slot_seconds, slot_handled = seconds[days].sum(axis=0), handled[days].sum(axis=0)
        if slot_handled.sum() <= 0:
            continue
        day_aht = float(slot_seconds.sum() / slot_handled.sum())
        profiles[weekday] = np.divide(
            slot_seconds,
            slot_handled,
            out=np.full(seconds.shape[1], day_aht),
            where=slot_handled > 0,
        )
    return profiles


def recent_weekday_levels(
    daily_contacts: npt.ArrayLike,
    weekdays: npt.ArrayLike,
    regular: npt.ArrayLike,
    recent_weeks: int,
) -> FloatArray:
    """Mean contacts per day per weekday over its last ``recent_weeks`` regular days: shape (7,).

    Used to forecast a public holiday like another weekday (volume × level[like] / level[own]).
    A weekday without regular days gets the mean of all regular days (0 when there are none).
    """
    daily = np.asarray(daily_contacts, dtype=np.float64)
    usable: BoolArray = np.asarray(regular, dtype=np.bool_)
    fallback = float(daily[usable].mean()) if usable.any() else 0.0
    levels = np.full(7, fallback)
    for weekday in range(7):
        days = _recent(weekdays, usable, weekday, recent_weeks)
        if days.size:
            levels[weekday] = float(daily[days].mean())
    return levels
