"""Daily volume methods for the forecast: seasonal naive and exponential smoothing (Holt–Winters).

Every method maps a daily history ``y₁ … y_T`` (contacts per day, >= 0) to ``steps`` forecasts
``ŷ_{T+1} … ŷ_{T+steps}`` and never returns a negative value (additive models can dip below 0
on days with almost no contacts; we clip at 0). The season is a week, m = 7 days.

* ``seasonal_naive``: ŷ_{T+h} = y_{T+h−m(k+1)}, k = ⌊(h−1)/m⌋ — the same weekday last week
  (Hyndman & Athanasopoulos, *Forecasting: Principles and Practice*, 3rd ed., §5.2).
* ``exponential_smoothing``: Holt–Winters with a level and an additive weekly season, no trend,
  i.e. ETS(A,N,A) (FPP3 §8.3), parameters and initial states estimated by statsmodels
  (``ExponentialSmoothing(..., initialization_method="estimated")``); needs two full weeks.
* ``damped_holt_winters``: the same with an additive damped trend, ETS(A,Ad,A) (FPP3 §8.3,
  "Holt–Winters' damped method"); needs four full weeks (13 parameters want more than two).

When statsmodels cannot fit a series (it raises, or returns non-finite numbers) the method falls
back to the seasonal naive forecast: a planner always gets numbers, and the backtest, which
scores what the method actually returns, shows how good they are.

Also here, because every method works on their output: :func:`clean_irregular_days` (public
holidays and special days in the history are replaced by a seasonal naive estimate before
fitting) and :func:`yearly_index` (a ratio-to-moving-average yearly index, only with at least two
years of history).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
DailyMethod = Callable[[FloatArray, int], FloatArray]

SEASON_DAYS = 7
YEAR_DAYS = 365
MIN_YEARLY_HISTORY_DAYS = 2 * YEAR_DAYS
MIN_YEARLY_INDEX = 0.05


def _daily(name: str, values: npt.ArrayLike, minimum_days: int) -> FloatArray:
    array = np.asarray(values, dtype=np.float64)
    if array.ndim != 1:
        raise ValueError(f"{name} must be one value per day (1-D), got shape {array.shape}")
    if array.size < minimum_days:
        raise ValueError(
            f"{name}: history too short: this method needs at least {minimum_days} whole days, "
            f"got {array.size}"
        )
    if not np.all(np.isfinite(array)) or np.any(array < 0):
        raise ValueError(f"{name} must be finite numbers >= 0")
    return array


def _steps(steps: int) -> int:
    if isinstance(steps, bool) or int(steps) != steps or steps < 1:
        raise ValueError(f"steps must be an integer >= 1, got {steps!r}")
    return int(steps)


def seasonal_naive(daily_contacts: npt.ArrayLike, steps: int) -> FloatArray:
    """Seasonal naive forecast of ``steps`` days: each day repeats the same weekday last week.

    ŷ_{T+h} = y_{T+h−7(k+1)} with k = ⌊(h−1)/7⌋ (FPP3 §5.2). ``daily_contacts``: contacts per
    day, at least 7 days; returns contacts per day.
    """
    history = _daily("daily_contacts", daily_contacts, SEASON_DAYS)
    return np.resize(history[-SEASON_DAYS:], _steps(steps))


def _holt_winters(daily_contacts: npt.ArrayLike, steps: int, *, damped: bool) -> FloatArray:
    minimum_days = 4 * SEASON_DAYS if damped else 2 * SEASON_DAYS
    history = _daily("daily_contacts", daily_contacts, minimum_days)
    steps = _steps(steps)
    # statsmodels is imported here, not at the top: it takes a second to import, and most
    # commands that import this package never forecast.
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    try:
        with warnings.catch_warnings():
            # a perfect fit (SSE 0) logs zero and warns; a slow optimiser warns; both are fine
            warnings.simplefilter("ignore")
            model = ExponentialSmoothing(
                history,
                trend="add" if damped else None,
                damped_trend=damped,
                seasonal="add",
                seasonal_periods=SEASON_DAYS,
                initialization_method="estimated",
            )
            forecast = np.asarray(model.fit().forecast(steps), dtype=np.float64)
    except (ValueError, ArithmeticError, np.linalg.LinAlgError):
        return seasonal_naive(history, steps)
    if forecast.shape != (steps,) or not np.all(np.isfinite(forecast)):
        return seasonal_naive(history, steps)
    return np.maximum(forecast, 0.0)


def exponential_smoothing(daily_contacts: npt.ArrayLike, steps: int) -> FloatArray:
    """Holt–Winters ETS(A,N,A): level + additive weekly season, fitted by statsmodels.

    ŷ_{T+h} = ℓ_T + s_{T+h−7(k+1)} (FPP3 §8.3, additive Holt–Winters without trend), smoothing
    parameters and initial states estimated by minimising the squared one-step errors. Needs
    at least 14 days (two seasons). Contacts per day in and out, clipped at 0.
    """
    return _holt_winters(daily_contacts, steps, damped=False)


def damped_holt_winters(daily_contacts: npt.ArrayLike, steps: int) -> FloatArray:
    """Holt–Winters' damped method ETS(A,Ad,A): level, damped additive trend, weekly season.

    ŷ_{T+h} = ℓ_T + (φ + … + φ^h)·b_T + s_{T+h−7(k+1)} (FPP3 §8.3), fitted by statsmodels.
    Needs at least 28 days (four seasons). Contacts per day in and out, clipped at 0.
    """
    return _holt_winters(daily_contacts, steps, damped=True)


METHODS: dict[str, DailyMethod] = {
    "seasonal_naive": seasonal_naive,
    "exponential_smoothing": exponential_smoothing,
    "damped_holt_winters": damped_holt_winters,
}
"""The daily methods by name, in order of preference on a tie (simplest first)."""

MIN_TRAINING_DAYS = {
    "seasonal_naive": SEASON_DAYS,
    "exponential_smoothing": 2 * SEASON_DAYS,
    "damped_holt_winters": 4 * SEASON_DAYS,
}
"""Days of history each method needs to be fitted."""


def clean_irregular_days(daily_contacts: npt.ArrayLike, irregular: npt.ArrayLike) -> FloatArray:
    """Replace the irregular days (holidays, special days) by a seasonal naive estimate.

    An irregular day takes the (already cleaned) value of the same weekday a week earlier; in
    the first week, the nearest later regular same weekday; without one, the mean of all
    regular days; with no regular day at all, 0. Contacts per day in and out. Fitting on the
    cleaned series keeps a Christmas dip from being learnt as a weekly pattern.
    """
    history = _daily("daily_contacts", daily_contacts, 0)
    mask = np.asarray(irregular, dtype=np.bool_)
    if mask.shape != history.shape:
        raise ValueError(f"irregular must have shape {history.shape}, got {mask.shape}")
    cleaned = history.copy()
    regular_mean = float(history[~mask].mean()) if np.any(~mask) else 0.0
    for day in np.flatnonzero(mask):
        if day >= SEASON_DAYS:
            cleaned[day] = cleaned[day - SEASON_DAYS]
            continue
        later = [d for d in range(day + SEASON_DAYS, history.size, SEASON_DAYS) if not mask[d]]
        cleaned[day] = history[later[0]] if later else regular_mean
    return cleaned


def day_of_year_position(day: date) -> int:
    """Position 0–364 of ``day`` in a 365-day year; 29 February shares 28 February's (58)."""
    year_start = date(day.year, 1, 1)
    position = (day - year_start).days
    leap = (date(day.year, 3, 1) - date(day.year, 2, 28)).days == 2
    if leap and position >= 59:  # 29 February and later move back one day
        position -= 1
    return position


def _centred_mean(values: FloatArray, width: int) -> FloatArray:
    """Centred moving average of odd ``width``; NaN where the window does not fit."""
    half = width // 2
    result = np.full(values.size, np.nan)
    if values.size >= width:
        sums = np.convolve(values, np.ones(width), mode="valid")
        result[half : values.size - half] = sums / width
    return result


def yearly_index(daily_contacts: npt.ArrayLike, first_day: date) -> FloatArray | None:
    """Multiplicative yearly index per day-of-year position (365 values, mean 1), or ``None``.

    Only with at least two years (730 days) of history; ``None`` otherwise. Classical
    ratio-to-moving-average decomposition (FPP3 §3.4): the ratio of the centred 7-day mean
    (which removes the week) to the centred 365-day mean (which removes the year) on each day
    where both exist, averaged per position (:func:`day_of_year_position`), scaled to mean 1.
    Two years give every position at least one ratio. Positions without a usable ratio (a
    365-day mean of 0) get 1; no position goes below ``MIN_YEARLY_INDEX`` (0.05), so that a
    closed fortnight never divides the history by 0.
    """
    history = _daily("daily_contacts", daily_contacts, 0)
    if history.size < MIN_YEARLY_HISTORY_DAYS:
        return None
    week = _centred_mean(history, SEASON_DAYS)
    year = _centred_mean(history, YEAR_DAYS)
    sums = np.zeros(YEAR_DAYS)
    counts = np.zeros(YEAR_DAYS)
    for offset in np.flatnonzero(np.isfinite(week) & np.isfinite(year) & (year > 0)):
        position = day_of_year_position(first_day + timedelta(days=int(offset)))
        sums[position] += week[offset] / year[offset]
        counts[position] += 1
    index = np.divide(sums, counts, out=np.ones(YEAR_DAYS), where=counts > 0)
    mean = float(index.mean())
    if mean <= 0:
        return None
    return np.maximum(index / mean, MIN_YEARLY_INDEX)
