"""Read a simulation model from a TOML file (``symfonie wfm simulate MODEL.toml``).

The format, field by field, is in ``docs/wfm.md`` ("Simulator"); the examples are in
``symfonie/wfm/models/``. In short::

    name = "MMCAb"
    open_minutes = 480            # the day: arrivals from 0 until closing
    period_minutes = 480          # optional (default: the whole day as one period)
    threshold_seconds = 20        # service-level answer time s (in target: wait < s)
    closing = "serve"             # optional: "serve" (default) or "clear" the queue at closing
    queue_capacity = 5            # optional: total waiting contacts before arrivals are blocked
    busyness_gamma_shape = 50     # optional: day factor B ~ Gamma(α, 1/α) on all arrival rates

    [[contact_types]]
    name = "calls"
    arrival_rate_per_minute = 4.2                       # or one value per period
    service = { distribution = "exponential", mean_seconds = 120 }
    patience = { distribution = "exponential", mean_seconds = 60 }   # optional
    balk_probability = 0.0                              # optional
    retrial = { probability = 0.3, delay = { distribution = "exponential", mean_seconds = 300 } }

    [[agent_groups]]
    name = "agents"
    agents = 12                                         # or one value per period
    skills = ["calls"]                                  # priority order; [["a", "b"]] = equal

Distributions: ``exponential`` (``mean_seconds``), ``lognormal`` and ``gamma``
(``mean_seconds``, ``sd_seconds``), ``empirical`` (``values_seconds``: observed durations),
``constant`` (``mean_seconds``). Every problem raises :class:`~symfonie.domain.wfm.sim_model.
ModelError` naming the field by its path (``contact_types[0].service.mean_seconds``); unknown
fields are refused too, so a typo never silently falls back to a default.
"""

from __future__ import annotations

import math
import tomllib
from pathlib import Path
from typing import Any

from symfonie.domain.wfm.distributions import (
    Constant,
    Distribution,
    DistributionError,
    Empirical,
    Exponential,
    Gamma,
    LogNormal,
)
from symfonie.domain.wfm.sim_model import (
    AgentGroup,
    Closing,
    ContactType,
    ModelError,
    Retrial,
    SimulationModel,
)

EXAMPLES_DIR = Path(__file__).resolve().parent / "models"

_DISTRIBUTIONS: dict[str, tuple[type[Any], tuple[str, ...]]] = {
    "exponential": (Exponential, ("mean_seconds",)),
    "lognormal": (LogNormal, ("mean_seconds", "sd_seconds")),
    "gamma": (Gamma, ("mean_seconds", "sd_seconds")),
    "empirical": (Empirical, ("values_seconds",)),
    "constant": (Constant, ("mean_seconds",)),
}


class ModelFileError(ValueError):
    """The model file cannot be read or is not valid TOML."""


def load_model(path: str | Path) -> SimulationModel:
    """Read and validate the model in ``path`` (name defaults to the file name without suffix)."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            document = tomllib.load(handle)
    except OSError as exc:
        raise ModelFileError(f"cannot read {path}: {exc.strerror or exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ModelFileError(f"{path} is not valid TOML: {exc}") from None
    return parse_model(document, default_name=path.stem)


def parse_model(document: dict[str, Any], *, default_name: str = "model") -> SimulationModel:
    """Build a :class:`SimulationModel` from a parsed TOML document (see the module docstring)."""
    top = _Table(document, "")
    open_minutes = top.number("open_minutes")
    period_minutes = top.number("period_minutes", default=open_minutes)
    periods = _periods(open_minutes, period_minutes)
    closing = top.string("closing", default=Closing.SERVE.value)
    if closing not in {member.value for member in Closing}:
        raise ModelError("closing", f"must be 'serve' or 'clear', got {closing!r}")
    capacity = top.get("queue_capacity", int, "an integer", default=None)
    contact_types = tuple(
        _contact_type(_Table(item, f"contact_types[{index}]"), periods)
        for index, item in enumerate(top.tables("contact_types"))
    )
    agent_groups = tuple(
        _agent_group(_Table(item, f"agent_groups[{index}]"), periods)
        for index, item in enumerate(top.tables("agent_groups"))
    )
    fields: dict[str, Any] = {
        "name": top.string("name", default=default_name),
        "description": top.string("description", default=""),
        "threshold_seconds": top.number("threshold_seconds"),
        "busyness_gamma_shape": top.number("busyness_gamma_shape", default=None),
    }
    top.finish()
    return SimulationModel(
        open_minutes=open_minutes,
        period_minutes=period_minutes,
        closing=Closing(closing),
        queue_capacity=capacity,
        contact_types=contact_types,
        agent_groups=agent_groups,
        **fields,
    )


def _periods(open_minutes: float, period_minutes: float) -> int:
    # Scalars are repeated over this many periods; the model reports a bad division itself.
    if open_minutes > 0 and period_minutes > 0 and math.isfinite(open_minutes / period_minutes):
        return max(1, round(open_minutes / period_minutes))
    return 1


def _contact_type(table: _Table, periods: int) -> ContactType:
    name = table.string("name")
    rates = table.per_period("arrival_rate_per_minute", periods, integer=False)
    service = _distribution(table.table("service"), f"{table.path}.service")
    patience_table = table.table("patience", required=False)
    patience = (
        None if patience_table is None else _distribution(patience_table, f"{table.path}.patience")
    )
    balk = table.number("balk_probability", default=0.0)
    retrial_table = table.table("retrial", required=False)
    retrial = None
    if retrial_table is not None:
        retry = _Table(retrial_table, f"{table.path}.retrial")
        retrial = Retrial(
            probability=retry.number("probability"),
            delay=_distribution(retry.table("delay"), f"{retry.path}.delay"),
            as_type=retry.string("as_type", default=None),
        )
        retry.finish()
    table.finish()
    return ContactType(
        name=name,
        arrival_rate_per_minute=tuple(float(rate) for rate in rates),
        service=service,
        patience=patience,
        balk_probability=balk,
        retrial=retrial,
    )


def _agent_group(table: _Table, periods: int) -> AgentGroup:
    name = table.string("name")
    agents = table.per_period("agents", periods, integer=True)
    raw_skills = table.get("skills", list, "a list of contact type names")
    levels: list[tuple[str, ...]] = []
    for level in raw_skills:
        if isinstance(level, str):
            levels.append((level,))
        elif isinstance(level, list) and all(isinstance(item, str) for item in level):
            levels.append(tuple(level))
        else:
            raise ModelError(
                f"{table.path}.skills",
                f"each entry must be a contact type name or a list of names, got {level!r}",
            )
    table.finish()
    return AgentGroup(name=name, agents=tuple(int(a) for a in agents), skills=tuple(levels))


def _distribution(raw: dict[str, Any], path: str) -> Distribution:
    table = _Table(raw, path)
    kind = table.string("distribution")
    if kind not in _DISTRIBUTIONS:
        known = ", ".join(_DISTRIBUTIONS)
        raise ModelError(f"{path}.distribution", f"must be one of {known}, got {kind!r}")
    factory, fields = _DISTRIBUTIONS[kind]
    arguments: list[Any] = []
    for field in fields:
        if field == "values_seconds":
            values = table.get(field, list, "a list of durations in seconds")
            for index, value in enumerate(values):
                if not _is_number(value):
                    raise ModelError(f"{path}.{field}[{index}]", f"must be a number, got {value!r}")
            arguments.append(tuple(float(value) for value in values))
        else:
            arguments.append(table.number(field))
    table.finish()
    try:
        distribution: Distribution = factory(*arguments)
    except DistributionError as exc:
        raise ModelError(f"{path}.{exc.field}", exc.problem) from None
    return distribution


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


class _Table:
    """One TOML table being read: typed getters that name the field, and unknown-key checks."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise ModelError(path or "(file)", f"must be a table, got {data!r}")
        self.data: dict[str, Any] = data
        self.path = path
        self.used: set[str] = set()

    def name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, kind: type | tuple[type, ...], what: str, **default: Any) -> Any:
        self.used.add(key)
        if key not in self.data:
            if "default" in default:
                return default["default"]
            raise ModelError(self.name(key), "is required")
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, kind):
            raise ModelError(self.name(key), f"must be {what}, got {value!r}")
        return value

    def number(self, key: str, **default: Any) -> Any:
        return self.get(key, (int, float), "a number", **default)

    def string(self, key: str, **default: Any) -> Any:
        return self.get(key, str, "a string", **default)

    def table(self, key: str, *, required: bool = True) -> Any:
        if required:
            return self.get(key, dict, "a table, e.g. { distribution = ..., ... }")
        return self.get(key, dict, "a table, e.g. { distribution = ..., ... }", default=None)

    def tables(self, key: str) -> list[Any]:
        items = self.get(key, list, f"an array of tables ([[{key}]])")
        if not items:
            raise ModelError(self.name(key), f"needs at least one [[{key}]] entry")
        return list(items)

    def per_period(self, key: str, periods: int, *, integer: bool) -> list[Any]:
        kind = "an integer" if integer else "a number"
        value = self.get(key, (int, float, list), f"{kind} or a list with one per period")
        values = value if isinstance(value, list) else [value] * periods
        for index, item in enumerate(values):
            ok = isinstance(item, int) if integer else _is_number(item)
            if isinstance(item, bool) or not ok:
                raise ModelError(self.name(key), f"entry {index} must be {kind}, got {item!r}")
        return values

    def finish(self) -> None:
        unknown = sorted(set(self.data) - self.used)
        if unknown:
            raise ModelError(self.name(unknown[0]), "unknown field (a typo?)")
