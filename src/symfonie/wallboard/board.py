"""The wallboard's content: the router's figures, shaped once for the page and for data.json.

The figures themselves come from ``symfonie.routing.wallboard`` (read from the projected rows,
so any process can answer). Here they get what a board needs on top: the colour of the service
level, agents grouped by state with their skills, agents who never signed in to routing (no
profile yet: offline), and the id of the newest event, from which the page's WebSocket resumes.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from symfonie.events.models import Event
from symfonie.routing.config import ROUTABLE_ROLES
from symfonie.routing.models import AgentSkill, BreakReason, Skill
from symfonie.routing.wallboard import QueueFigures, agent_figures, queue_figures
from symfonie.tenants.models import Membership, Tenant

#: Agent states in the order the board shows their groups.
STATES = ("available", "busy", "wrap_up", "break", "not_responding", "offline")
STATE_LABELS = {
    "available": _("Available"),
    "busy": _("Busy"),
    "wrap_up": _("Wrap-up"),
    "break": _("Break"),
    "not_responding": _("Not responding"),
    "offline": _("Offline"),
}
#: A service level at most this far below its target is amber, further below red.
AMBER_MARGIN = 0.05


def service_level_status(service_level: float | None, target: float) -> str:
    """``green`` at or above the target, ``amber`` within 5 points below it, else ``red``;
    ``none`` before anything was answered or abandoned today."""
    if service_level is None:
        return "none"
    # compare in whole permille: 0.9 - 0.05 is 0.8499999… in floating point
    level, goal = round(service_level * 1000), round(target * 1000)
    if level >= goal:
        return "green"
    if level >= goal - round(AMBER_MARGIN * 1000):
        return "amber"
    return "red"


def clock(seconds: float | None) -> str:
    """``mm:ss`` below an hour, ``h:mm:ss`` from then on, ``–`` when unknown (as wallboard.js)."""
    if seconds is None:
        return "–"
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def percent(value: float | None) -> str:
    """Whole percent, halves rounded up (as wallboard.js; Python's round() rounds to even)."""
    return "–" if value is None else f"{math.floor(value * 100 + 0.5)} %"


def seconds_attr(seconds: float | None) -> str:
    """Seconds for a ``data-seconds`` attribute: never localised ("12,5" would not parse)."""
    return "" if seconds is None else f"{seconds:.3f}"


def skill_summary(levels: dict[str, int], names: dict[str, str]) -> str:
    """ "Huur 3 · Reparaties 2" in the order of the skills' names (as wallboard.js)."""
    held = sorted(levels.items(), key=lambda item: names.get(item[0], item[0]).casefold())
    return " · ".join(f"{names.get(code, code)} {level}" for code, level in held)


@dataclass
class AgentRow:
    user_id: int
    name: str
    presence: str
    reason: str
    reason_label: str
    since: datetime | None
    seconds_in_state: float | None
    in_hand: int
    skills: dict[str, int] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        row = asdict(self)
        row["since"] = self.since.isoformat() if self.since else None
        return row


@dataclass
class Board:
    at: datetime
    last_event_id: int
    queues: list[QueueFigures]
    agents: list[AgentRow]
    skills: list[Skill]
    break_reasons: list[BreakReason]

    def as_json(self) -> dict[str, Any]:
        return {
            "at": self.at.isoformat(),
            "last_event_id": self.last_event_id,
            "queues": [
                {
                    **asdict(q),
                    "sl_status": service_level_status(q.service_level, q.service_level_target),
                }
                for q in self.queues
            ],
            "agents": [a.as_json() for a in self.agents],
        }

    def queue_rows(self) -> list[dict[str, Any]]:
        """The queues with their figures formatted as the page shows them."""
        return [
            {
                "figures": q,
                "longest": clock(q.longest_wait_seconds),
                "longest_seconds": seconds_attr(q.longest_wait_seconds),
                "sl": percent(q.service_level),
                "sl_status": service_level_status(q.service_level, q.service_level_target),
                "target": percent(q.service_level_target),
            }
            for q in self.queues
        ]

    def agent_groups(self) -> list[dict[str, Any]]:
        """Every state, in board order, with its agents (an empty group is shown too)."""
        names = {s.code: s.name for s in self.skills}
        groups = []
        for state in STATES:
            agents = [
                {
                    "row": a,
                    "label": STATE_LABELS[state],
                    "in_state": clock(a.seconds_in_state),
                    "in_state_seconds": seconds_attr(a.seconds_in_state),
                    "skill_summary": skill_summary(a.skills, names),
                    "skill_levels": [(s, a.skills.get(s.code, 0)) for s in self.skills],
                }
                for a in self.agents
                if a.presence == state
            ]
            groups.append({"state": state, "label": STATE_LABELS[state], "agents": agents})
        return groups


def build_board(tenant: Tenant, now: datetime | None = None) -> Board:
    now = now or timezone.now()
    # the newest event id first: events after it may or may not be in the figures below, so a
    # page resuming its WebSocket from this id replays them and refetches (never misses one)
    last_event_id = Event.objects.filter(tenant=tenant).aggregate(m=Max("pk"))["m"] or 0
    queues = queue_figures(tenant, now)
    reasons = list(BreakReason.objects.filter(tenant=tenant).order_by("name"))
    reason_names = {r.code: r.name for r in reasons}
    rows = [
        AgentRow(
            user_id=a.user_id,
            name=a.name,
            presence=a.presence,
            reason=a.reason,
            reason_label=reason_names.get(a.reason, a.reason),
            since=a.since,
            seconds_in_state=a.seconds_in_state,
            in_hand=a.in_hand,
        )
        for a in agent_figures(tenant, now)
    ]
    # agents without a routing profile have never been available: offline, since unknown
    with_profile = {row.user_id for row in rows}
    members = (
        Membership.objects.filter(tenant=tenant, role__in=ROUTABLE_ROLES)
        .exclude(user_id__in=with_profile)
        .select_related("user")
    )
    rows += [
        AgentRow(
            user_id=m.user.pk,
            name=m.user.get_full_name() or m.user.email,
            presence="offline",
            reason="",
            reason_label="",
            since=None,
            seconds_in_state=None,
            in_hand=0,
        )
        for m in members
    ]
    by_user = {row.user_id: row for row in rows}
    levels = AgentSkill.objects.filter(
        agent__user_id__in=by_user, skill__tenant=tenant
    ).values_list("agent__user_id", "skill__code", "proficiency")
    for user_id, code, level in levels:
        by_user[user_id].skills[code] = level
    rows.sort(key=lambda row: (row.name.casefold(), row.user_id))
    return Board(
        at=now,
        last_event_id=last_event_id,
        queues=queues,
        agents=rows,
        skills=list(Skill.objects.filter(tenant=tenant).order_by("name", "code")),
        break_reasons=reasons,
    )
