"""Benchmark: routing decisions per second of the routing core alone, and their latency.

A seeded, single-threaded discrete-event run of one contact-centre day against one
``symfonie.domain.routing.Router`` (no Django, no I/O), on a fake clock the bench advances:

* 1,000 agents of one tenant, each hired for a home queue, 1–4 skills each out of 30
  (proficiency 1–5), speaking nl, nl+en, nl+en+fr, nl+fr, en or fr; capacity voice (exclusive)
  and/or up to 3 chats and/or up to 2 e-mails/messages. They log in during the first 5 minutes,
  take breaks (reason codes: pauze, lunch, coaching) every one to two hours and, after an
  unanswered offer, come back from NOT_RESPONDING after 20–60 s;
* 100 queues (40 voice, 30 chat, 20 e-mail, 10 messaging) in nl/en/fr, needing 1 or 2 of those
  skills at proficiency 1–4, with priority tiers (voice above chat above e-mail), queue credits,
  service-level targets, relaxation steps, ``max_per_agent`` on some chat queues, overflow after
  waiting on some voice queues, sticky routing on the messaging queues, wrap-up limits on voice;
* Poisson arrivals on every queue, building up over the first half hour to about 85 % of the
  qualified capacity; 8 % priority customers (90 s credit), returning messaging customers
  (sticky agent). Agents answer an offer after 1–10 s (2.5 % decline, 1 % never answer: the
  offer times out), handle it for a log-normal time, do wrap-up (voice, chat); callers and
  chatters hang up after their patience.

**A routing decision** is one call of a router command that decides what happens to a contact
or an agent: ``contact_arrived`` (the arrival is offered to an agent or queued),
``offer_accepted`` and ``offer_declined`` (the contact is the agent's, or goes to the next agent),
``contact_ended`` (abandoned, or wrap-up/release, after which the agent may pick the next contact),
``wrap_up_completed`` (the agent becomes free and picks the next contact), and
``agent_presence_changed`` (available: picks the next contact; break: the offer is withdrawn).
Each call ends with the routing pass and counts once, whatever it returns. ``tick`` (called
every simulated second, as the server does: offer timeouts, wrap-up limits, overflow, relaxation)
is a decision too; figures without the ticks are reported beside. Configuring queues and agents
is set-up, not timed.

Each decision is timed with ``time.perf_counter_ns`` around the call; decisions per second are
decisions / the summed time inside those calls (the bench's own bookkeeping is left out; the
wall clock of the whole run is reported too), compared with the goal of 50,000 decisions/s and
p99 ≤ 1 ms on one core. The default day (8 simulated hours) takes well under a minute.
``events_sha256`` digests the decided events (type and ids), so two versions of the core can be
checked to decide the same on this workload.
Writes ``bench/results/routing.json``.

    PYTHONPATH=src python bench/bench_routing.py [--hours 8] [--seed 20250303]
"""

from __future__ import annotations

import argparse
import hashlib
import heapq
import json
import math
import os
import platform
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from symfonie.domain.routing import (
    Agent,
    Arrival,
    Capacity,
    Channel,
    OverflowRule,
    Presence,
    Queue,
    RelaxationStep,
    Router,
    RoutingEvent,
    ServiceLevel,
    SkillRequirement,
)
from symfonie.domain.routing.events import (
    AgentPresenceChanged,
    ContactAbandoned,
    ContactAssigned,
    ContactOffered,
    ContactQueued,
    ContactReleased,
    WrapUpStarted,
)
from symfonie.domain.routing.selection import is_qualified

RESULTS = Path(__file__).resolve().parent / "results" / "routing.json"
GOAL_DECISIONS_PER_SECOND = 50_000
GOAL_P99_MICROSECONDS = 1_000
SEED = 20250303
TENANT = "klantenservice"
START = datetime(2025, 3, 3, 7, 0, tzinfo=UTC)  # Monday 08:00 in Amsterdam
AGENTS = 1_000
QUEUES = 100
SKILLS = [f"skill{index:02d}" for index in range(30)]
LOAD = 0.85  # offered work / qualified capacity
RAMP_SECONDS = 1800
CHANNEL_MIX = [Channel.VOICE] * 40 + [Channel.CHAT] * 30 + [Channel.EMAIL] * 20
CHANNEL_MIX += [Channel.MESSAGE] * 10
LANGUAGE_MIXES = [
    ({"nl"}, 0.45),
    ({"nl", "en"}, 0.27),
    ({"nl", "en", "fr"}, 0.10),
    ({"nl", "fr"}, 0.10),
    ({"en"}, 0.04),
    ({"fr"}, 0.04),
]
# Mean handle and wrap-up seconds, patience (None: never hangs up), answer delay range.
HANDLE_SECONDS = {Channel.VOICE: 240, Channel.CHAT: 480, Channel.EMAIL: 300, Channel.MESSAGE: 200}
WRAP_UP_SECONDS = {Channel.VOICE: 30, Channel.CHAT: 20}
PATIENCE_SECONDS = {Channel.VOICE: 180, Channel.CHAT: 300}
ANSWER_DELAY_SECONDS = {
    Channel.VOICE: (1, 4),
    Channel.CHAT: (1, 6),
    Channel.EMAIL: (2, 10),
    Channel.MESSAGE: (2, 8),
}
DECLINE, NO_ANSWER = 0.025, 0.01
PRIORITY_SHARE, PRIORITY_CREDIT_SECONDS = 0.08, 90.0
RETURNING_SHARE = 0.3


def build_queues(rng: random.Random) -> list[Queue]:
    """100 queues of one tenant over the 30 skills, in nl (60 %), en (25 %), fr (15 %)."""
    queues: list[Queue] = []
    channels = CHANNEL_MIX[:]
    rng.shuffle(channels)
    for index, channel in enumerate(channels):
        language = rng.choices(["nl", "en", "fr"], weights=[60, 25, 15])[0]
        skills = rng.sample(SKILLS, 2 if rng.random() < 0.3 else 1)
        required = tuple(
            SkillRequirement(skill=skill, min_proficiency=rng.choice([1, 2, 2, 3, 3, 4]))
            for skill in skills
        )
        settings: dict[str, Any] = {}
        if channel is Channel.VOICE:
            settings.update(
                priority=2,
                relaxation=(
                    RelaxationStep(after_seconds=20, min_proficiency=2),
                    RelaxationStep(after_seconds=45, min_proficiency=1),
                ),
                wrap_up_limit_seconds=120,
            )
            if rng.random() < 0.3:
                settings["service_level"] = ServiceLevel(percent=90, threshold_seconds=15)
        elif channel is Channel.CHAT:
            settings.update(
                priority=1,
                relaxation=(
                    RelaxationStep(after_seconds=30, min_proficiency=2),
                    RelaxationStep(after_seconds=60, min_proficiency=1),
                ),
                max_per_agent=rng.choice([None, None, 2, 1]),
            )
        else:
            settings.update(
                relaxation=(RelaxationStep(after_seconds=1800, min_proficiency=1),),
                wrap_up_required=False,
                service_level=ServiceLevel(percent=90, threshold_seconds=4 * 3600),
            )
            if channel is Channel.MESSAGE:
                settings.update(sticky_window_seconds=86_400, sticky_wait_seconds=60)
        if rng.random() < 0.15:  # a VIP line: a head start for every contact of the queue
            settings["priority_credit_seconds"] = 30.0
        queues.append(
            Queue(
                queue_id=f"q{index:03d}-{channel.value}-{language}",
                tenant_id=TENANT,
                channel=channel,
                language=language,
                required_skills=required,
                expected_handle_seconds=HANDLE_SECONDS[channel],
                **settings,
            )
        )
    # Some voice queues overflow after 90 s to another voice queue of the same language.
    voice = [q for q in queues if q.channel is Channel.VOICE]
    for position, queue in enumerate(queues):
        if queue.channel is Channel.VOICE and rng.random() < 0.25:
            targets = [q for q in voice if q.language == queue.language and q is not queue]
            if targets:
                rule = OverflowRule(to_queue_id=rng.choice(targets).queue_id, after_wait_seconds=90)
                queues[position] = _replace(queue, overflow=rule)
    return queues


def _replace(queue: Queue, **changes: Any) -> Queue:
    fields = {name: getattr(queue, name) for name in queue.__dataclass_fields__}
    fields.update(changes)
    return Queue(**fields)


def build_agents(rng: random.Random, queues: list[Queue]) -> list[Agent]:
    """1,000 agents, each hired for a home queue that fits their languages and channels (the
    one with the fewest agents so far), with its skills at about its level (some below:
    they take it after relaxation), plus other skills up to 1–4 in all, proficiency 1–5."""
    profiles = [
        (Capacity(voice=True), 0.35),
        (Capacity(voice=True, chats=2), 0.15),
        (Capacity(voice=False, chats=3, messages=1), 0.2),
        (Capacity(voice=False, chats=2, messages=2), 0.1),
        (Capacity(voice=False, messages=2), 0.1),
        (Capacity(voice=True, chats=1, messages=2), 0.1),
    ]
    hired: Counter[str] = Counter()
    agents = []
    for index in range(AGENTS):
        languages = rng.choices([m for m, _ in LANGUAGE_MIXES], [w for _, w in LANGUAGE_MIXES])[0]
        capacity = rng.choices([p for p, _ in profiles], [w for _, w in profiles])[0]
        fitting = [q for q in queues if q.language in languages and capacity.slots(q.slot) > 0]
        home = min(fitting, key=lambda q: (hired[q.queue_id], rng.random()))
        hired[home.queue_id] += 1
        skills = {
            r.skill: max(
                1, min(5, r.min_proficiency + rng.choices([-1, 0, 1, 2], [15, 35, 30, 20])[0])
            )
            for r in home.required_skills
        }
        count = max(len(skills), rng.choices([1, 2, 3, 4], weights=[20, 35, 30, 15])[0])
        while len(skills) < count:
            if rng.random() < 0.7:
                skill = rng.choice(rng.choice(fitting).required_skills).skill
            else:
                skill = rng.choice(SKILLS)
            skills.setdefault(skill, rng.choices([1, 2, 3, 4, 5], [10, 20, 30, 25, 15])[0])
        agents.append(
            Agent(
                agent_id=f"a{index:04d}",
                tenant_ids=frozenset({TENANT}),
                skills=skills,
                languages=frozenset(languages),
                capacity=capacity,
            )
        )
    return agents


def arrival_rates(queues: list[Queue], agents: list[Agent]) -> list[float]:
    """Arrivals per second per queue: ``LOAD`` × the capacity of its qualified agents, each
    agent's slots shared evenly between its channels and the queues it qualifies for."""
    serves: dict[str, list[Queue]] = {a.agent_id: [] for a in agents}
    for queue in queues:
        for agent in agents:
            if is_qualified(agent, queue, math.inf):
                serves[agent.agent_id].append(queue)
    rates = [0.0] * len(queues)
    position = {queue.queue_id: index for index, queue in enumerate(queues)}
    for agent in agents:
        mine = serves[agent.agent_id]
        kinds = {queue.slot for queue in mine}
        for queue in mine:
            slots = agent.capacity.slots(queue.slot)
            if queue.max_per_agent is not None:
                slots = min(slots, queue.max_per_agent)
            same_kind = sum(1 for q in mine if q.slot is queue.slot)
            busy_seconds = HANDLE_SECONDS[queue.channel] + WRAP_UP_SECONDS.get(queue.channel, 0)
            share = slots / len(kinds) / same_kind
            rates[position[queue.queue_id]] += LOAD * share / busy_seconds
    return rates


@dataclass
class Tally:
    """What happened, to check that the workload looks like a contact centre."""

    counts: Counter[str] = field(default_factory=Counter)
    waits: dict[str, list[float]] = field(default_factory=dict)

    def wait(self, channel: Channel, seconds: float) -> None:
        self.waits.setdefault(channel.value, []).append(seconds)


class Bench:
    """The discrete-event loop around one router: a heap of (time, sequence, action)."""

    def __init__(self, seed: int, hours: float) -> None:
        self.rng = random.Random(seed)
        self.queues = build_queues(self.rng)
        self.agents = build_agents(self.rng, self.queues)
        self.rates = arrival_rates(self.queues, self.agents)
        self.queue_of = {queue.queue_id: queue for queue in self.queues}
        self.end_seconds = hours * 3600
        self.router = Router()
        self.heap: list[tuple[float, int, str, Any]] = []
        self.sequence = 0
        self.samples: dict[str, list[int]] = {}
        self.digest = hashlib.sha256()
        self.tally = Tally()
        self.contact_number = 0
        self.customers: dict[str, list[str]] = {q.queue_id: [] for q in self.queues}
        self.last_agent: dict[str, tuple[str, datetime]] = {}
        self.customer_of: dict[str, str] = {}
        self.channel_of: dict[str, Channel] = {}
        self.queued_at: dict[str, datetime] = {}

    # -- the fake clock and the timed calls -------------------------------------------------

    @staticmethod
    def clock(seconds: float) -> datetime:
        return START + timedelta(seconds=round(seconds, 3))

    def schedule(self, seconds: float, action: str, payload: Any = None) -> None:
        self.sequence += 1
        heapq.heappush(self.heap, (seconds, self.sequence, action, payload))

    def decide(self, name: str, command: Callable[..., list[RoutingEvent]], *args: Any) -> None:
        started = time.perf_counter_ns()
        events = command(*args)
        elapsed = time.perf_counter_ns() - started
        self.samples.setdefault(name, []).append(elapsed)
        self.follow(events)

    # -- set-up -------------------------------------------------------------------------------

    def configure(self) -> float:
        started = time.perf_counter()
        for queue in self.queues:
            self.router.configure_queue(queue, START)
        for agent in self.agents:
            self.router.configure_agent(agent, START)
        configured = time.perf_counter() - started
        for agent in self.agents:
            self.schedule(self.rng.uniform(0, 300), "log_in", agent.agent_id)
        for index, rate in enumerate(self.rates):
            if rate > 0:
                self.schedule(self.rng.expovariate(rate), "arrive", index)
        self.schedule(1.0, "tick")
        return configured

    # -- the run ------------------------------------------------------------------------------

    def run(self) -> None:
        router = self.router
        state = router.state
        while self.heap:
            seconds, _, action, payload = heapq.heappop(self.heap)
            if seconds > self.end_seconds:
                break
            now = self.clock(seconds)
            if action == "tick":
                self.decide("tick", router.tick, now)
                self.schedule(seconds + 1.0, "tick")
            elif action == "arrive":
                self.arrive(payload, seconds, now)
            elif action == "answer":
                offer_id, agent_id, accept = payload
                if offer_id in state.offers:  # not withdrawn in the meantime
                    if accept:
                        self.decide(
                            "offer_accepted", router.offer_accepted, offer_id, agent_id, now
                        )
                    else:
                        self.decide(
                            "offer_declined", router.offer_declined, offer_id, agent_id, now
                        )
            elif action == "end":
                agent_id = state.assigned_agent.get(payload)
                if agent_id is not None:
                    assignment = state.agents[agent_id].assignments[payload]
                    if assignment.wrap_up_since is None:
                        self.decide("contact_ended", router.contact_ended, payload, now)
            elif action == "wrap_up_done":
                agent_id = state.assigned_agent.get(payload)
                if agent_id is not None:  # not released by the wrap-up limit already
                    self.decide("wrap_up_completed", router.wrap_up_completed, payload, now)
            elif action == "hang_up":
                if payload in state.waiting:
                    self.decide("contact_ended", router.contact_ended, payload, now)
            else:
                self.presence(action, payload, seconds, now)

    def arrive(self, index: int, seconds: float, now: datetime) -> None:
        queue = self.queues[index]
        self.schedule(seconds + self.rng.expovariate(self.rates[index]), "arrive", index)
        if seconds < RAMP_SECONDS and self.rng.random() >= seconds / RAMP_SECONDS:
            return  # the morning: traffic builds up over the first half hour (thinning)
        self.contact_number += 1
        contact_id = f"c{self.contact_number}"
        customer = f"k{self.contact_number}"
        known = self.customers[queue.queue_id]
        last_agent_id: str | None = None
        last_served_at: datetime | None = None
        if queue.sticky_window_seconds and known and self.rng.random() < RETURNING_SHARE:
            customer = self.rng.choice(known)
            if customer in self.last_agent:
                last_agent_id, last_served_at = self.last_agent[customer]
        elif queue.sticky_window_seconds:
            known.append(customer)
        self.customer_of[contact_id] = customer
        self.channel_of[contact_id] = queue.channel
        credit = PRIORITY_CREDIT_SECONDS if self.rng.random() < PRIORITY_SHARE else 0.0
        arrival = Arrival(
            contact_id=contact_id,
            queue_id=queue.queue_id,
            priority_credit_seconds=credit,
            last_agent_id=last_agent_id,
            last_served_at=last_served_at,
        )
        patience = PATIENCE_SECONDS.get(queue.channel)
        if patience is not None:
            self.schedule(seconds + self.rng.expovariate(1 / patience), "hang_up", contact_id)
        self.tally.counts["arrived"] += 1
        self.decide("contact_arrived", self.router.contact_arrived, arrival, now)

    def presence(self, action: str, agent_id: str, seconds: float, now: datetime) -> None:
        router = self.router
        presence = router.state.agents[agent_id].presence
        if action == "log_in":
            self.decide(
                "agent_presence_changed",
                router.agent_presence_changed,
                agent_id,
                Presence.AVAILABLE,
                now,
            )
            self.schedule(seconds + self.rng.uniform(3600, 7200), "break", agent_id)
        elif action == "break":
            reason = self.rng.choices(["pauze", "lunch", "coaching"], [70, 20, 10])[0]
            self.tally.counts["breaks"] += 1
            self.decide(
                "agent_presence_changed",
                router.agent_presence_changed,
                agent_id,
                Presence.BREAK,
                now,
                reason,
            )
            length = 1800 if reason == "lunch" else self.rng.uniform(300, 900)
            self.schedule(seconds + length, "back", agent_id)
            self.schedule(seconds + length + self.rng.uniform(3600, 7200), "break", agent_id)
        elif action == "back":
            if presence in (Presence.BREAK, Presence.NOT_RESPONDING):
                self.decide(
                    "agent_presence_changed",
                    router.agent_presence_changed,
                    agent_id,
                    Presence.AVAILABLE,
                    now,
                )
        else:
            raise ValueError(action)

    def follow(self, events: list[RoutingEvent]) -> None:
        """Turn the router's decisions into the agents' and customers' next actions."""
        rng = self.rng
        for event in events:
            self.digest.update(
                f"{event.type}|{getattr(event, 'contact_id', '')}|"
                f"{getattr(event, 'agent_id', '')}|{getattr(event, 'offer_id', '')}\n".encode()
            )
            self.tally.counts[event.type] += 1
            seconds = (event.at - START).total_seconds()
            if isinstance(event, ContactOffered):
                channel = self.channel_of[event.contact_id]
                low, high = ANSWER_DELAY_SECONDS[channel]
                draw = rng.random()
                if draw >= NO_ANSWER:  # else nobody answers and the offer times out
                    accept = draw >= NO_ANSWER + DECLINE
                    self.schedule(
                        seconds + rng.uniform(low, high),
                        "answer",
                        (event.offer_id, event.agent_id, accept),
                    )
            elif isinstance(event, ContactAssigned):
                channel = self.channel_of[event.contact_id]
                mean = HANDLE_SECONDS[channel]
                handle = rng.lognormvariate(math.log(mean) - 0.18, 0.6)
                self.schedule(seconds + handle, "end", event.contact_id)
                self.last_agent[self.customer_of[event.contact_id]] = (event.agent_id, event.at)
                self.tally.wait(
                    channel, (event.at - self.queued_at.pop(event.contact_id)).total_seconds()
                )
            elif isinstance(event, WrapUpStarted):
                mean = WRAP_UP_SECONDS[self.channel_of[event.contact_id]]
                self.schedule(seconds + rng.expovariate(1 / mean), "wrap_up_done", event.contact_id)
            elif isinstance(event, ContactQueued):
                self.queued_at[event.contact_id] = event.at
            elif isinstance(event, ContactAbandoned):
                self.queued_at.pop(event.contact_id, None)
            elif isinstance(event, ContactReleased):
                self.channel_of.pop(event.contact_id, None)
                self.customer_of.pop(event.contact_id, None)
            elif (
                isinstance(event, AgentPresenceChanged)
                and event.presence is Presence.NOT_RESPONDING
            ):
                self.schedule(seconds + rng.uniform(20, 60), "back", event.agent_id)


def latency(samples: list[int]) -> dict[str, float]:
    """Count, mean, p50, p99 and max of nanosecond samples, in microseconds."""
    values = np.array(samples, dtype=np.int64)
    return {
        "count": len(samples),
        "mean_us": float(values.mean()) / 1000,
        "p50_us": float(np.percentile(values, 50)) / 1000,
        "p99_us": float(np.percentile(values, 99)) / 1000,
        "max_us": float(values.max()) / 1000,
    }


def summary(samples: list[int]) -> dict[str, Any]:
    seconds = sum(samples) / 1e9
    rate = len(samples) / seconds
    figures = latency(samples)
    return {
        "decisions": len(samples),
        "router_seconds": seconds,
        "decisions_per_second": rate,
        "ratio_to_goal": rate / GOAL_DECISIONS_PER_SECOND,
        **{key: value for key, value in figures.items() if key != "count"},
        "p99_within_goal": figures["p99_us"] <= GOAL_P99_MICROSECONDS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=8.0, help="simulated hours")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--output", type=Path, default=RESULTS)
    args = parser.parse_args()
    bench = Bench(args.seed, args.hours)
    configure_seconds = bench.configure()
    started = time.perf_counter()
    bench.run()
    wall_seconds = time.perf_counter() - started
    every = [sample for samples in bench.samples.values() for sample in samples]
    without_ticks = [
        s for name, samples in bench.samples.items() if name != "tick" for s in samples
    ]
    counts = bench.tally.counts
    state = bench.router.state
    report: dict[str, Any] = {
        "benchmark": "routing",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "decision": (
            "one call of a Router command that decides what happens to a contact or an agent "
            "and ends with the routing pass: contact_arrived (offered or queued), "
            "offer_accepted, offer_declined, contact_ended (abandoned, wrap-up or release), "
            "wrap_up_completed and agent_presence_changed (the agent picks the next contact "
            "or the offer is withdrawn), and tick every simulated second (timeouts, wrap-up "
            "limits, overflow, relaxation); set-up (configure_*) is not counted"
        ),
        "timing": (
            "time.perf_counter_ns around each call, single process and thread; "
            "decisions_per_second = decisions / summed time inside the calls"
        ),
        "workload": {
            "seed": args.seed,
            "simulated_hours": args.hours,
            "agents": AGENTS,
            "queues": QUEUES,
            "skills": len(SKILLS),
            "channels": dict(Counter(q.channel.value for q in bench.queues)),
            "offered_load": LOAD,
            "contacts_arrived": counts["arrived"],
            "offers": counts["contact.offered"],
            "assigned": counts["contact.assigned"],
            "declined": counts["offer.declined"],
            "timed_out": counts["offer.timed_out"],
            "withdrawn": counts["offer.withdrawn"],
            "abandoned": counts["contact.abandoned"],
            "overflowed": counts["contact.overflowed"],
            "breaks": counts["breaks"],
            "waiting_at_end": len(state.waiting),
            "mean_wait_seconds": {
                channel: sum(waits) / len(waits) for channel, waits in bench.tally.waits.items()
            },
            "p90_wait_seconds": {
                channel: float(np.percentile(waits, 90))
                for channel, waits in bench.tally.waits.items()
            },
        },
        "symfonie": {
            **summary(every),
            "goal_decisions_per_second": GOAL_DECISIONS_PER_SECOND,
            "goal_p99_us": GOAL_P99_MICROSECONDS,
            "excluding_ticks": summary(without_ticks),
            "by_command": {
                name: latency(samples) for name, samples in sorted(bench.samples.items())
            },
            "configure_seconds": configure_seconds,
            "wall_seconds": wall_seconds,
            "events_sha256": bench.digest.hexdigest(),
        },
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
