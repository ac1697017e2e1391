"""Ask the router to do something: write the command, then wait for its result.

``submit`` is the only way in. The command row is committed first (durable), then the router
carries it out: this process's router thread if it leads (woken at once), the leader in another
process (this one polls the row), or, in tests and one-shot commands with
``settings.ROUTER_INLINE``, inline in the caller. A refusal comes back as a ``Problem`` with the
router's reason (404 unknown, 409 conflict, 422 invalid), and nothing changed.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction

from symfonie.contacts.models import Contact
from symfonie.problems import Conflict, InvalidInput, NotFound, Problem
from symfonie.routing import runner
from symfonie.routing.models import RouterCommand, RoutingQueue

WAIT_SECONDS = 10.0
POLL_SECONDS = 0.01
#: Priority customers start with this head start in the waiting order (the bank data's rule).
PRIORITY_CREDIT_SECONDS = 90.0


class RouterUnavailable(Problem):
    status = 503
    title = "Router unavailable"


PROBLEM_OF_STATUS: dict[int, type[Problem]] = {404: NotFound, 409: Conflict, 422: InvalidInput}


def submit(
    kind: str,
    payload: dict[str, Any],
    *,
    idempotency_key: str | None = None,
    wait: bool = True,
) -> dict[str, Any]:
    """Hand ``kind`` to the router; with ``wait`` return its result or raise its refusal."""
    command = _write(kind, payload, idempotency_key)
    if command.status == RouterCommand.Status.PENDING:
        thread = runner.local_thread()
        if thread is not None:
            transaction.on_commit(thread.wake.set)  # at once when not in a transaction
        elif getattr(settings, "ROUTER_INLINE", False):
            service = runner.inline_service()
            with service.lock:
                service.process_pending()
        if not wait:
            return {"status": 202, "command": command.pk}
        if connection.in_atomic_block and thread is not None:
            raise RuntimeError("submit(wait=True) inside a transaction: the router cannot see it")
        command = _wait(command.pk)
    if command.status == RouterCommand.Status.REFUSED:
        result = command.result
        problem = PROBLEM_OF_STATUS.get(result.get("status", 422), InvalidInput)
        raise problem(result.get("detail", "refused by the router"))
    return {"command": command.pk, **command.result}


def _write(kind: str, payload: dict[str, Any], key: str | None) -> RouterCommand:
    if key is not None:
        found = RouterCommand.objects.filter(idempotency_key=key).first()
        if found is not None:
            return found
    try:
        with transaction.atomic():
            return RouterCommand.objects.create(kind=kind, payload=payload, idempotency_key=key)
    except IntegrityError:  # the same key won a race
        return RouterCommand.objects.get(idempotency_key=key)


def _wait(pk: int) -> RouterCommand:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        command = RouterCommand.objects.get(pk=pk)
        if command.status != RouterCommand.Status.PENDING:
            return command
        if time.monotonic() > deadline:
            raise RouterUnavailable(
                "the router did not answer in time; the request is kept and will be carried out"
            )
        time.sleep(POLL_SECONDS)


# -- the commands the pages and the API use ------------------------------------------------


def queue_contact(contact: Contact, queue: RoutingQueue, *, wait: bool = True) -> dict[str, Any]:
    """Put a contact in a routing queue (idempotent per contact: a retry adds nothing)."""
    if queue.tenant_id != contact.tenant_id:
        raise NotFound("routing queue not found")
    payload: dict[str, Any] = {"contact": contact.pk, "queue": queue.pk}
    if contact.priority > 0:
        payload["priority_credit_seconds"] = PRIORITY_CREDIT_SECONDS
    last = (
        Contact.objects.filter(
            tenant_id=contact.tenant_id,
            customer_id=contact.customer_id,
            agent__isnull=False,
            ended_at__isnull=False,
        )
        .exclude(pk=contact.pk)
        .order_by("-ended_at")
        .values_list("agent_id", "ended_at")
        .first()
        if contact.customer_id
        else None
    )
    if last is not None:
        payload["last_agent"] = str(last[0])
        payload["last_served_at"] = last[1].isoformat()
    return submit("arrive", payload, idempotency_key=f"arrive:{contact.pk}", wait=wait)


def configure_queue(queue: RoutingQueue) -> dict[str, Any]:
    return submit("configure_queue", {"queue": queue.pk})


def configure_agent(user_id: int) -> dict[str, Any]:
    return submit("configure_agent", {"agent": user_id})
