"""Read-only questions to the router: waiting order, queue position, estimated waiting time,
the next moment time changes something. Mixed into ``Router``; nothing here changes state."""

from __future__ import annotations

from datetime import datetime, timedelta

from symfonie.domain.routing import errors
from symfonie.domain.routing.model import WORKING, Queue
from symfonie.domain.routing.scoring import order_key
from symfonie.domain.routing.selection import is_qualified
from symfonie.domain.routing.state import AgentState, Assignment, RouterState, WaitingContact


class QueriesMixin:
    """The read-only half of ``Router`` (and the lookups its commands share)."""

    _state: RouterState

    def waiting_order(self, queue_id: str, now: datetime) -> list[str]:
        """The ids of the contacts waiting in ``queue_id`` (offered ones included), next first."""
        queue = self._queue(queue_id)
        contacts = [c for c in self._state.waiting.values() if c.queue_id == queue_id]
        contacts.sort(key=lambda c: order_key(c, queue, now))
        return [c.contact_id for c in contacts]

    def queue_position(self, contact_id: str, now: datetime) -> int:
        """1-based place of a waiting contact in its queue's waiting order at ``now``."""
        contact = self._waiting(contact_id)
        return self.waiting_order(contact.queue_id, now).index(contact_id) + 1

    def estimated_wait_seconds(self, contact_id: str, now: datetime) -> float | None:
        """Expected remaining wait in seconds: 0 with an offer in flight, None if nobody at work
        can serve the queue.

        Whitt's queue-length estimator (W. Whitt, "Predicting queueing delays", Management
        Science 45(6), 1999): the contact at position n+1 waits about (n+1)·AHT / s, where s is
        the number of slots of agents at work (available, busy, wrap-up) qualified for the
        queue, and AHT the queue's moving-average slot time (accept → release). It ignores
        contacts of other queues that share those agents.
        """
        contact = self._waiting(contact_id)
        if contact.offer_id is not None:
            return 0.0
        queue = self._state.queues[contact.queue_id]
        wait_in_queue_seconds = (now - contact.entered_queue_at).total_seconds()
        slots = 0
        for agent_state in self._state.agents.values():
            if agent_state.presence in WORKING and is_qualified(
                agent_state.agent, queue, wait_in_queue_seconds
            ):
                per_agent = agent_state.agent.capacity.slots(queue.slot)
                if queue.max_per_agent is not None:
                    per_agent = min(per_agent, queue.max_per_agent)
                slots += per_agent
        if slots == 0:
            return None
        handle_seconds = self._state.handle_seconds_average.get(
            queue.queue_id, queue.expected_handle_seconds
        )
        return self.queue_position(contact_id, now) * handle_seconds / slots

    def next_deadline(self, now: datetime) -> datetime | None:
        """The first moment after ``now`` at which ``tick`` may decide something (an offer
        timeout, a wrap-up limit, an overflow, a relaxation step, the end of a sticky wait or
        of a decline cooldown); None if time alone changes nothing. A simulator advances to it.
        """
        state = self._state
        moments = [o.expires_at for o in state.offers.values()]
        for agent_state in state.agents.values():
            for assignment in agent_state.assignments.values():
                limit = state.queues[assignment.queue_id].wrap_up_limit_seconds
                if assignment.wrap_up_since is not None and limit is not None:
                    moments.append(assignment.wrap_up_since + timedelta(seconds=limit))
        for contact in state.waiting.values():
            queue = state.queues[contact.queue_id]
            entered = contact.entered_queue_at
            if queue.overflow is not None and queue.overflow.after_wait_seconds is not None:
                moments.append(entered + timedelta(seconds=queue.overflow.after_wait_seconds))
            moments.extend(entered + timedelta(seconds=s.after_seconds) for s in queue.relaxation)
            if contact.reserved_until is not None:
                moments.append(contact.reserved_until)
            moments.extend(contact.declined_until.values())
        future = [moment for moment in moments if moment > now]
        return min(future) if future else None

    # -- lookups that raise the router's NotFound/Conflict errors ------------------------

    def _queue(self, queue_id: str) -> Queue:
        queue = self._state.queues.get(queue_id)
        if queue is None:
            raise errors.UnknownQueue(f"no queue {queue_id}")
        return queue

    def _agent(self, agent_id: str) -> AgentState:
        agent_state = self._state.agents.get(agent_id)
        if agent_state is None:
            raise errors.UnknownAgent(f"no agent {agent_id}")
        return agent_state

    def _waiting(self, contact_id: str) -> WaitingContact:
        contact = self._state.waiting.get(contact_id)
        if contact is None:
            if contact_id in self._state.assigned_agent:
                raise errors.WrongContactState(f"contact {contact_id} is not waiting")
            raise errors.UnknownContact(f"no contact {contact_id}")
        return contact

    def _assignment(self, contact_id: str) -> tuple[AgentState, Assignment]:
        agent_id = self._state.assigned_agent.get(contact_id)
        if agent_id is None:
            if contact_id in self._state.waiting:
                raise errors.WrongContactState(f"contact {contact_id} has no agent yet")
            raise errors.UnknownContact(f"no contact {contact_id}")
        agent_state = self._state.agents[agent_id]
        return agent_state, agent_state.assignments[contact_id]

    def _queue_of(self, contact_id: str) -> str:
        waiting = self._state.waiting.get(contact_id)
        if waiting is not None:
            return waiting.queue_id
        return self._assignment(contact_id)[1].queue_id
