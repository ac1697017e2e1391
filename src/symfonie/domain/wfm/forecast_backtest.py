"""Accuracy of the daily methods: WAPE, MASE and the rolling-origin backtest that picks a method.

* WAPE = Σ|y_t − ŷ_t| / Σ y_t over every scored forecast (weighted absolute percentage error;
  undefined, ``None``, when the actuals sum to 0).
* MASE = mean of q_t = |y_t − ŷ_t| / s over every scored forecast, where s is the in-sample MAE
  of the seasonal naive method (lag m = 7) on the training data of that forecast's origin:
  s = (1/(n−m)) Σ_{t=m+1..n} |y_t − y_{t−m}| (Hyndman & Koehler, "Another look at measures of
  forecast accuracy", *International Journal of Forecasting* 22(4), 2006; FPP3 §5.8). MASE < 1
  beats the in-sample seasonal naive; undefined (``None``) when some origin's history repeats
  exactly week on week (s = 0).
* Rolling origin ("time series cross-validation", FPP3 §5.10; Tashman, *IJF* 16(4), 2000): for
  each origin, fit on the days before it and forecast the next ``horizon_days``; forecasts that
  run past the end of the history are dropped, as in fable's ``stretch_tsibble``. Days marked
  not scored (public holidays, special days) are left out of every sum.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm.forecast_methods import SEASON_DAYS, BoolArray, DailyMethod, FloatArray

__all__ = ["BacktestScore", "choose_method", "mase", "rolling_origin_backtest", "wape"]


@dataclass(frozen=True, slots=True)
class BacktestScore:
    """One method's rolling-origin accuracy.

    ``wape`` and ``mase`` as in the module doc (``None`` when undefined); ``mae_contacts``: mean
    absolute error in contacts per day; ``forecasts``: scored day forecasts; ``origins``: how
    many origins were used.
    """

    method: str
    wape: float | None
    mase: float | None
    mae_contacts: float | None
    forecasts: int
    origins: int


def _pair(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    y = np.asarray(actual, dtype=np.float64).ravel()
    f = np.asarray(forecast, dtype=np.float64).ravel()
    if y.shape != f.shape:
        raise ValueError(f"actual and forecast differ in length: {y.size} and {f.size}")
    return y, f


def wape(actual: npt.ArrayLike, forecast: npt.ArrayLike) -> float | None:
    """Weighted absolute percentage error Σ|y − ŷ| / Σy (a fraction), ``None`` when Σy = 0.

    Also called MAD/mean ratio (Kolassa & Schütz, *Foresight* 6, 2007); unlike MAPE it stays
    defined on days with 0 contacts.
    """
    y, f = _pair(actual, forecast)
    total = float(y.sum())
    return float(np.abs(y - f).sum()) / total if total > 0 else None


def seasonal_naive_scale(training: npt.ArrayLike) -> float | None:
    """In-sample MAE of the seasonal naive method (lag 7): the MASE denominator s, or ``None``.

    s = mean |y_t − y_{t−7}| over the training days (Hyndman & Koehler 2006); ``None`` with
    fewer than 8 days.
    """
    y = np.asarray(training, dtype=np.float64).ravel()
    if y.size <= SEASON_DAYS:
        return None
    return float(np.abs(y[SEASON_DAYS:] - y[:-SEASON_DAYS]).mean())


def mase(actual: npt.ArrayLike, forecast: npt.ArrayLike, training: npt.ArrayLike) -> float | None:
    """Mean absolute scaled error of forecasts from one origin (Hyndman & Koehler 2006).

    mean |y − ŷ| / s, with s the in-sample seasonal naive MAE of ``training`` (lag 7).
    ``None`` when s is 0 or undefined or there are no forecasts.
    """
    y, f = _pair(actual, forecast)
    scale = seasonal_naive_scale(training)
    if not scale or y.size == 0:
        return None
    return float(np.abs(y - f).mean()) / scale


def rolling_origin_backtest(
    daily_contacts: npt.ArrayLike,
    methods: Mapping[str, DailyMethod],
    *,
    origins: int,
    horizon_days: int,
    scored: npt.ArrayLike | None = None,
    adjustment: npt.ArrayLike | None = None,
) -> list[BacktestScore]:
    """Score each method on the last ``origins`` origins of ``daily_contacts`` (contacts/day).

    Origin k (k = 1 … ``origins``) fits on the first n − k days and forecasts the next
    ``horizon_days`` days, of which those inside the history are scored: the last origin
    forecasts one day. ``scored``: per day, whether it counts (default all). ``adjustment``: per
    day a positive multiplier that the methods do not see (the yearly index): they are fitted
    on ``daily / adjustment`` and their forecasts multiplied back. The MASE scale of an origin
    is computed on its (unadjusted) training days.
    """
    y = np.asarray(daily_contacts, dtype=np.float64)
    n = y.size
    if not 1 <= origins < n:
        raise ValueError(f"origins must lie in [1, {n - 1}] for {n} days, got {origins}")
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be >= 1, got {horizon_days}")
    mask: BoolArray = (
        np.ones(n, dtype=np.bool_) if scored is None else np.asarray(scored, dtype=np.bool_)
    )
    factor = np.ones(n) if adjustment is None else np.asarray(adjustment, dtype=np.float64)
    adjusted = y / factor
    scores = []
    for name, method in methods.items():
        errors: list[FloatArray] = []
        actuals: list[FloatArray] = []
        scaled: list[FloatArray] = []
        mase_defined = True
        for train_end in range(n - origins, n):
            stop = min(train_end + horizon_days, n)
            forecast = method(adjusted[:train_end], stop - train_end) * factor[train_end:stop]
            keep = mask[train_end:stop]
            error = np.abs(y[train_end:stop] - forecast)[keep]
            errors.append(error)
            actuals.append(y[train_end:stop][keep])
            scale = seasonal_naive_scale(y[:train_end])
            if error.size and not scale:
                mase_defined = False
            elif error.size and scale:
                scaled.append(error / scale)
        all_errors = np.concatenate(errors)
        total = float(np.concatenate(actuals).sum())
        count = all_errors.size
        scores.append(
            BacktestScore(
                method=name,
                wape=float(all_errors.sum()) / total if total > 0 else None,
                mase=float(np.concatenate(scaled).mean()) if mase_defined and count else None,
                mae_contacts=float(all_errors.mean()) if count else None,
                forecasts=count,
                origins=origins,
            )
        )
    return scores


def choose_method(scores: list[BacktestScore]) -> str:
    """The method with the lowest WAPE; on a tie (within 1e-9) or no WAPE, the first listed.

    List the methods simplest first (seasonal naive), so that a tie keeps the simple one.
    """
    if not scores:
        raise ValueError("no methods were scored")
    best = scores[0]
    for score in scores[1:]:
        if score.wape is not None and (best.wape is None or score.wape < best.wape - 1e-9):
            best = score
    return best.method
