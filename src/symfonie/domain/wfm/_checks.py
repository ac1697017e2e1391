"""Input checks shared by the Erlang modules: one clear ``ValueError`` per bad argument.

The message names the parameter (``aht_seconds``), so a caller such as the CLI can map it to its
own option name; no check ever returns a clamped or negative value instead of raising.
"""

from __future__ import annotations

import math
import operator


def check_positive(name: str, value: float) -> float:
    """Return ``value`` as a float if it is finite and > 0, else raise ``ValueError``."""
    number = float(value)
    if not math.isfinite(number) or number <= 0.0:
        raise ValueError(f"{name} must be a positive finite number, got {value!r}")
    return number


def check_non_negative(name: str, value: float) -> float:
    """Return ``value`` as a float if it is finite and >= 0, else raise ``ValueError``."""
    number = float(value)
    if not math.isfinite(number) or number < 0.0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return number


def check_fraction(name: str, value: float, *, allow_zero: bool, allow_one: bool) -> float:
    """Return ``value`` as a float if it lies in [0, 1] with the ends as allowed."""
    number = float(value)
    low_ok = number > 0.0 or (allow_zero and number == 0.0)
    high_ok = number < 1.0 or (allow_one and number == 1.0)
    if not math.isfinite(number) or not (low_ok and high_ok):
        low = "[0" if allow_zero else "(0"
        high = "1]" if allow_one else "1)"
        raise ValueError(f"{name} must lie in {low}, {high}, got {value!r}")
    return number


def check_agents(name: str, value: int, *, minimum: int) -> int:
    """Return ``value`` as an int if it is an integer >= ``minimum`` (bools are refused)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    try:
        number = operator.index(value)
    except TypeError:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}") from None
    if number < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return number
