"""JSON-ready encoding of the routing dataclasses (events, configuration, snapshots).

One generic pair instead of a hand-written ``to_dict`` per class: the type hints drive the
decoding, so a new field needs no serialisation code. Datetimes, dates and times become
ISO-8601 strings, enums their value, sets sorted lists (stable snapshots), tuples lists.
Dictionary keys must be strings (ids are strings throughout the routing core).
"""

from __future__ import annotations

import collections.abc
import dataclasses
import types
import typing
from datetime import date, datetime, time
from enum import Enum
from functools import cache
from typing import Any, get_args, get_origin


def to_json(value: Any) -> Any:
    """``value`` as JSON-ready data (dict/list/str/int/float/bool/None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): to_json(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(to_json(item) for item in value)
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    return value


def from_json(kind: Any, data: Any) -> Any:
    """Rebuild a value of type ``kind`` from ``to_json`` output."""
    if kind is Any:
        return data
    origin = get_origin(kind)
    if origin is types.UnionType or origin is typing.Union:
        if data is None:
            return None
        options = [arg for arg in get_args(kind) if arg is not type(None)]
        if len(options) != 1:
            raise TypeError(f"only 'X | None' unions are supported, got {kind}")
        return from_json(options[0], data)
    if origin is not None:
        args = get_args(kind)
        if origin is dict or origin is collections.abc.Mapping:
            return {from_json(args[0], key): from_json(args[1], item) for key, item in data.items()}
        if origin is tuple:
            return tuple(from_json(args[0], item) for item in data)
        if origin is list:
            return [from_json(args[0], item) for item in data]
        if origin is frozenset:
            return frozenset(from_json(args[0], item) for item in data)
        if origin is set:
            return {from_json(args[0], item) for item in data}
        raise TypeError(f"unsupported type {kind}")
    if isinstance(kind, type):
        if dataclasses.is_dataclass(kind):
            hints = _hints(kind)
            return kind(
                **{
                    f.name: from_json(hints[f.name], data[f.name])
                    for f in dataclasses.fields(kind)
                    if f.init and f.name in data
                }
            )
        if issubclass(kind, Enum):
            return kind(data)
        if kind is datetime:
            return datetime.fromisoformat(data)
        if kind is date:
            return date.fromisoformat(data)
        if kind is time:
            return time.fromisoformat(data)
        if kind is float:
            return float(data)
        if kind in (int, str, bool):
            return data
    raise TypeError(f"unsupported type {kind}")


@cache
def _hints(kind: type) -> dict[str, Any]:
    # Resolves the string annotations that ``from __future__ import annotations`` leaves.
    return typing.get_type_hints(kind)
