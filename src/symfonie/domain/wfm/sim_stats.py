"""Confidence intervals over independent replications (simulated days), numpy only.

* A per-day count (abandoned per day, ...): the mean of the n daily values ± t·s/√n, with t the
  Student t quantile with n − 1 degrees of freedom (e.g. Law, *Simulation Modeling and
  Analysis*, 5th ed., 2015, §4.5).
* A ratio KPI (service level, ASA, occupancy) is a *ratio of means* x̄/ȳ over the days — not
  the mean of the daily ratios — as ContactCenters' "function of averages" reports it. Its
  interval comes from the delta method: Var(x̄/ȳ) ≈ (s_x² − 2r·s_xy + r²·s_y²)/(n·ȳ²) with
  r = x̄/ȳ (Asmussen & Glynn, *Stochastic Simulation*, 2007, §III.3), with the same Student t
  quantile.

The t quantile is computed from the regularised incomplete beta function
(t CDF = 1 − ½·I_{ν/(ν+t²)}(ν/2, ½) for t > 0, Abramowitz & Stegun 26.7.1 and 26.5.27), evaluated
with the continued fraction 26.5.8 by the modified Lentz method, and inverted by bisection;
above 10⁶ degrees of freedom the Cornish–Fisher expansion 26.7.5 takes over.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]

_TINY = 1e-300
_LARGE_DF = 1e6


def _beta_continued_fraction(a: float, b: float, x: float) -> float:
    # Abramowitz & Stegun 26.5.8, evaluated by the modified Lentz method.
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1.0)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    result = d
    for m in range(1, 1000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1.0) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1.0)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            result *= d * c
        if abs(d * c - 1.0) < 1e-15:
            break
    return result


def regularized_incomplete_beta(a: float, b: float, x: float) -> float:
    """I_x(a, b) for a, b > 0 and 0 <= x <= 1 (Abramowitz & Stegun 26.5.8, to ~1e-14)."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    # The fraction converges fast for x < (a + 1)/(a + b + 2); otherwise use I_x = 1 − I_{1−x}.
    if x < (a + 1.0) / (a + b + 2.0):
        return math.exp(log_front) * _beta_continued_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_continued_fraction(b, a, 1.0 - x) / b


def student_t_cdf(t: float, degrees_of_freedom: float) -> float:
    """P(T <= t) for Student's t with ``degrees_of_freedom`` > 0."""
    nu = degrees_of_freedom
    tail = 0.5 * regularized_incomplete_beta(nu / 2.0, 0.5, nu / (nu + t * t))
    return 1.0 - tail if t > 0.0 else tail


def student_t_quantile(probability: float, degrees_of_freedom: float) -> float:
    """The t with P(T <= t) = ``probability`` (0 < probability < 1), by bisection to ~1e-12."""
    if not 0.0 < probability < 1.0:
        raise ValueError(f"probability must lie in (0, 1), got {probability!r}")
    if probability < 0.5:
        return -student_t_quantile(1.0 - probability, degrees_of_freedom)
    nu = degrees_of_freedom
    if nu > _LARGE_DF:
        # lgamma loses digits for huge ν; the expansion around the normal quantile z
        # (Abramowitz & Stegun 26.7.5) is exact to ~ν⁻³ there.
        z = _bisect(lambda x: 0.5 * math.erfc(-x / math.sqrt(2.0)), probability)
        return z + (z**3 + z) / (4.0 * nu) + (5 * z**5 + 16 * z**3 + 3 * z) / (96.0 * nu**2)
    return _bisect(lambda x: student_t_cdf(x, nu), probability)


def _bisect(cdf: Callable[[float], float], probability: float) -> float:
    """The x >= 0 with cdf(x) = probability >= 0.5, for an increasing ``cdf``."""
    low, high = 0.0, 1.0
    while cdf(high) < probability:
        low, high = high, high * 2.0
    for _ in range(200):
        middle = (low + high) / 2.0
        if cdf(middle) < probability:
            low = middle
        else:
            high = middle
        if high - low <= 1e-13 * high:
            break
    return (low + high) / 2.0


@dataclass(frozen=True, slots=True)
class Estimate:
    """A point estimate with its confidence interval (``low``/``high`` ``None`` below 2 days).

    ``mean`` is ``nan`` when the KPI is undefined (a ratio whose denominator is 0 on every day).
    """

    mean: float
    low: float | None
    high: float | None

    @property
    def half_width(self) -> float | None:
        """Half the interval's width (same unit as ``mean``)."""
        if self.low is None or self.high is None:
            return None
        return (self.high - self.low) / 2.0


def _t_factor(replications: int, level: float) -> float:
    return student_t_quantile(0.5 + level / 2.0, replications - 1)


def mean_estimate(values: FloatArray, level: float = 0.95) -> Estimate:
    """Mean of per-day values with its Student t interval at ``level`` (e.g. 0.95)."""
    n = len(values)
    mean = float(np.mean(values)) if n else math.nan
    if n < 2:
        return Estimate(mean, None, None)
    half = _t_factor(n, level) * float(np.std(values, ddof=1)) / math.sqrt(n)
    return Estimate(mean, mean - half, mean + half)


def ratio_estimate(
    numerators: FloatArray, denominators: FloatArray, level: float = 0.95
) -> Estimate:
    """Ratio of means x̄/ȳ of per-day values with its delta-method Student t interval."""
    n = len(numerators)
    denominator_mean = float(np.mean(denominators)) if n else 0.0
    if denominator_mean == 0.0:
        return Estimate(math.nan, None, None)
    ratio = float(np.mean(numerators)) / denominator_mean
    if n < 2:
        return Estimate(ratio, None, None)
    covariance = np.cov(numerators, denominators, ddof=1)
    variance = (covariance[0, 0] - 2.0 * ratio * covariance[0, 1] + ratio**2 * covariance[1, 1]) / (
        n * denominator_mean**2
    )
    half = _t_factor(n, level) * math.sqrt(max(float(variance), 0.0))
    return Estimate(ratio, ratio - half, ratio + half)
