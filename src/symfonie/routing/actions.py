"""What agents and supervisors do with routing, checked before anything is asked of the router.

Each function takes the caller's ``Tenancy``; a foreign or unknown id is a 404, a wrong value
a 422 naming the field, a state conflict (an expired offer, someone else's contact) a 409.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from symfonie.contacts.actions.cases import do_add_note
from symfonie.contacts.actions.interactions import do_set_contact_topics
from symfonie.contacts.models import Contact, Topic
from symfonie.contacts.models.interactions import Outcome
from symfonie.domain.routing import Presence
from symfonie.problems import Conflict, Forbidden, InvalidInput, NotFound
from symfonie.routing.commands import configure_agent, queue_contact, submit
from symfonie.routing.config import ROUTABLE_ROLES
from symfonie.routing.models import (
    AgentProfile,
    AgentSkill,
    BreakReason,
    Offer,
    RoutingQueue,
    RoutingSettings,
    Skill,
)
from symfonie.tenants.models import MERGE_ROLES, Membership, User
from symfonie.tenants.scoping import Tenancy

CHOOSABLE = ("available", "break", "offline")


def require_supervisor(tenancy: Tenancy) -> None:
    if tenancy.role not in MERGE_ROLES:
        raise Forbidden("only supervisors and admins may do this")


def profile_for(user: User) -> AgentProfile:
    """The user's agent profile, made (and told to the router) on first use."""
    profile, created = AgentProfile.objects.get_or_create(user=user, defaults={"languages": ["nl"]})
    if created:
        configure_agent(user.pk)
    return profile


def agent_of_tenant(tenancy: Tenancy, user_id: int) -> User:
    if not isinstance(user_id, int) or not 0 < user_id < 2**63:
        raise NotFound("agent not found")
    membership = (
        Membership.objects.select_related("user")
        .filter(tenant=tenancy.tenant, user_id=user_id, role__in=ROUTABLE_ROLES)
        .first()
    )
    if membership is None:
        raise NotFound("agent not found")
    return membership.user


def queue_by_slug(tenancy: Tenancy, slug: str, field: str = "queue") -> RoutingQueue:
    queue = RoutingQueue.objects.filter(tenant=tenancy.tenant, slug=slug).first()
    if queue is None:
        raise NotFound(f"no routing queue {slug!r} in this tenant")
    return queue


def set_presence(tenancy: Tenancy, user: User, presence: str, reason: str = "") -> dict[str, Any]:
    tenancy.require_staff()
    if user.pk != tenancy.user.pk:
        require_supervisor(tenancy)
    if presence not in CHOOSABLE:
        raise InvalidInput(f"presence must be one of {', '.join(CHOOSABLE)}", field="presence")
    limit = AgentProfile._meta.get_field("presence_reason").max_length or 64
    if len(reason) > limit:
        raise InvalidInput(f"a reason is at most {limit} characters", field="reason")
    reasons = BreakReason.objects.filter(tenant=tenancy.tenant)
    if presence == Presence.BREAK:
        if not reason:
            raise InvalidInput("a break needs a reason", field="reason")
        if reasons.exists() and not reasons.filter(code=reason).exists():
            codes = ", ".join(reasons.values_list("code", flat=True))
            raise InvalidInput(f"reason must be one of {codes}", field="reason")
    profile_for(user)
    return submit(
        "presence",
        {"agent": user.pk, "presence": presence, "reason": reason if presence == "break" else ""},
    )


def _offer_of(tenancy: Tenancy, offer_id: str) -> Offer:
    offer = Offer.objects.select_related("contact").filter(offer_id=offer_id).first()
    if offer is None or offer.contact.tenant_id != tenancy.tenant.pk:
        raise Conflict(
            "this offer is no longer open (expired, withdrawn or taken)", field="offer_id"
        )
    return offer


def accept_offer(tenancy: Tenancy, offer_id: str) -> Contact:
    tenancy.require_staff()
    offer = _offer_of(tenancy, offer_id)
    submit("accept", {"offer_id": offer_id, "agent": tenancy.user.pk})
    return Contact.objects.get(pk=offer.contact_id)


def decline_offer(tenancy: Tenancy, offer_id: str, reason: str = "") -> None:
    tenancy.require_staff()
    _offer_of(tenancy, offer_id)
    submit("decline", {"offer_id": offer_id, "agent": tenancy.user.pk, "reason": reason[:200]})


def _own_contact(tenancy: Tenancy, contact: Contact) -> None:
    tenancy.require_staff()
    if contact.tenant_id != tenancy.tenant.pk:
        raise NotFound("contact not found")
    if contact.agent_id != tenancy.user.pk and tenancy.role not in MERGE_ROLES:
        raise Conflict("this contact is handled by another agent", field="contact_id")


def end_contact(tenancy: Tenancy, contact: Contact) -> None:
    """The conversation is over (or the customer gave up while waiting)."""
    tenancy.require_staff()
    if contact.state not in ("active", "queued", "offered"):
        raise Conflict(f"a contact in state {contact.state!r} cannot end", field="contact_id")
    if contact.state == "active":
        _own_contact(tenancy, contact)
    submit("end", {"contact": contact.pk})


def wrap_up(
    tenancy: Tenancy,
    contact: Contact,
    *,
    topics: list[str],
    outcome: str,
    note: str = "",
) -> Contact:
    """Finish nawerk: topic codes, outcome, an optional note on the customer's timeline."""
    _own_contact(tenancy, contact)
    if contact.state != "wrap_up":
        raise Conflict(f"the contact is {contact.state}, not in wrap-up", field="contact_id")
    found = list(Topic.objects.filter(tenant=tenancy.tenant, slug__in=topics, active=True))
    unknown = sorted(set(topics) - {t.slug for t in found})
    if unknown:
        raise InvalidInput(f"unknown topic {unknown[0]!r}", field="topics")
    settings_row = RoutingSettings.objects.filter(tenant=tenancy.tenant).first()
    if not found and (settings_row is None or settings_row.wrap_up_topic_required):
        raise InvalidInput("pick at least one topic", field="topics")
    if outcome not in {o for o in Outcome.values if o}:
        raise InvalidInput(
            f"outcome must be one of {', '.join(o for o in Outcome.values if o)}", field="outcome"
        )
    with transaction.atomic():
        do_set_contact_topics(contact, found, actor=tenancy.user)
        Contact.objects.filter(pk=contact.pk).update(outcome=outcome)
        if note.strip() and contact.customer_id:
            do_add_note(contact.customer, note, case=contact.case, author=tenancy.user)
    submit("wrap_up_done", {"contact": contact.pk})
    return Contact.objects.get(pk=contact.pk)


def transfer(
    tenancy: Tenancy,
    contact: Contact,
    *,
    queue: str | None = None,
    agent_id: int | None = None,
    note: str = "",
) -> None:
    """To a queue or to one agent, with a note; refused before anything changes."""
    _own_contact(tenancy, contact)
    if (queue is None) == (agent_id is None):
        raise InvalidInput("name either a queue or an agent", field="queue")
    if queue is not None:
        target = queue_by_slug(tenancy, queue)
        submit("transfer_queue", {"contact": contact.pk, "queue": target.pk, "note": note})
    else:
        assert agent_id is not None
        user = agent_of_tenant(tenancy, agent_id)
        submit("transfer_agent", {"contact": contact.pk, "agent": user.pk, "note": note})


def escalate(tenancy: Tenancy, contact: Contact, note: str = "") -> None:
    _own_contact(tenancy, contact)
    submit("escalate", {"contact": contact.pk, "note": note})


def request_callback(tenancy: Tenancy, contact: Contact) -> None:
    """Virtual hold: the customer is called back when their place comes up; keeps the place."""
    tenancy.require_staff()
    if contact.tenant_id != tenancy.tenant.pk:
        raise NotFound("contact not found")
    if contact.state not in ("queued", "offered"):
        raise Conflict("only a waiting contact can ask for a callback", field="contact_id")
    submit("callback", {"contact": contact.pk})


def enqueue(tenancy: Tenancy, contact: Contact, queue_slug: str) -> dict[str, Any]:
    tenancy.require_staff()
    if contact.tenant_id != tenancy.tenant.pk:
        raise NotFound("contact not found")
    if contact.state not in ("new",):
        raise Conflict(f"a contact in state {contact.state!r} cannot be queued", field="contact_id")
    return queue_contact(contact, queue_by_slug(tenancy, queue_slug))


def set_skills(tenancy: Tenancy, user_id: int, levels: dict[str, int]) -> AgentProfile:
    """A supervisor sets an agent's skills of this tenant (others stay)."""
    require_supervisor(tenancy)
    user = agent_of_tenant(tenancy, user_id)
    skills = {s.code: s for s in Skill.objects.filter(tenant=tenancy.tenant)}
    for code, level in levels.items():
        if code not in skills:
            raise InvalidInput(f"unknown skill {code!r}", field=f"skills.{code}")
        if not isinstance(level, int) or not 0 <= level <= 5:
            raise InvalidInput("a level is 1–5, or 0 to remove", field=f"skills.{code}")
    profile = profile_for(user)
    with transaction.atomic():
        for code, level in levels.items():
            if level == 0:
                AgentSkill.objects.filter(agent=profile, skill=skills[code]).delete()
            else:
                AgentSkill.objects.update_or_create(
                    agent=profile, skill=skills[code], defaults={"proficiency": level}
                )
    configure_agent(user.pk)
    return profile
