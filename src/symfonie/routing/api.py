"""Routing over the API: presence, offers, the contact's way through the queue, the wallboard."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any, Literal

from django.utils import timezone
from ninja import Router, Schema
from pydantic import Field

from symfonie.api.schemas import Id, Problem, ShortText, Text
from symfonie.contacts.models import Contact
from symfonie.routing import actions
from symfonie.routing.models import AgentProfile, Offer
from symfonie.routing.wallboard import agent_figures, queue_figures
from symfonie.tenants.scoping import Tenancy

router = Router(tags=["routing"])
ERRORS = {401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem, 503: Problem}


class PresenceIn(Schema):
    presence: Literal["available", "break", "offline"]
    reason: ShortText = ""


class OfferIn(Schema):
    offer_id: ShortText
    reason: ShortText = ""


class QueueIn(Schema):
    queue: ShortText


class WrapUpIn(Schema):
    topics: list[ShortText] = Field(default_factory=list, max_length=20)
    outcome: Literal["resolved", "follow_up", "escalated", "transferred"] = "resolved"
    note: Text = Field(default="", max_length=10_000)


class TransferIn(Schema):
    queue: ShortText | None = None
    agent_id: Id | None = None
    note: Text = Field(default="", max_length=2000)


class NoteIn(Schema):
    note: Text = Field(default="", max_length=2000)


class SkillsIn(Schema):
    skills: dict[ShortText, int]


def _tenancy(request) -> Tenancy:
    tenancy: Tenancy = request.auth
    return tenancy


def _me(tenancy: Tenancy) -> dict[str, Any]:
    profile = AgentProfile.objects.filter(user=tenancy.user).first()
    offer = (
        Offer.objects.filter(agent=profile, contact__tenant=tenancy.tenant)
        .select_related("contact")
        .first()
        if profile
        else None
    )
    contacts = Contact.objects.filter(
        tenant=tenancy.tenant, agent=tenancy.user, state__in=("active", "wrap_up")
    ).order_by("answered_at")
    return {
        "presence": profile.presence if profile else "offline",
        "reason": profile.presence_reason if profile else "",
        "since": profile.presence_since.isoformat() if profile and profile.presence_since else None,
        "offer": (
            {
                "offer_id": offer.offer_id,
                "contact_id": offer.contact_id,
                "channel": offer.contact.channel,
                "queue": offer.contact.queue,
                "expires_at": offer.expires_at.isoformat(),
            }
            if offer
            else None
        ),
        "contacts": [
            {"id": c.pk, "channel": c.channel, "state": c.state, "customer_id": c.customer_id}
            for c in contacts
        ],
    }


@router.get("/routing/me", response={200: dict[str, Any], **ERRORS})
def me(request):
    """My presence, the offer waiting for me and the contacts in my hands."""
    tenancy = _tenancy(request)
    tenancy.require_staff()
    return _me(tenancy)


@router.post("/routing/presence", response={200: dict[str, Any], **ERRORS})
def my_presence(request, payload: PresenceIn):
    """Available, on break (with a reason code) or offline."""
    tenancy = _tenancy(request)
    actions.set_presence(tenancy, tenancy.user, payload.presence, payload.reason)
    return _me(tenancy)


@router.post("/routing/agents/{user_id}/presence", response={200: dict[str, Any], **ERRORS})
def agent_presence(request, user_id: Id, payload: PresenceIn):
    """A supervisor changes an agent's presence."""
    tenancy = _tenancy(request)
    actions.require_supervisor(tenancy)
    user = actions.agent_of_tenant(tenancy, user_id)
    actions.set_presence(tenancy, user, payload.presence, payload.reason)
    return {"user_id": user.pk, "presence": payload.presence}


@router.put("/routing/agents/{user_id}/skills", response={200: dict[str, Any], **ERRORS})
def agent_skills(request, user_id: Id, payload: SkillsIn):
    """A supervisor sets skill levels (1–5, 0 removes) of this tenant's skills."""
    tenancy = _tenancy(request)
    profile = actions.set_skills(tenancy, user_id, payload.skills)
    return {
        "user_id": profile.user_id,
        "skills": {s.skill.code: s.proficiency for s in profile.skills.select_related("skill")},
    }


@router.post("/routing/offers/accept", response={200: dict[str, Any], **ERRORS})
def accept(request, payload: OfferIn):
    """Accept the offer: 409 with the reason if it expired, was withdrawn or is not yours."""
    tenancy = _tenancy(request)
    contact = actions.accept_offer(tenancy, payload.offer_id)
    return {"contact_id": contact.pk, "state": contact.state}


@router.post("/routing/offers/decline", response={200: dict[str, Any], **ERRORS})
def decline(request, payload: OfferIn):
    """Decline: the contact goes to the next agent and keeps its place."""
    actions.decline_offer(_tenancy(request), payload.offer_id, payload.reason)
    return {"declined": payload.offer_id}


def _contact(tenancy: Tenancy, contact_id: int) -> Contact:
    tenancy.require_staff()
    return tenancy.get(Contact, contact_id)


@router.post("/routing/contacts/{contact_id}/queue", response={200: dict[str, Any], **ERRORS})
def enqueue(request, contact_id: Id, payload: QueueIn):
    """Put a new contact in a routing queue (a retry adds nothing)."""
    tenancy = _tenancy(request)
    actions.enqueue(tenancy, _contact(tenancy, contact_id), payload.queue)
    return {"contact_id": contact_id, "state": Contact.objects.get(pk=contact_id).state}


@router.post("/routing/contacts/{contact_id}/end", response={200: dict[str, Any], **ERRORS})
def end(request, contact_id: Id):
    """The conversation is over: wrap-up begins (or, while waiting, the contact is abandoned)."""
    tenancy = _tenancy(request)
    actions.end_contact(tenancy, _contact(tenancy, contact_id))
    return {"contact_id": contact_id, "state": Contact.objects.get(pk=contact_id).state}


@router.post("/routing/contacts/{contact_id}/wrap-up", response={200: dict[str, Any], **ERRORS})
def wrap_up(request, contact_id: Id, payload: WrapUpIn):
    """Finish wrap-up with topic codes, the outcome and an optional note."""
    tenancy = _tenancy(request)
    contact = actions.wrap_up(
        tenancy,
        _contact(tenancy, contact_id),
        topics=payload.topics,
        outcome=payload.outcome,
        note=payload.note,
    )
    return {"contact_id": contact.pk, "state": contact.state}


@router.post("/routing/contacts/{contact_id}/transfer", response={200: dict[str, Any], **ERRORS})
def transfer(request, contact_id: Id, payload: TransferIn):
    """To a queue (slug) or an agent, with a note; refused if the target cannot take it."""
    tenancy = _tenancy(request)
    actions.transfer(
        tenancy,
        _contact(tenancy, contact_id),
        queue=payload.queue,
        agent_id=payload.agent_id,
        note=payload.note,
    )
    return {"contact_id": contact_id, "state": Contact.objects.get(pk=contact_id).state}


@router.post("/routing/contacts/{contact_id}/escalate", response={200: dict[str, Any], **ERRORS})
def escalate(request, contact_id: Id, payload: NoteIn):
    """To the queue's supervisor queue."""
    tenancy = _tenancy(request)
    actions.escalate(tenancy, _contact(tenancy, contact_id), payload.note)
    return {"contact_id": contact_id, "state": Contact.objects.get(pk=contact_id).state}


@router.post("/routing/contacts/{contact_id}/callback", response={200: dict[str, Any], **ERRORS})
def callback(request, contact_id: Id):
    """The waiting customer asks to be called back; the contact keeps its place (virtual hold)."""
    tenancy = _tenancy(request)
    actions.request_callback(tenancy, _contact(tenancy, contact_id))
    return {"contact_id": contact_id, "callback": True}


@router.get("/routing/wallboard", response={200: dict[str, Any], **ERRORS})
def wallboard(request):
    """Per queue: waiting, longest wait, today's service level, handled, abandoned; agents."""
    tenancy = _tenancy(request)
    tenancy.require_staff()
    now = timezone.now()
    return {
        "at": now.isoformat(),
        "queues": [asdict(q) for q in queue_figures(tenancy.tenant, now)],
        "agents": [
            {**asdict(a), "since": a.since.isoformat() if a.since else None}
            for a in agent_figures(tenancy.tenant, now)
        ],
    }
