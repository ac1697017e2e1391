"""Erlang A (M/M/N+M): Erlang C plus exponential customer patience, computed exactly.

Model: Poisson arrivals at rate λ, exponential handle times with mean ``aht_seconds``
(rate μ), ``agents`` = N agents, one FIFO queue, and every waiting contact abandons after an
exponential patience with mean ``patience_mean_seconds`` (rate θ). The number of contacts in the
system is a birth–death chain with birth rate λ and death rate ``min(n, N)·μ + max(n − N, 0)·θ``
(Palm 1943; Garnett, Mandelbaum & Reiman, "Designing a call center with impatient customers",
Manufacturing & Service Operations Management 4(3), 2002; Mandelbaum & Zeltyn, "The Palm/Erlang-A
queue, with applications to call centers", Technion, 2007). Unlike Erlang C it is stable at any
load: abandonment empties the queue.

Stationary distribution (from the chain's balance equations): for n <= N, π_n ∝ A^n/n!; above,
``π_{N+j} = π_N · Π_{i=1..j} λ / (Nμ + iθ)``. The sum over n <= N is ``π_N / B(N, A)`` (Erlang B,
Jagerman's recursion, no factorials); the queue part is summed in log space and truncated where
the remaining terms are below e^-46 ≈ 1e-20 of the largest (a geometric bound on the tail checks
this). So 20,000 agents cost one Erlang B recursion plus a few thousand queue states.

Waiting times, by PASTA an arrival sees the stationary state. With j contacts ahead, the time
until it would reach an agent (its offered wait V) is a sum of exponentials with rates
``Nμ + iθ``, i = 0..j (service completions plus abandonments ahead of it). Writing c = Nμ/θ,
θV has the law of −log X with X ~ Beta(c, j + 1) (a product of independent Beta(c + i, 1)), hence:

* P(V > t) = I_x(c, j + 1), x = e^{−θt}: a negative-binomial distribution function, summed in
  log space with positive terms only;
* P(served) = E[X] = c / (c + j + 1), P(served within t) = c/(c + j + 1) · (1 − I_x(c + 1, j + 1));
* E[V · 1{served}] = c/(c + j + 1) · Σ_{i=1..j+1} 1/(Nμ + iθ)  (from E[X log X] of a Beta law);
* the mean time in queue of all arrivals (served or abandoning) is P(abandon)/θ by Little's law,
  because abandonments occur at rate θ·E[queue length].

Service-level variants (answered within ``threshold_seconds`` = t, all by PASTA):

* ``all_arrivals``: answered within t / all arrivals (abandons count as missed);
* ``served``: answered within t / answered;
* ``excluding_early_abandons``: answered within t / (arrivals − abandoned within t), i.e.
  contacts that hang up before t are left out of the denominator.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import numpy.typing as npt

from symfonie.domain.wfm._checks import check_agents, check_non_negative, check_positive
from symfonie.domain.wfm.erlang import erlang_b

# A queue state whose weight is below e^-46 (≈ 1e-20) of the most likely one is dropped.
_LOG_NEGLIGIBLE = 46.0
# Above this many queue states (an extreme overload with very patient callers) we refuse
# rather than allocate gigabytes; Erlang C is the right model for callers that never hang up.
_MAX_QUEUE_STATES = 4_000_000

FloatArray = npt.NDArray[np.float64]


class ServiceLevelVariant(StrEnum):
    """Which contacts the Erlang A service level counts in its denominator (see module doc)."""

    ALL_ARRIVALS = "all_arrivals"
    SERVED = "served"
    EXCLUDING_EARLY_ABANDONS = "excluding_early_abandons"


@dataclass(frozen=True, slots=True)
class ErlangAMetrics:
    """Erlang A results for one interval at a fixed number of agents.

    Probabilities and occupancy are fractions; times are in seconds. ``queue_states`` is the
    number of queue lengths kept after truncation (for diagnostics).
    """

    agents: int
    load_erlangs: float
    patience_mean_seconds: float
    threshold_seconds: float
    p_wait: float
    p_abandon: float
    p_abandon_within_threshold: float
    service_level_all_arrivals: float
    service_level_served: float
    service_level_excluding_early_abandons: float
    asa_all_arrivals_seconds: float
    asa_served_seconds: float
    occupancy: float
    queue_states: int

    def service_level(self, variant: ServiceLevelVariant) -> float:
        """The service level (fraction answered within ``threshold_seconds``) of ``variant``."""
        if variant is ServiceLevelVariant.ALL_ARRIVALS:
            return self.service_level_all_arrivals
        if variant is ServiceLevelVariant.SERVED:
            return self.service_level_served
        return self.service_level_excluding_early_abandons


def _queue_log_weights(
    arrival_rate: float, capacity_rate: float, abandon_rate: float
) -> FloatArray:
    """log(π_{N+j} / π_N) for j = 0..J, with J where the rest of the tail is negligible."""
    # The ratio π_{N+j}/π_{N+j-1} = λ/(Nμ + jθ) is > 1 until j passes (λ − Nμ)/θ, then falls.
    peak = max(0.0, (arrival_rate - capacity_rate) / abandon_rate)
    if peak >= _MAX_QUEUE_STATES:
        raise ValueError(_too_many_states_message())
    size = int(min(max(64.0, 2.0 * peak + 64.0), _MAX_QUEUE_STATES))
    while True:
        positions = np.arange(1, size + 1, dtype=np.float64)
        log_weights = np.zeros(size + 1, dtype=np.float64)
        np.cumsum(
            math.log(arrival_rate) - np.log(capacity_rate + positions * abandon_rate),
            out=log_weights[1:],
        )
        top = float(log_weights.max())
        last_ratio = arrival_rate / (capacity_rate + size * abandon_rate)
        # Beyond J the terms fall at least geometrically with ratio last_ratio, so the whole
        # tail is below w_J / (1 − last_ratio).
        if last_ratio < 1.0 and (
            float(log_weights[-1]) - math.log1p(-last_ratio) < top - _LOG_NEGLIGIBLE
        ):
            break
        if size >= _MAX_QUEUE_STATES:
            raise ValueError(_too_many_states_message())
        size = min(2 * size, _MAX_QUEUE_STATES)
    kept = np.flatnonzero(log_weights >= top - _LOG_NEGLIGIBLE)
    return log_weights[: int(kept[-1]) + 1]


def _too_many_states_message() -> str:
    return (
        f"Erlang A needs more than {_MAX_QUEUE_STATES} queue states here (heavy overload with "
        "very patient callers): use Erlang C with more agents, or a shorter patience"
    )


def _negative_binomial_cdf(
    successes: float, log_x: float, log_one_minus_x: float, count: int
) -> FloatArray:
    """I_x(r, j + 1) = Σ_{k<=j} Γ(r+k)/(Γ(r) k!) x^r (1−x)^k for j = 0..count−1, in log space."""
    k = np.arange(1, count, dtype=np.float64)
    log_pmf = np.empty(count, dtype=np.float64)
    log_pmf[0] = successes * log_x
    log_pmf[1:] = (
        successes * log_x + np.cumsum(np.log((successes + k - 1.0) / k)) + k * log_one_minus_x
    )
    cdf: FloatArray = np.minimum(np.cumsum(np.exp(log_pmf)), 1.0)
    return cdf


def _clip(probability: float) -> float:
    return min(1.0, max(0.0, probability))


def _share(part: float, whole: float) -> float:
    # ``whole`` is a probability that is > 0 in exact arithmetic whenever agents >= 1.
    return _clip(part / whole) if whole > 0.0 else 0.0


def erlang_a_metrics(
    agents: int,
    *,
    load_erlangs: float,
    aht_seconds: float,
    patience_mean_seconds: float,
    threshold_seconds: float,
    erlang_b_value: float | None = None,
) -> ErlangAMetrics:
    """Erlang A (M/M/N+M) results for ``agents`` >= 1 agents, exact up to truncation ~1e-20.

    Inputs: ``load_erlangs`` = arrival rate × AHT (> 0), ``aht_seconds`` > 0,
    ``patience_mean_seconds`` > 0 (mean of the exponential patience), ``threshold_seconds`` >= 0
    (the service-level answer time). ``erlang_b_value`` may pass a precomputed B(agents, load)
    to skip the recursion (staffing searches reuse one recursion for many agent counts).

    Formulas: birth–death chain of Garnett, Mandelbaum & Reiman (2002); waiting-time laws via
    the Beta/negative-binomial identities in the module docstring. ``asa_all_arrivals_seconds``
    is the mean time in queue of every arrival, including those who abandon (= P(abandon) ×
    patience mean); ``asa_served_seconds`` is the mean queue time of answered contacts;
    ``occupancy`` = carried load / agents = A·(1 − P(abandon)) / N.
    """
    agents = check_agents("agents", agents, minimum=1)
    load = check_positive("load_erlangs", load_erlangs)
    aht_seconds = check_positive("aht_seconds", aht_seconds)
    patience_mean_seconds = check_positive("patience_mean_seconds", patience_mean_seconds)
    threshold_seconds = check_non_negative("threshold_seconds", threshold_seconds)
    blocking = erlang_b(agents, load) if erlang_b_value is None else float(erlang_b_value)

    service_rate = 1.0 / aht_seconds
    arrival_rate = load * service_rate
    abandon_rate = 1.0 / patience_mean_seconds
    capacity_rate = agents * service_rate

    log_weights = _queue_log_weights(arrival_rate, capacity_rate, abandon_rate)
    top = float(log_weights.max())
    weights = np.exp(log_weights - top)
    weight_sum = float(weights.sum())
    ahead = weights / weight_sum  # law of j = contacts ahead, given that the arrival waits
    # P(wait) = T·B / (1 + (T − 1)·B) with T = Σ_j π_{N+j}/π_N = e^top · weight_sum; written so
    # that a huge T (deep overload) cannot overflow.
    inverse_total = math.exp(-top) / weight_sum
    p_wait = _clip(blocking / (blocking + (1.0 - blocking) * inverse_total))

    count = log_weights.size
    j = np.arange(count, dtype=np.float64)
    c = capacity_rate / abandon_rate
    p_served = c / (c + j + 1.0)
    # (j + 1)/(c + j + 1) directly, not 1 − p_served: no cancellation when patience is long.
    p_abandon = _clip(p_wait * float(np.dot(ahead, (j + 1.0) / (c + j + 1.0))))

    theta_t = abandon_rate * threshold_seconds
    if theta_t == 0.0:  # t = 0 (or so small that θt underflows): nobody waits "within" it
        served_within = np.zeros(count, dtype=np.float64)
        abandoned_within = np.zeros(count, dtype=np.float64)
    else:
        log_x = -theta_t
        log_one_minus_x = math.log(-math.expm1(-theta_t))
        offered_wait_above = _negative_binomial_cdf(c, log_x, log_one_minus_x, count)
        tilted_above = _negative_binomial_cdf(c + 1.0, log_x, log_one_minus_x, count)
        served_within = p_served * (1.0 - tilted_above)
        # P(min(V, patience) <= t) − P(served within t); P(min > t) = P(V > t)·e^{−θt}.
        abandoned_within = np.maximum(
            1.0 - math.exp(log_x) * offered_wait_above - served_within, 0.0
        )

    answered_within = _clip((1.0 - p_wait) + p_wait * float(np.dot(ahead, served_within)))
    p_abandon_within = _clip(p_wait * float(np.dot(ahead, abandoned_within)))
    harmonic = np.cumsum(1.0 / (capacity_rate + (j + 1.0) * abandon_rate))
    served_wait = p_wait * float(np.dot(ahead, p_served * harmonic))

    return ErlangAMetrics(
        agents=agents,
        load_erlangs=load,
        patience_mean_seconds=patience_mean_seconds,
        threshold_seconds=threshold_seconds,
        p_wait=p_wait,
        p_abandon=p_abandon,
        p_abandon_within_threshold=p_abandon_within,
        service_level_all_arrivals=answered_within,
        service_level_served=_share(answered_within, 1.0 - p_abandon),
        service_level_excluding_early_abandons=_share(answered_within, 1.0 - p_abandon_within),
        asa_all_arrivals_seconds=p_abandon * patience_mean_seconds,
        asa_served_seconds=served_wait / (1.0 - p_abandon) if p_abandon < 1.0 else 0.0,
        occupancy=_clip(load * (1.0 - p_abandon) / agents),
        queue_states=count,
    )
