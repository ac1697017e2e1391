"""Carry the router's decisions into the database, in the transaction that logs them.

The contact's life cycle (queued → offered → active → wrap-up → closed, or abandoned), the
offer in flight and the agents' presence become rows that every process can read (pages,
wallboard, reports), and tenant events on the live stream (``routing.offered``,
``routing.offer_ended``, ``agent.presence_changed``, ``contact.transitioned``).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from symfonie.contacts.actions.cases import do_add_note, do_create_task, do_open_case
from symfonie.contacts.actions.interactions import do_add_message, do_transition_contact
from symfonie.contacts.models import Contact
from symfonie.domain.contacts.lifecycle import ContactState, IllegalTransition, check_transition
from symfonie.domain.routing import AfterHoursAction
from symfonie.domain.routing import events as ev
from symfonie.events.actions import record
from symfonie.events.schemas import AgentPresenceChanged, ContactOfferedToAgent, OfferEnded
from symfonie.routing.config import ROUTABLE_ROLES
from symfonie.routing.models import AgentProfile, Offer, RoutingQueue
from symfonie.tenants.models import Membership, Tenant, User


class Projector:
    """Applies one command's events; caches the rows it looked up during that command."""

    def __init__(self) -> None:
        self._contacts: dict[str, Contact] = {}
        self._queues: dict[str, RoutingQueue] = {}

    def apply(self, events: list[ev.RoutingEvent]) -> None:
        for event in events:
            handler = getattr(self, "_" + event.type.replace(".", "_"), None)
            if handler is not None:
                handler(event)

    # -- lookups ----------------------------------------------------------------------------

    def _contact(self, contact_id: str) -> Contact | None:
        if contact_id not in self._contacts:
            row = Contact.objects.select_related("tenant").filter(pk=int(contact_id)).first()
            if row is None:
                return None
            self._contacts[contact_id] = row
        return self._contacts[contact_id]

    def _queue_slug(self, queue_id: str) -> str:
        if queue_id not in self._queues:
            self._queues[queue_id] = RoutingQueue.objects.get(pk=int(queue_id))
        return self._queues[queue_id].slug

    def _move(
        self,
        contact_id: str,
        to: ContactState,
        at: datetime,
        *,
        agent_id: str | None = None,
        queue_id: str | None = None,
        outcome: str | None = None,
    ) -> None:
        contact = self._contact(contact_id)
        if contact is None:
            return
        contact.refresh_from_db(fields=["state"])
        try:
            check_transition(ContactState(contact.state), to)
        except IllegalTransition:
            return  # already there (a replayed command) or ended meanwhile: nothing to do
        agent = User.objects.get(pk=int(agent_id)) if agent_id else None
        queue = self._queue_slug(queue_id) if queue_id else None
        self._contacts[contact_id] = do_transition_contact(
            contact, to, at=at, agent=agent, queue=queue, outcome=outcome
        )

    # -- contacts ---------------------------------------------------------------------------

    def _contact_queued(self, event: ev.ContactQueued) -> None:
        contact = self._contact(event.contact_id)
        if contact is not None and contact.state in (ContactState.NEW, ContactState.TRANSFERRED):
            self._move(event.contact_id, ContactState.QUEUED, event.at, queue_id=event.queue_id)

    def _contact_outside_hours(self, event: ev.ContactOutsideHours) -> None:
        """Closed: tell the customer when we open; for ``task`` hand it to the back office."""
        contact = self._contact(event.contact_id)
        if contact is None or event.action == AfterHoursAction.WAIT:
            return
        opening = (
            formats.date_format(
                timezone.localtime(event.next_opening_at, ZoneInfo(contact.tenant.time_zone)),
                "l j F H:i",
            )
            if event.next_opening_at
            else None
        )
        with translation.override(settings.LANGUAGE_CODE):
            text = (
                _("We are closed now. We are open again from %(opening)s.") % {"opening": opening}
                if opening
                else _("We are closed now.")
            )
            if event.action == AfterHoursAction.CALLBACK:
                text += " " + str(_("We will call you back when we open."))
            elif event.action == AfterHoursAction.TASK:
                text += " " + str(_("Your question has been passed on; we will come back to you."))
        do_add_message(contact, author="system", body=str(text), created_at=event.at)
        if event.action == AfterHoursAction.TASK and contact.customer is not None:
            case = contact.case or do_open_case(
                contact.customer,
                subject=contact.subject or str(_("Question outside opening hours")),
            )
            do_create_task(
                case,
                team=self._queue_slug(event.queue_id),
                title=str(_("Answer a contact that came in outside opening hours")),
                created_at=event.at,
            )
        if event.action != AfterHoursAction.CALLBACK:
            self._move(event.contact_id, ContactState.CLOSED, event.at, queue_id=event.queue_id)

    def _contact_offered(self, event: ev.ContactOffered) -> None:
        contact = self._contact(event.contact_id)
        if contact is None:
            return
        profile = AgentProfile.objects.get(user_id=int(event.agent_id))
        Offer.objects.filter(contact=contact).delete()
        Offer.objects.create(
            offer_id=event.offer_id, contact=contact, agent=profile, expires_at=event.expires_at
        )
        self._move(event.contact_id, ContactState.OFFERED, event.at)
        record(
            contact.tenant,
            ContactOfferedToAgent(
                contact_id=contact.pk,
                offer_id=event.offer_id,
                agent_id=int(event.agent_id),
                queue_id=int(event.queue_id),
                expires_at=event.expires_at.isoformat(),
            ),
            customer_id=contact.customer_id,
            occurred_at=event.at,
        )

    def _offer_ended(self, event: ev.RoutingEvent, outcome: str, reason: str) -> None:
        contact_id: str = getattr(event, "contact_id")  # noqa: B009
        contact = self._contact(contact_id)
        if contact is None:
            return
        Offer.objects.filter(offer_id=getattr(event, "offer_id")).delete()  # noqa: B009
        if outcome != "accepted":
            self._move(contact_id, ContactState.QUEUED, event.at)
        record(
            contact.tenant,
            OfferEnded(
                contact_id=contact.pk,
                offer_id=getattr(event, "offer_id"),  # noqa: B009
                agent_id=int(getattr(event, "agent_id")),  # noqa: B009
                outcome=outcome,
                reason=reason,
            ),
            customer_id=contact.customer_id,
            occurred_at=event.at,
        )

    def _contact_assigned(self, event: ev.ContactAssigned) -> None:
        self._offer_ended(event, "accepted", "")
        self._move(event.contact_id, ContactState.ACTIVE, event.at, agent_id=event.agent_id)

    def _offer_declined(self, event: ev.OfferDeclined) -> None:
        self._offer_ended(event, "declined", event.reason)

    def _offer_timed_out(self, event: ev.OfferTimedOut) -> None:
        self._offer_ended(event, "timed_out", "")

    def _offer_withdrawn(self, event: ev.OfferWithdrawn) -> None:
        self._offer_ended(event, "withdrawn", event.reason)

    def _contact_overflowed(self, event: ev.ContactOverflowed) -> None:
        contact = self._contact(event.contact_id)
        if contact is not None:
            contact.queue = self._queue_slug(event.to_queue_id)
            Contact.objects.filter(pk=contact.pk).update(queue=contact.queue)

    def _contact_transferred(self, event: ev.ContactTransferred) -> None:
        contact = self._contact(event.contact_id)
        if contact is None:
            return
        Contact.objects.filter(pk=contact.pk).update(transferred=True)
        if event.note.strip() and contact.customer is not None:
            prefix = "Escalatie" if event.type == "contact.escalated" else "Doorverbonden"
            do_add_note(contact.customer, f"{prefix}: {event.note}", case=contact.case)
        if event.from_agent_id is not None:  # taken from an agent: a new wait in the new queue
            self._move(event.contact_id, ContactState.TRANSFERRED, event.at)
            self._move(event.contact_id, ContactState.QUEUED, event.at, queue_id=event.to_queue_id)
        else:
            contact.queue = self._queue_slug(event.to_queue_id)
            Contact.objects.filter(pk=contact.pk).update(queue=contact.queue)

    def _contact_escalated(self, event: ev.ContactEscalated) -> None:
        self._contact_transferred(event)
        Contact.objects.filter(pk=int(event.contact_id)).update(escalated=True)

    def _contact_abandoned(self, event: ev.ContactAbandoned) -> None:
        Offer.objects.filter(contact_id=int(event.contact_id)).delete()
        self._move(event.contact_id, ContactState.ABANDONED, event.at)

    def _contact_wrap_up_started(self, event: ev.WrapUpStarted) -> None:
        self._move(event.contact_id, ContactState.WRAP_UP, event.at)

    def _contact_released(self, event: ev.ContactReleased) -> None:
        if event.reason != "transferred":
            self._move(event.contact_id, ContactState.CLOSED, event.at)

    # -- agents -----------------------------------------------------------------------------

    def _agent_presence_changed(self, event: ev.AgentPresenceChanged) -> None:
        user_id = int(event.agent_id)
        AgentProfile.objects.filter(user_id=user_id).update(
            presence=event.presence.value,
            presence_reason=event.reason or "",
            presence_since=event.at,
        )
        tenant_ids = Membership.objects.filter(user_id=user_id, role__in=ROUTABLE_ROLES)
        for tenant in Tenant.objects.filter(pk__in=tenant_ids.values("tenant_id")):
            record(
                tenant,
                AgentPresenceChanged(
                    agent_id=user_id, presence=event.presence.value, reason=event.reason or ""
                ),
                occurred_at=event.at,
            )
