"""The router of the installation: one in-memory ``Router`` fed from the durable inbox.

Any process may *submit* a command (``commands.submit``): it is written to ``RouterCommand``
first. The process that leads (``leadership``) carries commands out strictly in order, each in
one transaction that logs the decisions (``RouterLogEntry``), projects them into the contact and
agent rows, and stores the result the submitter waits for. A crash at any point loses nothing:
the new leader restores the newest snapshot, replays the log after it, withdraws the offers in
flight and re-offers them (``Router.recover``), then carries out the commands still pending.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.core.exceptions import ObjectDoesNotExist
from django.db import InterfaceError, OperationalError, transaction
from django.utils import timezone

from symfonie.contacts.models import Contact
from symfonie.domain.routing import Arrival, Presence, Router, event_from_dict, event_to_dict
from symfonie.domain.routing.errors import Conflict, Invalid, NotFound, RoutingError
from symfonie.domain.routing.events import RoutingEvent
from symfonie.routing.config import domain_agent, domain_queue
from symfonie.routing.models import (
    AgentProfile,
    RouterCommand,
    RouterLogEntry,
    RouterSnapshot,
    RoutingQueue,
    WaitingEstimate,
)
from symfonie.routing.projection import Projector

logger = logging.getLogger(__name__)

#: Take a snapshot after this many log entries, so a restart replays little.
SNAPSHOT_EVERY = 2000
#: Waiting contacts per queue that get an expected wait (each costs a sort of the queue).
ESTIMATED_PER_QUEUE = 200

Clock = Callable[[], datetime]


def refusal(error: RoutingError) -> dict[str, Any]:
    """The stored result of a command the router refused (what the API answers)."""
    status = 404 if isinstance(error, NotFound) else 409 if isinstance(error, Conflict) else 422
    if not isinstance(error, NotFound | Conflict | Invalid):
        status = 422
    return {"status": status, "error": type(error).__name__, "detail": str(error)}


def _internal(error: Exception) -> dict[str, Any]:
    return {
        "status": 422,
        "error": type(error).__name__,
        "detail": "the router could not carry this out; the error is logged",
    }


class RouterService:
    """Owns the ``Router`` while this process leads. Call everything under ``self.lock``."""

    def __init__(self, clock: Clock = timezone.now) -> None:
        self.clock = clock
        self.lock = threading.RLock()
        self.router: Router | None = None
        self.last_entry_id = 0
        self.entries_since_snapshot = 0
        self.estimates_written = True  # a previous leader may have left rows behind

    # -- start ------------------------------------------------------------------------------

    def load(self) -> None:
        """Restore from the newest snapshot and the log after it, sync the configuration
        from the database, and recover the offers that were in flight."""
        snapshot = RouterSnapshot.objects.order_by("-last_entry_id").first()
        router = Router.restore(snapshot.data) if snapshot else Router()
        after = snapshot.last_entry_id if snapshot else 0
        entries = RouterLogEntry.objects.filter(id__gt=after).order_by("id")
        last = after
        events: list[RoutingEvent] = []
        for entry_id, data in entries.values_list("id", "data").iterator(chunk_size=2000):
            events.append(event_from_dict(data))
            last = entry_id
        router.replay(events)
        self.router = router
        self.last_entry_id = last
        self.entries_since_snapshot = len(events)
        now = self.clock()
        self._commit(self._sync_configuration(now), None)
        self._commit(router.recover(now), None)

    def _sync_configuration(self, now: datetime) -> list[RoutingEvent]:
        assert self.router is not None
        out: list[RoutingEvent] = []
        state = self.router.state
        for row in RoutingQueue.objects.select_related("tenant").order_by("pk"):
            queue = domain_queue(row, now.date())
            if state.queues.get(queue.queue_id) != queue:
                out += self.router.configure_queue(queue, now)
        profiles = AgentProfile.objects.select_related("user").prefetch_related("skills")
        for profile in profiles.order_by("pk"):
            agent = domain_agent(profile)
            known = state.agents.get(agent.agent_id)
            if known is None or known.agent != agent:
                out += self.router.configure_agent(agent, now)
        return out

    # -- commands ---------------------------------------------------------------------------

    def process_pending(self, limit: int = 500) -> int:
        """Carry out pending commands in order; returns how many were handled."""
        pending = list(
            RouterCommand.objects.filter(status=RouterCommand.Status.PENDING).order_by("id")[:limit]
        )
        for command in pending:
            self.execute(command)
        return len(pending)

    def execute(self, command: RouterCommand) -> None:
        """Carry out one command. A refusal, a missing row or a bug ends the command as
        refused, so one bad command never blocks the ones behind it; only a database that is
        unreachable or busy leaves it pending (the thread retries)."""
        assert self.router is not None
        now = self.clock()
        try:
            events = self._decide(command, now)
        except RoutingError as error:
            self._refuse(command, refusal(error), now)
            return
        except ObjectDoesNotExist as error:
            self._refuse(command, {"status": 404, "error": "NotFound", "detail": str(error)}, now)
            return
        except Exception as error:
            logger.exception("router: command %s (%s) failed", command.pk, command.kind)
            self.reload()  # it may have changed the router before failing
            self._refuse(command, _internal(error), now)
            return
        try:
            self._commit(events, command, {"status": 200, "events": [e.type for e in events]})
        except (OperationalError, InterfaceError):
            raise
        except Exception as error:  # _commit reloaded the router from the log
            self._refuse(command, _internal(error), now)

    def _refuse(self, command: RouterCommand, result: dict[str, Any], now: datetime) -> None:
        RouterCommand.objects.filter(pk=command.pk).update(
            status=RouterCommand.Status.REFUSED, result=result, done_at=now
        )

    def reload(self) -> None:
        """Forget the memory and rebuild it from the snapshot and the log."""
        self.router = None
        self.load()

    def tick(self) -> None:
        assert self.router is not None
        now = self.clock()
        events = self.router.tick(now)
        if events:
            self._commit(events, None)

    def next_deadline(self) -> datetime | None:
        return self.router.next_deadline(self.clock()) if self.router else None

    def _commit(
        self,
        events: list[RoutingEvent],
        command: RouterCommand | None,
        result: dict[str, Any] | None = None,
    ) -> None:
        """Log and project ``events`` and finish ``command`` in one transaction. If that fails
        the router's memory is ahead of the database: reload it from the log."""
        if not events and command is None:
            return
        try:
            with transaction.atomic():
                entries = RouterLogEntry.objects.bulk_create(
                    RouterLogEntry(type=e.type, data=event_to_dict(e), at=e.at, command=command)
                    for e in events
                )
                Projector().apply(events)
                if command is not None:
                    RouterCommand.objects.filter(pk=command.pk).update(
                        status=RouterCommand.Status.DONE, result=result or {}, done_at=self.clock()
                    )
        except Exception:
            logger.exception("router: could not commit %d events; reloading", len(events))
            self.reload()
            raise
        if entries:
            self.last_entry_id = entries[-1].pk or self._log_head()
            self.entries_since_snapshot += len(entries)
            if self.entries_since_snapshot >= SNAPSHOT_EVERY:
                self.take_snapshot()

    @staticmethod
    def _log_head() -> int:
        return RouterLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0

    def refresh_estimates(self, per_queue: int = ESTIMATED_PER_QUEUE) -> int:
        """Write every waiting contact's place and expected wait (the first ``per_queue`` of
        each queue get an estimate; the rest only a place). Returns the number of rows."""
        assert self.router is not None
        now = self.clock()
        router = self.router
        if not router.state.waiting and not self.estimates_written:
            return 0  # nothing waits, nothing was written: spare the database a write
        rows = []
        for queue_id in sorted({c.queue_id for c in router.state.waiting.values()}):
            for place, contact_id in enumerate(router.waiting_order(queue_id, now), start=1):
                estimate = (
                    router.estimated_wait_seconds(contact_id, now) if place <= per_queue else None
                )
                rows.append(
                    WaitingEstimate(
                        contact_id=int(contact_id),
                        position=place,
                        estimated_wait_seconds=estimate,
                        updated_at=now,
                    )
                )
        with transaction.atomic():
            WaitingEstimate.objects.all().delete()
            known = set(
                Contact.objects.filter(pk__in=[r.contact_id for r in rows]).values_list(
                    "pk", flat=True
                )
            )
            WaitingEstimate.objects.bulk_create(r for r in rows if r.contact_id in known)
        self.estimates_written = bool(rows)
        return len(rows)

    def take_snapshot(self) -> None:
        assert self.router is not None
        RouterSnapshot.objects.create(last_entry_id=self.last_entry_id, data=self.router.snapshot())
        RouterSnapshot.objects.filter(last_entry_id__lt=self.last_entry_id).delete()
        self.entries_since_snapshot = 0

    def _decide(self, command: RouterCommand, now: datetime) -> list[RoutingEvent]:
        assert self.router is not None
        router = self.router
        p = command.payload
        match command.kind:
            case "configure_queue":
                row = RoutingQueue.objects.select_related("tenant").get(pk=p["queue"])
                return router.configure_queue(domain_queue(row, now.date()), now)
            case "configure_agent":
                profile = AgentProfile.objects.select_related("user").get(user_id=p["agent"])
                return router.configure_agent(domain_agent(profile), now)
            case "arrive":
                arrival = Arrival(
                    contact_id=str(p["contact"]),
                    queue_id=str(p["queue"]),
                    priority_credit_seconds=p.get("priority_credit_seconds", 0.0),
                    last_agent_id=p.get("last_agent"),
                    last_served_at=(
                        datetime.fromisoformat(p["last_served_at"])
                        if p.get("last_served_at")
                        else None
                    ),
                    callback=p.get("callback", False),
                )
                return router.contact_arrived(arrival, now)
            case "presence":
                return router.agent_presence_changed(
                    str(p["agent"]), Presence(p["presence"]), now, p.get("reason") or None
                )
            case "accept":
                return router.offer_accepted(p["offer_id"], str(p["agent"]), now)
            case "decline":
                return router.offer_declined(
                    p["offer_id"], str(p["agent"]), now, p.get("reason", "")
                )
            case "end":
                return router.contact_ended(str(p["contact"]), now)
            case "wrap_up_done":
                return router.wrap_up_completed(str(p["contact"]), now)
            case "callback":
                return router.callback_requested(str(p["contact"]), now)
            case "transfer_queue":
                return router.transfer_to_queue(
                    str(p["contact"]), str(p["queue"]), now, p.get("note", "")
                )
            case "transfer_agent":
                return router.transfer_to_agent(
                    str(p["contact"]), str(p["agent"]), now, p.get("note", "")
                )
            case "escalate":
                return router.escalate(str(p["contact"]), now, p.get("note", ""))
        raise Invalid(f"unknown router command {command.kind!r}")
