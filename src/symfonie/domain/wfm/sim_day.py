"""One simulated day's random inputs and its tallies, shared by both simulation engines.

All fresh arrivals of a day are drawn up front, vectorised, in a fixed order from the day's
generator: the busyness factor, then per contact type (file order) the arrival count per
period, the arrival times, the service times, the patience times and the balking draws. So two
models that differ only in staffing see exactly the same callers (common random numbers), and
both engines see the same day. Retrial attempts are drawn later, one by one, from
:class:`~symfonie.domain.wfm.distributions.Pool` objects on the same generator.

Arrival times: a Poisson process with a piecewise-constant rate, drawn per period as a Poisson
count N ~ Poisson(rate × B × period length) and N sorted uniform times in the period (given
their number, the points of a Poisson process are i.i.d. uniform: the order-statistics
property, e.g. Ross, *Stochastic Processes*, 2nd ed., 1996, thm. 2.3.1).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from symfonie.domain.wfm.distributions import Distribution, Pool
from symfonie.domain.wfm.sim_model import SimulationModel

# Per contact type, one row of these tallies per simulated day (seconds for times).
COUNTERS = (
    "arrivals",  # attempts: fresh arrivals plus retrials
    "retrials",  # attempts that were retrials (or callbacks) of an earlier failed attempt
    "served",
    "in_target",  # served with wait < threshold_seconds (strictly, as ContactCenters)
    "wait_served_seconds",  # total queue time of served contacts
    "abandoned",
    "abandoned_after_s",  # abandoned with wait >= threshold_seconds
    "balked",
    "blocked",
    "cleared",  # still waiting at closing with closing = "clear", or when nobody can serve
)
ARRIVALS, RETRIALS, SERVED, IN_TARGET, WAIT, ABANDONED, ABANDONED_AFTER_S = range(7)
BALKED, BLOCKED, CLEARED = 7, 8, 9
# Per agent group: busy agent-seconds and present agent-seconds, both over [0, closing].
GROUP_COUNTERS = ("busy_seconds", "agent_seconds")


@dataclass(frozen=True, slots=True)
class DayArrivals:
    """The fresh arrivals of one day, sorted by time (plain lists, for the engines' loops).

    ``times`` in seconds from opening; ``types`` the contact-type position; ``services`` and
    ``patiences`` in seconds (``math.inf`` for a type without patience); ``balks`` whether the
    contact would hang up at once if it cannot be answered immediately. ``busyness`` is the
    day's factor B.
    """

    times: list[float]
    types: list[int]
    services: list[float]
    patiences: list[float]
    balks: list[bool]
    busyness: float


def draw_day(model: SimulationModel, rng: np.random.Generator) -> DayArrivals:
    """Draw one day's fresh arrivals (see the module docstring for the order of draws)."""
    shape = model.busyness_gamma_shape
    busyness = 1.0 if shape is None else float(rng.gamma(shape, 1.0 / shape))
    period_seconds = model.period_seconds
    starts = np.arange(model.periods, dtype=np.float64) * period_seconds
    times, types, services, patiences, balks = [], [], [], [], []
    for index, contact in enumerate(model.contact_types):
        rates_per_second = np.asarray(contact.arrival_rate_per_minute) / 60.0
        counts = rng.poisson(rates_per_second * busyness * period_seconds)
        total = int(counts.sum())
        offsets = np.repeat(starts, counts)
        times.append(np.sort(offsets + rng.random(total) * period_seconds))
        types.append(np.full(total, index, dtype=np.int64))
        services.append(contact.service.sample(rng, total))
        if contact.patience is None:
            patiences.append(np.full(total, math.inf))
        else:
            patiences.append(contact.patience.sample(rng, total))
        if contact.balk_probability > 0.0:
            balks.append(rng.random(total) < contact.balk_probability)
        else:
            balks.append(np.zeros(total, dtype=bool))
    all_times = np.concatenate(times)
    order = np.argsort(all_times, kind="stable")
    return DayArrivals(
        times=all_times[order].tolist(),
        types=np.concatenate(types)[order].tolist(),
        services=np.concatenate(services)[order].tolist(),
        patiences=np.concatenate(patiences)[order].tolist(),
        balks=np.concatenate(balks)[order].tolist(),
        busyness=busyness,
    )


class RetrialDraws:
    """Single draws for retrial attempts, per contact type, from the day's generator.

    ``attempt(type_index)`` says whether a failed contact of that type tries again and, if so,
    when (delay in seconds) and as which type with which service, patience and balking.
    """

    def __init__(self, model: SimulationModel, rng: np.random.Generator) -> None:
        self._uniform = Pool(rng.random)
        self._probability: list[float] = []
        self._target: list[int] = []
        self._delay: list[Pool | None] = []
        self._service: list[Pool] = []
        self._patience: list[Pool | None] = []
        self._balk: list[float] = []
        for index, contact in enumerate(model.contact_types):
            retrial = contact.retrial
            self._probability.append(0.0 if retrial is None else retrial.probability)
            target = index
            if retrial is not None and retrial.as_type is not None:
                target = model.type_index(retrial.as_type)
            self._target.append(target)
            self._delay.append(None if retrial is None else _pool(retrial.delay, rng))
            self._service.append(_pool(contact.service, rng))
            self._patience.append(
                None if contact.patience is None else _pool(contact.patience, rng)
            )
            self._balk.append(contact.balk_probability)

    def enabled(self, type_index: int) -> bool:
        """Whether contacts of this type ever retry."""
        return self._probability[type_index] > 0.0

    def attempt(self, type_index: int) -> tuple[float, int, float, float, bool] | None:
        """``(delay_seconds, new_type, service_seconds, patience_seconds, balks)`` or ``None``."""
        probability = self._probability[type_index]
        if probability <= 0.0 or self._uniform.next() >= probability:
            return None
        delay = self._delay[type_index]
        assert delay is not None  # probability > 0 only with a retrial
        new_type = self._target[type_index]
        patience = self._patience[new_type]
        balk = self._balk[new_type]
        return (
            delay.next(),
            new_type,
            self._service[new_type].next(),
            math.inf if patience is None else patience.next(),
            balk > 0.0 and self._uniform.next() < balk,
        )


def _pool(distribution: Distribution, rng: np.random.Generator) -> Pool:
    return Pool(lambda size: distribution.sample(rng, size))
