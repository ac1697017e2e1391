"""Random durations for the simulator: service times, patience times and retrial delays.

Every distribution is given by its mean (and standard deviation where it has a shape) in
seconds, the way planners know them, and draws whole arrays at once from a numpy ``Generator``
(one call per contact type per simulated day, not one per contact):

* :class:`Exponential` — mean ``mean_seconds`` (the ContactCenters examples, Erlang C/A);
* :class:`LogNormal` — ``mean_seconds`` and ``sd_seconds`` of the duration itself; the
  underlying normal has σ² = ln(1 + (sd/mean)²), μ = ln(mean) − σ²/2 (moments of the
  log-normal law, e.g. Johnson, Kotz & Balakrishnan, *Continuous Univariate Distributions* 1,
  1994, ch. 14). Handle times are typically log-normal (Brown et al., "Statistical analysis of
  a telephone call center", JASA 100, 2005);
* :class:`Gamma` — ``mean_seconds`` and ``sd_seconds``; shape k = (mean/sd)², scale = sd²/mean;
* :class:`Empirical` — resamples observed durations (``values_seconds``) with equal weight,
  i.e. draws from the empirical distribution function of the history (the bootstrap);
* :class:`Constant` — always ``mean_seconds`` (deterministic, for tests and scripted IVR legs).

Bad parameters raise :class:`DistributionError` naming the field (``mean_seconds``), which the
model-file reader prefixes with where the distribution sits in the file.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


class DistributionError(ValueError):
    """A distribution parameter is missing or invalid; ``field`` names it."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


def _positive(field: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number) or number <= 0.0:
        raise DistributionError(field, f"must be a positive finite number, got {value!r}")
    return number


def _non_negative(field: str, value: float) -> float:
    number = float(value)
    if not math.isfinite(number) or number < 0.0:
        raise DistributionError(field, f"must be a finite number >= 0, got {value!r}")
    return number


class Distribution(Protocol):
    """A non-negative random duration in seconds."""

    @property
    def mean_seconds(self) -> float:
        """The expected duration in seconds."""
        ...

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` independent durations in seconds (all >= 0)."""
        ...


@dataclass(frozen=True, slots=True)
class Exponential:
    """Exponential duration with mean ``mean_seconds`` (> 0), rate 1/mean."""

    mean_seconds: float

    def __post_init__(self) -> None:
        _positive("mean_seconds", self.mean_seconds)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` exponential durations in seconds."""
        return rng.exponential(self.mean_seconds, size)


@dataclass(frozen=True, slots=True)
class LogNormal:
    """Log-normal duration with the given mean and standard deviation (seconds, both > 0)."""

    mean_seconds: float
    sd_seconds: float

    def __post_init__(self) -> None:
        _positive("mean_seconds", self.mean_seconds)
        _positive("sd_seconds", self.sd_seconds)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` log-normal durations in seconds (σ² = ln(1 + cv²), μ = ln mean − σ²/2)."""
        sigma2 = math.log1p((self.sd_seconds / self.mean_seconds) ** 2)
        mu = math.log(self.mean_seconds) - sigma2 / 2.0
        return rng.lognormal(mu, math.sqrt(sigma2), size)


@dataclass(frozen=True, slots=True)
class Gamma:
    """Gamma duration with the given mean and standard deviation (seconds, both > 0)."""

    mean_seconds: float
    sd_seconds: float

    def __post_init__(self) -> None:
        _positive("mean_seconds", self.mean_seconds)
        _positive("sd_seconds", self.sd_seconds)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` gamma durations in seconds (shape (mean/sd)², scale sd²/mean)."""
        shape = (self.mean_seconds / self.sd_seconds) ** 2
        return rng.gamma(shape, self.sd_seconds**2 / self.mean_seconds, size)


@dataclass(frozen=True, slots=True)
class Empirical:
    """Resampling of observed durations (``values_seconds``, each >= 0, at least one)."""

    values_seconds: tuple[float, ...]

    def __post_init__(self) -> None:
        if not self.values_seconds:
            raise DistributionError("values_seconds", "needs at least one observed value")
        for index, value in enumerate(self.values_seconds):
            _non_negative(f"values_seconds[{index}]", value)
        if not any(value > 0.0 for value in self.values_seconds):
            raise DistributionError("values_seconds", "needs at least one value > 0")

    @property
    def mean_seconds(self) -> float:
        """Mean of the observed values in seconds."""
        return math.fsum(self.values_seconds) / len(self.values_seconds)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` values drawn with replacement, each observation with probability 1/n."""
        values = np.asarray(self.values_seconds, dtype=np.float64)
        return values[rng.integers(0, len(values), size)]


@dataclass(frozen=True, slots=True)
class Constant:
    """Always ``mean_seconds`` (>= 0) seconds; draws nothing from the generator."""

    mean_seconds: float

    def __post_init__(self) -> None:
        _non_negative("mean_seconds", self.mean_seconds)

    def sample(self, rng: np.random.Generator, size: int) -> FloatArray:
        """``size`` copies of ``mean_seconds``."""
        return np.full(size, self.mean_seconds, dtype=np.float64)


class Pool:
    """Hands out one number at a time from ``draw(block)``, refilled ``block`` values at a time.

    The engines need single draws for retrials, which happen one by one; numpy is fast per
    array and slow per scalar, so values are drawn in blocks from the replication's generator.
    ``Pool(lambda n: service.sample(rng, n))`` gives service times, ``Pool(rng.random)`` uniforms.
    """

    __slots__ = ("_block", "_draw", "_index", "_values")

    def __init__(self, draw: Callable[[int], FloatArray], block: int = 256) -> None:
        self._draw = draw
        self._block = block
        self._values: list[float] = []
        self._index = 0

    def next(self) -> float:
        """The next value."""
        if self._index == len(self._values):
            self._values = self._draw(self._block).tolist()
            self._index = 0
        value = self._values[self._index]
        self._index += 1
        return value
