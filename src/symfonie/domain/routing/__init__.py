"""The routing core (ACD): queues, agents, presence, waiting order, agent choice, offers.

Pure Python, no Django: the caller passes ``now`` into every command, so the same ``Router``
runs in the server and in the discrete-event simulator. See ``docs/routing.md``.
"""

from symfonie.domain.routing.calendar import BusinessCalendar, OpeningHours, weekday_hours
from symfonie.domain.routing.engine import Router
from symfonie.domain.routing.events import RoutingEvent, event_from_dict, event_to_dict
from symfonie.domain.routing.model import (
    AfterHoursAction,
    Agent,
    Arrival,
    Capacity,
    Channel,
    OverflowRule,
    Presence,
    Queue,
    RelaxationStep,
    ServiceLevel,
    SkillRequirement,
)

__all__ = [
    "AfterHoursAction",
    "Agent",
    "Arrival",
    "BusinessCalendar",
    "Capacity",
    "Channel",
    "OpeningHours",
    "OverflowRule",
    "Presence",
    "Queue",
    "RelaxationStep",
    "Router",
    "RoutingEvent",
    "ServiceLevel",
    "SkillRequirement",
    "event_from_dict",
    "event_to_dict",
    "weekday_hours",
]
