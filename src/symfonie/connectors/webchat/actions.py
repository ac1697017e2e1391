"""Every change the customer's side of a web chat makes: start, send, end.

Views (the page now, the embeddable widget later) parse the request and call these. Starting
writes the customer, the contact and the first message in one transaction and only then hands
the contact to the router: the router runs in another thread or process and must see committed
rows (``commands.submit`` refuses to wait inside a transaction).
"""

from __future__ import annotations

import logging
import uuid

from django.db import transaction

from symfonie.contacts.actions.customers import do_create_customer, resolve_identity
from symfonie.contacts.actions.interactions import (
    do_add_message,
    do_create_contact,
    do_transition_contact,
)
from symfonie.contacts.models import Channel, Contact, Message
from symfonie.contacts.models.customers import IdentityKind
from symfonie.contacts.models.interactions import Direction
from symfonie.domain.contacts.lifecycle import ContactState
from symfonie.problems import Conflict, InvalidInput, NotFound
from symfonie.routing import commands
from symfonie.routing.models import RoutingQueue
from symfonie.tenants.models import Tenant

from .conversation import ENDED_STATES
from .forms import QUESTION_MAX_CHARS

logger = logging.getLogger(__name__)

MESSAGE_MAX_CHARS = 5000
EXTERNAL_ID_PREFIX = "webchat:"


def start_chat(
    tenant: Tenant, queue: RoutingQueue, *, name: str, email: str, question: str
) -> Contact:
    """A new web chat with ``question`` as its first message, queued in ``queue``.

    The customer is found by the e-mail address (an exact normalised match links; anything
    weaker only becomes a merge suggestion); without one, a new customer with just the name.
    """
    name, email, question = name.strip(), email.strip(), question.strip()
    if not question:
        raise InvalidInput("must not be empty", field="question")
    if len(question) > QUESTION_MAX_CHARS:
        raise InvalidInput(f"at most {QUESTION_MAX_CHARS} characters", field="question")
    if queue.tenant_id != tenant.pk:
        raise NotFound("routing queue not found")
    with transaction.atomic():
        if email:
            try:
                customer, _created = resolve_identity(tenant, IdentityKind.EMAIL, email, name=name)
            except InvalidInput as exc:
                raise InvalidInput(exc.detail, field="email") from exc
        else:
            customer = do_create_customer(tenant, name=name)
        contact = do_create_contact(
            customer, channel=Channel.WEBCHAT, direction=Direction.INBOUND, queue=queue.slug
        )
        do_add_message(contact, author=Message.Author.CUSTOMER, body=question)
    try:
        commands.queue_contact(contact, queue)
    except commands.RouterUnavailable:
        # the arrival is stored and the router carries it out when it is back; the
        # customer's page shows "waiting" meanwhile
        logger.warning("webchat: router busy; contact %s will be queued later", contact.pk)
    contact.refresh_from_db()
    return contact


def client_message_key(client_message_id: object) -> str:
    """The stored ``external_id`` of a customer's message: ``webchat:<uuid>``."""
    if not isinstance(client_message_id, str):
        raise InvalidInput("a UUID is required", field="client_message_id")
    try:
        canonical = uuid.UUID(client_message_id)
    except ValueError as exc:
        raise InvalidInput("not a UUID", field="client_message_id") from exc
    return f"{EXTERNAL_ID_PREFIX}{canonical}"


def send_message(contact: Contact, body: object, client_message_id: object) -> tuple[Message, bool]:
    """Add the customer's message; a retry with the same ``client_message_id`` returns the
    stored message: (message, created)."""
    external_id = client_message_key(client_message_id)
    existing = Message.objects.filter(
        tenant_id=contact.tenant_id, channel_account="", external_id=external_id
    ).first()
    if existing is not None:
        return _own(contact, existing), False
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput("must not be empty", field="body")
    body = body.strip()
    if len(body) > MESSAGE_MAX_CHARS:
        raise InvalidInput(f"at most {MESSAGE_MAX_CHARS} characters", field="body")
    contact.refresh_from_db(fields=["state"])
    if contact.state in ENDED_STATES:
        raise Conflict("this chat has ended; start a new one", field="body")
    message, created = do_add_message(
        contact, author=Message.Author.CUSTOMER, body=body, external_id=external_id
    )
    return _own(contact, message), created


def _own(contact: Contact, message: Message) -> Message:
    # a client message id is the client's to choose: one used in another chat is refused,
    # never answered with that chat's message
    if message.contact_id != contact.pk:
        raise Conflict("this client_message_id is already used", field="client_message_id")
    return message


def end_chat(contact: Contact) -> Contact:
    """The customer ends the chat. Waiting: the router marks it abandoned; with an agent: the
    agent's wrap-up starts. Ending an ended chat changes nothing."""
    contact.refresh_from_db()
    if contact.state in ENDED_STATES:
        return contact
    try:
        commands.submit("end", {"contact": contact.pk})
    except NotFound:
        # the router does not know it: its arrival never reached the router
        contact.refresh_from_db()
        if contact.state == ContactState.NEW:
            do_transition_contact(contact, ContactState.ABANDONED)
    except Conflict:
        pass  # ended meanwhile (the agent was quicker): the state below tells
    contact.refresh_from_db()
    return contact
