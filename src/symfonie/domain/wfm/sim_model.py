"""The contact-center model the simulator runs: contact types, agent groups, the day.

Time: the day opens at 0 and closes at ``open_minutes``; it is cut into periods of
``period_minutes`` (which must divide the day). Per period, each contact type has an arrival
rate (contacts per minute, a Poisson process) and each agent group a number of agents. Arrivals
stop at closing; ``closing`` says what happens to contacts still waiting then:

* ``serve`` — agents stay (at the last period's staffing) until everyone waiting is served or
  has abandoned (the ContactCenters examples);
* ``clear`` — everyone still waiting is sent away at closing and counted as ``cleared``.

Day-level busyness: with ``busyness_gamma_shape`` = α, every simulated day draws one factor
B ~ Gamma(shape α, scale 1/α) (mean 1, variance 1/α) that multiplies all arrival rates of that
day, so day totals vary more than Poisson (a Poisson–gamma mixture: Jongbloed & Koole, "Managing
uncertainty in call centres using Poisson mixtures", *Applied Stochastic Models in Business and
Industry* 17, 2001; Avramidis, Deslauriers & L'Ecuyer, *Management Science* 50(7), 2004).
Without it B = 1.

Routing (ContactCenters' ``QueuePriorityRouter``): an arriving contact goes to the first agent
group, in file order, that has its type among its ``skills`` and an idle agent; otherwise it
waits in its type's FIFO queue. An agent who becomes free takes, from its group's ``skills``
level by level, the longest-waiting contact of the types of the first level that has anyone
waiting. A level is one type or several types of equal priority.

Every check raises :class:`ModelError` whose ``field`` names the offending field with its path
in the model file, e.g. ``contact_types[0].arrival_rate_per_minute``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from symfonie.domain.wfm.distributions import Distribution


class ModelError(ValueError):
    """A model field is missing or invalid; ``field`` is its path in the model file."""

    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field
        self.problem = problem


class Closing(StrEnum):
    """What happens at closing to contacts still waiting (see the module docstring)."""

    SERVE = "serve"
    CLEAR = "clear"


@dataclass(frozen=True, slots=True)
class Retrial:
    """A blocked, balked or abandoned contact tries again with ``probability`` after ``delay``.

    The new attempt is a fresh contact of type ``as_type`` (default: the same type; another type
    models a callback, e.g. one with no patience served by back-office agents) with its own
    service and patience draws. Attempts that would come after closing are dropped.
    """

    probability: float
    delay: Distribution
    as_type: str | None = None


@dataclass(frozen=True, slots=True)
class ContactType:
    """One kind of contact: arrival rates per period (contacts per minute), durations.

    ``patience`` is the time a caller is willing to wait in queue (``None``: forever).
    ``balk_probability`` is the chance that a contact which cannot be answered at once hangs up
    immediately (counted ``balked``, not ``abandoned``).
    """

    name: str
    arrival_rate_per_minute: tuple[float, ...]
    service: Distribution
    patience: Distribution | None = None
    balk_probability: float = 0.0
    retrial: Retrial | None = None


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """Identical agents: how many per period, and the contact types they serve.

    ``skills`` is a tuple of priority levels, highest first; each level is a tuple of contact
    type names served longest-wait-first among themselves.
    """

    name: str
    agents: tuple[int, ...]
    skills: tuple[tuple[str, ...], ...]


@dataclass(frozen=True, slots=True)
class SimulationModel:
    """A whole contact-center day; validated on construction (raises :class:`ModelError`).

    Units: ``open_minutes`` and ``period_minutes`` in minutes, ``threshold_seconds`` (the
    service-level answer time s; a contact is in target when its wait is strictly below s)
    in seconds. ``queue_capacity`` limits the total number of waiting contacts over all types:
    an arrival that would have to wait when that many are waiting is ``blocked`` (``None``:
    unlimited).
    """

    name: str
    open_minutes: float
    period_minutes: float
    threshold_seconds: float
    contact_types: tuple[ContactType, ...]
    agent_groups: tuple[AgentGroup, ...]
    queue_capacity: int | None = None
    closing: Closing = Closing.SERVE
    busyness_gamma_shape: float | None = None
    description: str = ""
    periods: int = field(init=False)

    def __post_init__(self) -> None:
        _check_positive("open_minutes", self.open_minutes)
        _check_positive("period_minutes", self.period_minutes)
        periods = self.open_minutes / self.period_minutes
        if abs(periods - round(periods)) > 1e-9 or round(periods) < 1:
            raise ModelError(
                "period_minutes",
                f"must divide open_minutes ({self.open_minutes:g}) into whole periods, "
                f"got {self.period_minutes:g}",
            )
        object.__setattr__(self, "periods", round(periods))
        _check_positive("threshold_seconds", self.threshold_seconds)
        if self.queue_capacity is not None and (
            isinstance(self.queue_capacity, bool) or self.queue_capacity < 0
        ):
            raise ModelError(
                "queue_capacity", f"must be an integer >= 0, got {self.queue_capacity!r}"
            )
        if self.busyness_gamma_shape is not None:
            _check_positive("busyness_gamma_shape", self.busyness_gamma_shape)
        if not self.contact_types:
            raise ModelError("contact_types", "needs at least one contact type")
        if not self.agent_groups:
            raise ModelError("agent_groups", "needs at least one agent group")
        names = [contact.name for contact in self.contact_types]
        for index, contact in enumerate(self.contact_types):
            self._check_contact_type(index, contact, names)
        served: set[str] = set()
        for index, group in enumerate(self.agent_groups):
            served |= self._check_agent_group(index, group, names)
        for index, contact in enumerate(self.contact_types):
            if contact.name not in served:
                raise ModelError(
                    f"contact_types[{index}].name",
                    f"no agent group has {contact.name!r} among its skills",
                )

    def _check_contact_type(self, index: int, contact: ContactType, names: list[str]) -> None:
        where = f"contact_types[{index}]"
        if not contact.name:
            raise ModelError(f"{where}.name", "must be a non-empty string")
        if names.count(contact.name) > 1:
            raise ModelError(f"{where}.name", f"duplicate contact type {contact.name!r}")
        rates = contact.arrival_rate_per_minute
        self._check_per_period(f"{where}.arrival_rate_per_minute", rates)
        for period, rate in enumerate(rates):
            if not math.isfinite(rate) or rate < 0.0:
                raise ModelError(
                    f"{where}.arrival_rate_per_minute",
                    f"rates must be finite and >= 0, got {rate!r} in period {period}",
                )
        if not any(rate > 0.0 for rate in rates):
            raise ModelError(
                f"{where}.arrival_rate_per_minute",
                f"must be > 0 (in at least one period), got {_show(rates)}",
            )
        if not 0.0 <= contact.balk_probability <= 1.0:
            raise ModelError(
                f"{where}.balk_probability", f"must lie in [0, 1], got {contact.balk_probability!r}"
            )
        retrial = contact.retrial
        if retrial is not None:
            if not 0.0 <= retrial.probability <= 1.0:
                raise ModelError(
                    f"{where}.retrial.probability",
                    f"must lie in [0, 1], got {retrial.probability!r}",
                )
            if retrial.as_type is not None and retrial.as_type not in names:
                raise ModelError(
                    f"{where}.retrial.as_type", f"unknown contact type {retrial.as_type!r}"
                )

    def _check_agent_group(self, index: int, group: AgentGroup, names: list[str]) -> set[str]:
        where = f"agent_groups[{index}]"
        if not group.name:
            raise ModelError(f"{where}.name", "must be a non-empty string")
        if [other.name for other in self.agent_groups].count(group.name) > 1:
            raise ModelError(f"{where}.name", f"duplicate agent group {group.name!r}")
        self._check_per_period(f"{where}.agents", group.agents)
        for period, agents in enumerate(group.agents):
            if isinstance(agents, bool) or not isinstance(agents, int) or agents < 0:
                raise ModelError(
                    f"{where}.agents", f"must be integers >= 0, got {agents!r} in period {period}"
                )
        if not group.skills:
            raise ModelError(f"{where}.skills", "needs at least one contact type")
        seen: set[str] = set()
        for level in group.skills:
            if not level:
                raise ModelError(f"{where}.skills", "an empty priority level")
            for name in level:
                if name not in names:
                    raise ModelError(f"{where}.skills", f"unknown contact type {name!r}")
                if name in seen:
                    raise ModelError(f"{where}.skills", f"{name!r} is listed twice")
                seen.add(name)
        return seen

    def _check_per_period(self, where: str, values: tuple[float, ...] | tuple[int, ...]) -> None:
        if len(values) != self.periods:
            raise ModelError(
                where,
                f"needs one value or one per period ({self.periods} periods of "
                f"{self.period_minutes:g} min), got {len(values)}",
            )

    @property
    def open_seconds(self) -> float:
        """Length of the open day in seconds."""
        return self.open_minutes * 60.0

    @property
    def period_seconds(self) -> float:
        """Length of one period in seconds."""
        return self.period_minutes * 60.0

    def type_index(self, name: str) -> int:
        """Position of the contact type called ``name``."""
        return [contact.name for contact in self.contact_types].index(name)

    def groups_for_type(self, type_index: int) -> list[int]:
        """Agent groups (positions, file order) that can serve contact type ``type_index``."""
        name = self.contact_types[type_index].name
        return [
            index
            for index, group in enumerate(self.agent_groups)
            if any(name in level for level in group.skills)
        ]

    def skill_levels(self, group_index: int) -> list[list[int]]:
        """The priority levels of agent group ``group_index`` as contact-type positions."""
        return [
            [self.type_index(name) for name in level]
            for level in self.agent_groups[group_index].skills
        ]


def _check_positive(name: str, value: float) -> None:
    if isinstance(value, bool) or not math.isfinite(value) or value <= 0.0:
        raise ModelError(name, f"must be a positive finite number, got {value!r}")


def _show(values: tuple[float, ...]) -> str:
    return " ".join(f"{value:g}" for value in values)
