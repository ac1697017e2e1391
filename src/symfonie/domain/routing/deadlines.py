"""The moments ``Router.tick`` acts on, as heaps instead of scans of every offer, agent and
waiting contact: offer expiries, wrap-up limits, overflow after waiting.

Entries are pushed when the moment becomes known and checked against the state when they come
due, so one that no longer applies (the offer was answered, the wrap-up completed, the contact
moved on) is simply dropped. Each ``due_*`` returns what a full scan would find, in the order
the scan takes it. Derived from the state: rebuilt after a restore, a replay or a change of
queue configuration (limits and rules may have changed).
"""

from __future__ import annotations

import heapq
from datetime import datetime, timedelta

from symfonie.domain.routing.state import AgentState, Offer, RouterState, WaitingContact


class Deadlines:
    """Offer expiries, wrap-up limits and overflow-after-waiting moments of one router."""

    def __init__(self, state: RouterState) -> None:
        self.state = state
        self.offers: list[tuple[datetime, str]] = []
        self.wrap_ups: list[tuple[datetime, str, int, str]] = []
        self.overflows: list[tuple[datetime, int, str, str, datetime]] = []
        self.rebuild()

    def rebuild(self) -> None:
        """Derive every heap from the state."""
        state = self.state
        self.offers = [(offer.expires_at, offer.offer_id) for offer in state.offers.values()]
        heapq.heapify(self.offers)
        self.wrap_ups = []
        for agent_id, agent_state in state.agents.items():
            for contact_id in agent_state.assignments:
                self.wrap_up_started(agent_id, contact_id)
        self.rebuild_overflows()

    def rebuild_overflows(self) -> None:
        """Derive the overflow heap from the waiting contacts."""
        self.overflows = []
        for contact in self.state.waiting.values():
            self.waiting_in_queue(contact)

    # -- pushes -------------------------------------------------------------------------------

    def offered(self, offer_id: str, expires_at: datetime) -> None:
        """An offer went out."""
        heapq.heappush(self.offers, (expires_at, offer_id))

    def wrap_up_started(self, agent_id: str, contact_id: str) -> None:
        """A contact went into wrap-up (nothing to do without a limit on its queue)."""
        assignment = self.state.agents[agent_id].assignments[contact_id]
        limit = self.state.queues[assignment.queue_id].wrap_up_limit_seconds
        if assignment.wrap_up_since is not None and limit is not None:
            deadline = assignment.wrap_up_since + timedelta(seconds=limit)
            heapq.heappush(self.wrap_ups, (deadline, agent_id, assignment.sequence, contact_id))

    def waiting_in_queue(self, contact: WaitingContact) -> None:
        """A contact waits in its queue since ``entered_queue_at`` (or waits on after an offer)."""
        rule = self.state.queues[contact.queue_id].overflow
        if rule is not None and rule.after_wait_seconds is not None:
            deadline = contact.entered_queue_at + timedelta(seconds=rule.after_wait_seconds)
            entry = (deadline, contact.sequence, contact.contact_id, contact.queue_id)
            heapq.heappush(self.overflows, (*entry, contact.entered_queue_at))

    # -- what is due --------------------------------------------------------------------------

    def due_offers(self, now: datetime) -> list[Offer]:
        """Offers in flight that expired at or before ``now``, by (expiry, offer id)."""
        due, offers = self.offers, self.state.offers
        expired = []
        while due and due[0][0] <= now:
            offer = offers.get(heapq.heappop(due)[1])
            if offer is not None:
                expired.append(offer)
        return expired

    def due_wrap_ups(self, now: datetime) -> list[tuple[AgentState, str]]:
        """(agent, contact) whose wrap-up limit passed, by agent id then assignment sequence."""
        due, agents, queues = self.wrap_ups, self.state.agents, self.state.queues
        found: list[tuple[str, int, str]] = []
        while due and due[0][0] <= now:
            deadline, agent_id, sequence, contact_id = heapq.heappop(due)
            assignment = agents[agent_id].assignments.get(contact_id)
            if assignment is None or assignment.wrap_up_since is None:
                continue  # released or moved meanwhile
            limit = queues[assignment.queue_id].wrap_up_limit_seconds
            if (
                limit is not None
                and assignment.wrap_up_since + timedelta(seconds=limit) == deadline
            ):
                found.append((agent_id, sequence, contact_id))
        return [(agents[agent_id], contact_id) for agent_id, _, contact_id in sorted(found)]

    def due_overflows(self, now: datetime) -> list[WaitingContact]:
        """Contacts whose overflow-after-waiting moment passed, by sequence. The caller checks
        the rest of the rule; one with an offer in flight goes back with ``waiting_in_queue``."""
        due, waiting = self.overflows, self.state.waiting
        found: dict[str, WaitingContact] = {}
        while due and due[0][0] <= now:
            _, _, contact_id, queue_id, entered_at = heapq.heappop(due)
            contact = waiting.get(contact_id)
            if (
                contact is not None
                and contact.queue_id == queue_id
                and contact.entered_queue_at == entered_at
            ):
                found[contact_id] = contact
        return sorted(found.values(), key=lambda contact: contact.sequence)
