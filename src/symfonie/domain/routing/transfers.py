"""Transfers (to a queue or to one agent, with a note) and escalation to a supervisor queue.

A transfer is checked completely before anything changes: the target queue must belong to the
same tenant; a target agent must be at work (available, busy or wrap-up) and qualified. A
waiting contact keeps its place; a contact taken from an agent frees that agent's slot and
starts a new wait. A contact sent to one agent waits for that agent up to the target queue's
``transfer_wait_seconds``, then anyone qualified may take it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from symfonie.domain.routing import errors
from symfonie.domain.routing.dispatcher import Dispatcher, utc
from symfonie.domain.routing.events import ContactEscalated, ContactTransferred, RoutingEvent
from symfonie.domain.routing.model import WORKING, Queue
from symfonie.domain.routing.selection import is_qualified
from symfonie.domain.routing.state import AgentState


class TransferCommands(Dispatcher):
    """The transfer and escalation commands of ``Router``."""

    def transfer_to_queue(
        self, contact_id: str, queue_id: str, now: datetime, note: str = ""
    ) -> list[RoutingEvent]:
        """Move a waiting or active contact to another queue of the same tenant, with a note."""
        return self._transfer(contact_id, queue_id, None, note, utc(now), escalation=False)

    def transfer_to_agent(
        self,
        contact_id: str,
        agent_id: str,
        now: datetime,
        note: str = "",
        queue_id: str | None = None,
    ) -> list[RoutingEvent]:
        """Send a contact to one agent (through ``queue_id``, default its current queue): it
        waits for that agent up to the queue's ``transfer_wait_seconds``, then anyone may take
        it. Refused if the agent is not at work, not qualified or of another tenant."""
        now = utc(now)
        target_queue_id = queue_id if queue_id is not None else self._queue_of(contact_id)
        return self._transfer(contact_id, target_queue_id, agent_id, note, now, escalation=False)

    def escalate(self, contact_id: str, now: datetime, note: str = "") -> list[RoutingEvent]:
        """Transfer to the current queue's supervisor (escalation) queue."""
        now = utc(now)
        queue = self._state.queues[self._queue_of(contact_id)]
        if queue.escalation_queue_id is None:
            raise errors.TransferRefused(f"queue {queue.queue_id} has no escalation queue")
        return self._transfer(contact_id, queue.escalation_queue_id, None, note, now, True)

    def _transfer(
        self,
        contact_id: str,
        to_queue_id: str,
        to_agent_id: str | None,
        note: str,
        now: datetime,
        escalation: bool,
    ) -> list[RoutingEvent]:
        state = self._state
        from_queue = state.queues[self._queue_of(contact_id)]
        target_queue = self._queue(to_queue_id)
        if target_queue.tenant_id != from_queue.tenant_id:
            raise errors.TransferRefused("a contact cannot move to another tenant's queue")
        waiting = state.waiting.get(contact_id)
        holder: AgentState | None = None
        if waiting is None:
            holder, assignment = self._assignment(contact_id)
            if assignment.wrap_up_since is not None:
                raise errors.WrongContactState(f"contact {contact_id} is already in wrap-up")
        if to_agent_id is not None:
            self._check_transfer_target(to_agent_id, target_queue, holder)
        out: list[RoutingEvent] = []
        if waiting is not None:
            if waiting.offer_id is not None:
                self._withdraw(state.offers[waiting.offer_id], "transferred", now, out)
            arrived_at, sequence = waiting.arrived_at, waiting.sequence
            credit, callback = waiting.priority_credit_seconds, waiting.callback
        else:
            assert holder is not None
            credit = holder.assignments[contact_id].priority_credit_seconds
            callback = False
            self._release(holder, contact_id, "transferred", now, out)
            arrived_at, sequence = now, state.next_sequence
        event_type = ContactEscalated if escalation else ContactTransferred
        self._emit(
            event_type(
                at=now,
                contact_id=contact_id,
                from_queue_id=from_queue.queue_id,
                to_queue_id=to_queue_id,
                from_agent_id=holder.agent.agent_id if holder else None,
                to_agent_id=to_agent_id,
                note=note,
                sequence=sequence,
                arrived_at=arrived_at,
                priority_credit_seconds=credit,
                callback=callback,
                reserved_until=(
                    now + timedelta(seconds=target_queue.transfer_wait_seconds)
                    if to_agent_id is not None
                    else None
                ),
            ),
            out,
        )
        if holder is not None:
            self._settle_presence(holder, now, out)
        self._route(now, out)
        return out

    def _check_transfer_target(
        self, agent_id: str, queue: Queue, holder: AgentState | None
    ) -> None:
        target = self._agent(agent_id)
        if holder is not None and holder.agent.agent_id == agent_id:
            raise errors.TransferRefused("a contact cannot be transferred to its own agent")
        if not is_qualified(target.agent, queue):
            raise errors.TransferRefused(f"agent {agent_id} is not qualified for {queue.queue_id}")
        if target.presence not in WORKING:
            raise errors.TransferRefused(f"agent {agent_id} is {target.presence}, not at work")
