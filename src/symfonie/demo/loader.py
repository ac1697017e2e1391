"""Load the demo, deterministically (seeded), once.

History is written in bulk for speed, but through the same event schemas as the actions, so
the event log and the tables agree exactly as they do for live traffic (tests replay it).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils.text import slugify

from symfonie.connectors.demo import add_demo_channel_accounts
from symfonie.contacts.identities import email_match_key, name_key
from symfonie.contacts.models import (
    BackOfficeTask,
    Case,
    Channel,
    Contact,
    Customer,
    Identity,
    Message,
    TimelineEntry,
    Topic,
)
from symfonie.contacts.suggestions import suggest_merges_for
from symfonie.contacts.timeline import stored_label
from symfonie.demo import catalog
from symfonie.events.models import Event
from symfonie.events.schemas import (
    CaseOpened,
    CaseUpdated,
    ContactCreated,
    ContactTransitioned,
    ContactUpdated,
    CustomerCreated,
    EventSchema,
    IdentityAdded,
    MessageAdded,
    TaskCompleted,
    TaskCreated,
    iso,
)
from symfonie.reporting.aggregates import rebuild
from symfonie.tenants.models import Membership, SlaPolicy, Tenant, User

DEMO_PASSWORD = "symfonie-demo"
SEED = 20261123
AMSTERDAM = ZoneInfo("Europe/Amsterdam")
HISTORY_DAYS = 91
# first names outside catalog.FIRST_NAMES, so no random customer has the same name
SHOWCASE_NAMES = ("Geertje Jansen", "Hendrik Bakker")


@dataclass
class Summary:
    created: bool
    counts: dict[str, int] = field(default_factory=dict)
    showcase_customer_id: int | None = None

    def describe(self) -> str:
        if not self.created:
            return "Demo data was already loaded; nothing changed."
        parts = ", ".join(f"{n} {k}" for k, n in self.counts.items())
        return f"Demo data loaded: {parts}."


class Writer:
    """Collects rows and their events, then writes them in bulk."""

    def __init__(self, tenant: Tenant) -> None:
        self.tenant = tenant
        self.events: list[Event] = []
        self.timeline: list[TimelineEntry] = []

    def event(self, schema: EventSchema, at: datetime, customer_id: int) -> None:
        self.events.append(
            Event(
                tenant=self.tenant,
                type=schema.type,
                occurred_at=at,
                subject_type=schema.subject_type,
                subject_id=schema.subject_id,
                customer_id=customer_id,
                payload=schema.payload(),
            )
        )

    def entry(
        self, customer_id: int, at: datetime, kind: str, title: str, **fields: object
    ) -> None:
        self.timeline.append(
            TimelineEntry(
                tenant=self.tenant,
                customer_id=customer_id,
                occurred_at=at,
                kind=kind,
                title=title[:255],
                **fields,
            )
        )

    def flush(self) -> None:
        # the log is in time order, as live traffic would have written it
        self.events.sort(key=lambda e: e.occurred_at)
        Event.objects.bulk_create(self.events, batch_size=2000)
        TimelineEntry.objects.bulk_create(self.timeline, batch_size=2000)


def _users(tenants: list[Tenant]) -> dict[int, list[User]]:
    agents: dict[int, list[User]] = {t.pk: [] for t in tenants}

    def make(email: str, first: str, **extra: bool) -> User:
        user = User(email=email, username=email, first_name=first, **extra)
        user.set_password(DEMO_PASSWORD)
        user.save()
        return user

    admin = make("admin@symfonie.example", "Admin", is_staff=True, is_superuser=True)
    for tenant in tenants:
        Membership.objects.create(user=admin, tenant=tenant, role="admin")
    for i, name in enumerate(catalog.AGENT_NAMES):
        user = make(f"{name}@symfonie.example", name.capitalize())
        # agents 0–3 serve both tenants (facilitair contact center); the rest one tenant each
        homes = tenants if i < 4 else [tenants[i % 2]]
        for tenant in homes:
            Membership.objects.create(user=user, tenant=tenant, role="agent")
            agents[tenant.pk].append(user)
    for tenant, name in zip(tenants, ("bram", "olga"), strict=True):
        sup = make(f"supervisor.{name}@{tenant.slug}.example", name.capitalize())
        Membership.objects.create(user=sup, tenant=tenant, role="supervisor")
        viewer = make(f"rapportage@{tenant.slug}.example", "Rapportage")
        Membership.objects.create(user=viewer, tenant=tenant, role="client-viewer")
    return agents


def _topics(tenant: Tenant, spec: dict[str, list[str]]) -> list[Topic]:
    leaves = []
    for parent_name, children in spec.items():
        parent = Topic.objects.create(
            tenant=tenant, name=parent_name, slug=slugify(parent_name) + "-groep"
        )
        for child in children:
            leaves.append(
                Topic.objects.create(tenant=tenant, name=child, slug=slugify(child), parent=parent)
            )
    return leaves


def _sla(tenant: Tenant) -> None:
    for priority, first, resolve, backoffice in (
        ("low", 2880, 14400, 7200),
        ("normal", 480, 4320, 2880),
        ("high", 120, 1440, 480),
        ("urgent", 30, 240, 120),
    ):
        SlaPolicy.objects.create(
            tenant=tenant,
            name=f"Standaard {priority}",
            priority=priority,
            first_response_minutes=first,
            resolution_minutes=resolve,
            backoffice_minutes=backoffice,
        )


def _birth_date(rng: random.Random, today: date) -> date:
    # about 15 % are 75 or older: the care-call segment
    age = rng.randint(75, 96) if rng.random() < 0.15 else rng.randint(18, 74)
    return today - timedelta(days=age * 365 + rng.randint(0, 364))


def _customers(
    rng: random.Random, writer: Writer, tenant: Tenant, count: int, today: date, offset: int
) -> list[Customer]:
    created_at = datetime.combine(today - timedelta(days=HISTORY_DAYS + 30), time(9), tzinfo=UTC)
    customers = []
    for i in range(count):
        name = f"{rng.choice(catalog.FIRST_NAMES)} {rng.choice(catalog.LAST_NAMES)}"
        birth_date = _birth_date(rng, today)
        if i == 0:  # the showcase customer: 75+, on every channel
            name, birth_date = SHOWCASE_NAMES[offset > 0], date(1946, 3, 14)
        if (
            i == 2
        ):  # a probable duplicate of customer 1 (same name, same postcode): a merge suggestion
            name = customers[1].name
        customers.append(
            Customer(
                tenant=tenant,
                name=name,
                name_key=name_key(name),
                birth_date=birth_date,
                language="en" if rng.random() < 0.05 else "nl",
                tags=[],
            )
        )
    Customer.objects.bulk_create(customers, batch_size=1000)
    identities = []
    for i, c in enumerate(customers):
        n = offset + i
        local = slugify(c.name).replace("-", ".")
        phone = f"+316{10000000 + n * 7919 % 49999999:08d}"
        email = f"{local}.{n}@example.nl"
        m = n - 1 if i == 2 else n
        postcode = f"{1000 + (m * 37) % 8999}{chr(65 + m % 26)}{chr(65 + (m // 26) % 26)}"
        house = str(1 + n % 180)
        identities += [
            Identity(
                tenant=tenant,
                customer=c,
                kind="phone",
                value=phone,
                display_value=phone,
                match_key=phone[-9:],
            ),
            Identity(
                tenant=tenant,
                customer=c,
                kind="email",
                value=email,
                display_value=email,
                match_key=email_match_key(email),
            ),
            Identity(
                tenant=tenant,
                customer=c,
                kind="postal",
                value=f"{postcode} {house}",
                display_value=f"{postcode}, {house}",
                match_key=postcode,
            ),
            Identity(
                tenant=tenant,
                customer=c,
                kind="customer_number",
                value=f"{tenant.slug[:2].upper()}{n:07d}",
                display_value=f"{tenant.slug[:2].upper()}{n:07d}",
            ),
        ]
        if rng.random() < 0.3:
            identities.append(
                Identity(
                    tenant=tenant,
                    customer=c,
                    kind="whatsapp",
                    value=phone[1:],
                    display_value=phone,
                    match_key=phone[-9:],
                )
            )
    Identity.objects.bulk_create(identities, batch_size=2000)
    for c in customers:
        writer.event(
            CustomerCreated(
                customer_id=c.pk,
                name=c.name,
                birth_date=iso(c.birth_date),
                language=c.language,
                tags=[],
            ),
            created_at,
            c.pk,
        )
    for ident in identities:
        writer.event(
            IdentityAdded(
                identity_id=ident.pk,
                customer_id=ident.customer.pk,
                kind=ident.kind,
                value=ident.value,
            ),
            created_at,
            ident.customer.pk,
        )
    return customers


def _arrival_times(rng: random.Random, day: date, expected: float) -> list[datetime]:
    count = max(0, int(rng.gauss(expected, expected**0.5)))
    hours = rng.choices(range(24), weights=catalog.HOURLY, k=count)
    moments = [
        datetime.combine(
            day, time(h, rng.randrange(60), rng.randrange(60)), tzinfo=AMSTERDAM
        ).astimezone(UTC)
        for h in hours
    ]
    return sorted(moments)


def _plan_contact(rng: random.Random, arrived: datetime, channel: str) -> dict[str, object]:
    """Timestamps and final state of one historical contact, by channel."""
    if channel == "voice":
        wait = rng.expovariate(1 / 45)
        if wait > rng.expovariate(1 / 150):
            return {
                "state": "abandoned",
                "queued_at": arrived + timedelta(seconds=8),
                "ended_at": arrived + timedelta(seconds=8 + wait),
            }
        talk, wrap = rng.lognormvariate(5.5, 0.6), rng.uniform(20, 120)
    elif channel in ("webchat", "whatsapp", "messenger", "telegram", "sms"):
        wait, talk, wrap = (
            rng.expovariate(1 / 90),
            rng.lognormvariate(6.2, 0.5),
            rng.uniform(10, 60),
        )
    else:  # e-mail, letters, forms: answered within working hours
        wait, talk, wrap = rng.uniform(600, 6 * 3600), rng.uniform(120, 900), rng.uniform(10, 90)
    queued = arrived + timedelta(seconds=3)
    answered = queued + timedelta(seconds=wait)
    ended = answered + timedelta(seconds=talk)
    return {
        "state": "closed",
        "queued_at": queued,
        "offered_at": answered - timedelta(seconds=min(4.0, wait / 2)),
        "answered_at": answered,
        "ended_at": ended,
        "wrap_up_ended_at": ended + timedelta(seconds=wrap),
        "outcome": rng.choices(
            ["resolved", "follow_up", "escalated", "transferred"], [78, 14, 5, 3]
        )[0],
    }


def _survey(rng: random.Random, plan: dict[str, object]) -> dict[str, int | None]:
    """About one in five closed contacts answers the CSAT question, one in ten the NPS one."""
    if plan["state"] != "closed":
        return {"csat_score": None, "nps_score": None}
    csat = rng.choices([1, 2, 3, 4, 5], [6, 7, 12, 35, 40])[0] if rng.random() < 0.2 else None
    nps = rng.choices(range(11), [2, 1, 1, 2, 2, 4, 6, 12, 22, 24, 24])[0]
    return {"csat_score": csat, "nps_score": nps if rng.random() < 0.1 else None}


def _contact_events(writer: Writer, contact: Contact, plan: dict[str, object]) -> None:
    cid, queue, agent_id = contact.customer_id, contact.queue, contact.agent_id
    writer.event(
        ContactCreated(
            contact_id=contact.pk,
            customer_id=cid,
            case_id=contact.case_id,
            channel=contact.channel,
            direction=contact.direction,
            state="new",
            queue=queue,
            arrived_at=iso(contact.arrived_at),
        ),
        contact.arrived_at,
        cid,
    )
    steps: list[tuple[str, str, datetime]] = [("new", "queued", plan["queued_at"])]
    if plan["state"] == "abandoned":
        steps.append(("queued", "abandoned", plan["ended_at"]))
    else:
        steps += [
            ("queued", "offered", plan["offered_at"]),
            ("offered", "active", plan["answered_at"]),
            ("active", "wrap_up", plan["ended_at"]),
            ("wrap_up", "closed", plan["wrap_up_ended_at"]),
        ]
    for from_state, to_state, at in steps:
        assigned = agent_id if to_state in ("offered", "active", "wrap_up", "closed") else None
        outcome = str(plan.get("outcome", "")) if to_state == "closed" else ""
        writer.event(
            ContactTransitioned(
                contact_id=contact.pk,
                from_state=from_state,
                to_state=to_state,
                at=iso(at),
                queue=queue,
                agent_id=assigned,
                outcome=outcome,
            ),
            at,
            cid,
        )
    if contact.csat_score is not None:
        answered_at = plan["wrap_up_ended_at"] + timedelta(minutes=2)
        writer.event(
            ContactUpdated(
                contact_id=contact.pk,
                changes={"csat_score": contact.csat_score, "csat_comment": ""},
            ),
            answered_at,
            cid,
        )


CASE_TOPICS = {
    "betalingsregeling",
    "huurachterstand",
    "klacht",
    "reparatieverzoek",
    "storing",
    "restitutie",
    "overlast",
    "abonnement pauzeren",
    "huuropzegging",
}


def _history(
    rng: random.Random,
    writer: Writer,
    tenant: Tenant,
    spec: dict,
    customers: list[Customer],
    agents: list[User],
    topics: list[Topic],
    today: date,
) -> dict[str, int]:
    channels = list(catalog.CHANNEL_MIX)
    shares = [catalog.CHANNEL_MIX[c][0] for c in channels]
    # a few customers call often (repeat contacts), most rarely: a Zipf-like choice
    weights = [1 / (1 + i) ** 0.3 for i in range(len(customers))]
    planned: list[tuple[Contact, dict[str, object], Topic]] = []
    # survey answers from their own generator, so the rest of the demo stays as it was
    surveys = random.Random(SEED + tenant.pk)
    first_day = today - timedelta(days=HISTORY_DAYS)
    showcase_days = {
        first_day + timedelta(days=5 + 11 * k): ch
        for k, ch in enumerate(
            ["letter", "voice", "webchat", "email", "whatsapp", "webform", "sms", "voice"]
        )
    }
    for offset in range(HISTORY_DAYS):
        day = first_day + timedelta(days=offset)
        expected = spec["contacts_per_weekday"] * catalog.WEEKDAY[day.weekday()]
        arrivals = [(m, None) for m in _arrival_times(rng, day, expected)]
        if day in showcase_days:
            arrivals.append(
                (
                    datetime.combine(day, time(10, 15), tzinfo=AMSTERDAM).astimezone(UTC),
                    showcase_days[day],
                )
            )
        for arrived, forced_channel in arrivals:
            channel = forced_channel or rng.choices(channels, shares)[0]
            customer = customers[0] if forced_channel else rng.choices(customers, weights)[0]
            topic = rng.choice(topics)
            plan = _plan_contact(rng, arrived, channel)
            queue = spec["queues"][catalog.CHANNEL_MIX[channel][1]]
            contact = Contact(
                tenant=tenant,
                customer=customer,
                channel=channel,
                direction="in",
                state=plan["state"],
                queue=queue,
                agent=rng.choice(agents) if plan["state"] == "closed" else None,
                outcome=plan.get("outcome", ""),
                transferred=plan.get("outcome") == "transferred",
                escalated=plan.get("outcome") == "escalated",
                subject=topic.name.capitalize()
                if channel in ("email", "letter", "webform")
                else "",
                arrived_at=arrived,
                queued_at=plan["queued_at"],
                offered_at=plan.get("offered_at"),
                answered_at=plan.get("answered_at"),
                ended_at=plan["ended_at"],
                wrap_up_ended_at=plan.get("wrap_up_ended_at"),
                **_survey(surveys, plan),
            )
            planned.append((contact, plan, topic))
    # cases: one per customer and case-worthy topic, reused by repeat contacts within 14 days
    open_cases: dict[tuple[int, int], Case] = {}
    cases: list[Case] = []
    for contact, _plan, topic in planned:
        if topic.name not in CASE_TOPICS:
            continue
        key = (contact.customer.pk, topic.pk)
        case = open_cases.get(key)
        if case is None or contact.arrived_at - case.opened_at > timedelta(days=14):
            case = Case(
                tenant=tenant,
                customer=contact.customer,
                subject=f"{topic.name.capitalize()}",
                topic=topic,
                priority="high" if topic.name == "klacht" else "normal",
                opened_at=contact.arrived_at,
            )
            open_cases[key] = case
            cases.append(case)
        contact.case = case
    sla = {p.priority: p for p in SlaPolicy.objects.filter(tenant=tenant)}
    now = datetime.combine(today, time(7), tzinfo=UTC)
    for case in cases:
        policy = sla[case.priority]
        case.first_response_due = case.opened_at + policy.first_response
        case.resolution_due = case.opened_at + policy.resolution
        resolve_at = case.opened_at + timedelta(hours=rng.uniform(2, 24 * 6))
        if resolve_at < now:
            case.status, case.resolved_at = "resolved", resolve_at
    Case.objects.bulk_create(cases, batch_size=1000)
    for case in cases:
        writer.event(
            CaseOpened(
                case_id=case.pk,
                customer_id=case.customer.pk,
                subject=case.subject,
                status="open",
                priority=case.priority,
                topic_id=case.topic.pk,
                first_response_due=iso(case.first_response_due),
                resolution_due=iso(case.resolution_due),
            ),
            case.opened_at,
            case.customer.pk,
        )
        writer.entry(
            case.customer.pk,
            case.opened_at,
            "case",
            f"Dossier D-{case.pk:06d}: {case.subject}",
            case_id=case.pk,
        )
        if case.resolved_at:
            writer.event(
                CaseUpdated(case_id=case.pk, changes={"status": "resolved"}),
                case.resolved_at,
                case.customer.pk,
            )
            writer.entry(
                case.customer.pk,
                case.resolved_at,
                "case",
                f"Dossier D-{case.pk:06d}: status opgelost",
                case_id=case.pk,
            )
    tasks = _tasks(rng, writer, tenant, spec, cases, sla, now)
    contacts = [c for c, _p, _t in planned]
    Contact.objects.bulk_create(contacts, batch_size=1000)
    Contact.topics.through.objects.bulk_create(
        [Contact.topics.through(contact_id=c.pk, topic_id=t.pk) for c, _p, t in planned],
        batch_size=2000,
    )
    messages = []
    for contact, plan, topic in planned:
        _contact_events(writer, contact, plan)
        writer.event(
            ContactUpdated(contact_id=contact.pk, changes={"topic_ids": [topic.pk]}),
            contact.arrived_at,
            contact.customer.pk,
        )
        writer.entry(
            contact.customer.pk,
            contact.arrived_at,
            "contact",
            contact.subject or stored_label(Channel(contact.channel).label),
            channel=contact.channel,
            direction="in",
            contact_id=contact.pk,
            case_id=contact.case.pk if contact.case else None,
        )
        low, high = catalog.CHANNEL_MIX[contact.channel][2]
        for k in range(rng.randint(low, high) if contact.state == "closed" else min(low, 1)):
            author = "customer" if k % 2 == 0 else "agent"
            at = (
                contact.arrived_at + timedelta(seconds=30 * k)
                if author == "customer"
                else (contact.answered_at or contact.arrived_at) + timedelta(seconds=30 * k)
            )
            body = (
                catalog.CUSTOMER_LINES.get(topic.name, f"Ik heb een vraag over {topic.name}.")
                if author == "customer"
                else catalog.AGENT_LINE
            )
            external = (
                f"{contact.channel}.{tenant.slug}.{contact.pk}.{k}"
                if contact.channel in ("whatsapp", "sms", "telegram", "messenger")
                else None
            )
            messages.append(
                Message(
                    tenant=tenant,
                    contact=contact,
                    author=author,
                    body=body,
                    author_user=contact.agent if author == "agent" else None,
                    external_id=external,
                    delivery_status="received" if author == "customer" else "delivered",
                    created_at=at,
                )
            )
    Message.objects.bulk_create(messages, batch_size=2000)
    for m in messages:
        c = m.contact
        writer.event(
            MessageAdded(
                message_id=m.pk,
                contact_id=c.pk,
                author=m.author,
                delivery_status=m.delivery_status,
                external_id=m.external_id,
            ),
            m.created_at,
            c.customer.pk,
        )
        writer.entry(
            c.customer.pk,
            m.created_at,
            "message",
            stored_label(Message.Author(m.author).label),
            body=m.body,
            channel=c.channel,
            direction="in" if m.author == "customer" else "out",
            contact_id=c.pk,
            message_id=m.pk,
            case_id=c.case.pk if c.case else None,
        )
    return {
        "contacts": len(contacts),
        "messages": len(messages),
        "cases": len(cases),
        "tasks": tasks,
    }


def _tasks(
    rng: random.Random,
    writer: Writer,
    tenant: Tenant,
    spec: dict,
    cases: list[Case],
    sla: dict[str, SlaPolicy],
    now: datetime,
) -> int:
    tasks = []
    for case in cases:
        if rng.random() > 0.25:
            continue
        created = case.opened_at + timedelta(minutes=rng.randint(5, 90))
        due = created + sla[case.priority].backoffice
        done = created + timedelta(hours=rng.uniform(1, 60))
        task = BackOfficeTask(
            tenant=tenant,
            case=case,
            team=rng.choice(spec["teams"]),
            title=f"Afhandelen: {case.subject}",
            created_at=created,
            due_at=due,
        )
        if done < now:
            task.status, task.completed_at, task.breached = "done", done, done > due
        tasks.append(task)
    BackOfficeTask.objects.bulk_create(tasks, batch_size=1000)
    for task in tasks:
        cid = task.case.customer.pk
        writer.event(
            TaskCreated(
                task_id=task.pk,
                case_id=task.case.pk,
                team=task.team,
                title=task.title,
                due_at=iso(task.due_at),
            ),
            task.created_at,
            cid,
        )
        writer.entry(
            cid,
            task.created_at,
            "task",
            f"Backoffice ({task.team}): {task.title}",
            case_id=task.case.pk,
            task_id=task.pk,
        )
        if task.completed_at:
            writer.event(
                TaskCompleted(
                    task_id=task.pk,
                    status="done",
                    completed_at=iso(task.completed_at),
                    breached=task.breached,
                ),
                task.completed_at,
                cid,
            )
    return len(tasks)


SHOWN_AGENTS = ("anna@symfonie.example", "bram@symfonie.example")


def demo_logins() -> list[tuple[str, str]]:
    """The demo accounts worth trying, with their roles, read from the database."""
    slugs = [t["slug"] for t in catalog.TENANTS] + [BANK_TENANT]
    roles: dict[str, list[str]] = {}
    memberships = (
        Membership.objects.filter(tenant__slug__in=slugs)
        .select_related("user", "tenant")
        .order_by("user__email", "tenant__slug")
    )
    for m in memberships:
        if m.role == "agent" and m.user.email not in SHOWN_AGENTS:
            continue
        roles.setdefault(m.user.email, []).append(f"{m.role} @ {m.tenant.slug}")
    order = {"admin": 0, "supervisor": 1, "agent": 2, "client-viewer": 3}
    return sorted(
        ((email, ", ".join(r)) for email, r in roles.items()),
        key=lambda x: (order[x[1].split()[0]], x[0]),
    )


BANK_TENANT = "anonymous-bank"


def load_bank_demo(path: Path) -> int | None:
    """A third demo tenant with real history: the Anonymous Bank's calls of February 1999
    (``shared/data/anonymous-bank``), imported with ``symfonie import anonymous-bank``. The
    demo's admin and supervisor Bram (of a facilitair center serving several clients) get
    access. Returns the number of imported calls, or ``None`` when it was there already."""
    from symfonie.reporting.imports.bank import import_bank_file

    if Tenant.objects.filter(slug=BANK_TENANT).exists():
        return None
    with transaction.atomic():
        tenant = Tenant.objects.create(
            slug=BANK_TENANT, name="Anonymous Bank (1999)", time_zone="Asia/Jerusalem"
        )
        for email, role in (
            ("admin@symfonie.example", "admin"),
            ("supervisor.bram@woonstad.example", "supervisor"),
        ):
            user = User.objects.filter(email=email).first()
            if user is not None:
                Membership.objects.create(user=user, tenant=tenant, role=role)
        viewer = User(
            email=f"rapportage@{BANK_TENANT}.example",
            username=f"rapportage@{BANK_TENANT}.example",
            first_name="Rapportage",
        )
        viewer.set_password(DEMO_PASSWORD)
        viewer.save()
        Membership.objects.create(user=viewer, tenant=tenant, role="client-viewer")
        _, report = import_bank_file(tenant, path)
    return report.imported


def load_demo(*, scale: float = 1.0, today: date | None = None) -> Summary:
    """Create the demo tenants once; a second call changes nothing. ``scale`` shrinks it for tests."""
    if Tenant.objects.filter(slug__in=[t["slug"] for t in catalog.TENANTS]).exists():
        return Summary(created=False)
    rng = random.Random(SEED)
    today = today or date.today()
    totals: dict[str, int] = {"customers": 0, "contacts": 0, "messages": 0, "cases": 0, "tasks": 0}
    with transaction.atomic():
        tenants = []
        for spec in catalog.TENANTS:
            tenant = Tenant.objects.create(
                slug=spec["slug"], name=spec["name"], default_region=spec["region"]
            )
            _sla(tenant)
            tenants.append(tenant)
        agents = _users(tenants)
        add_demo_channel_accounts(tenants)
        summary = Summary(created=True)
        offset = 0
        for tenant, spec in zip(tenants, catalog.TENANTS, strict=True):
            writer = Writer(tenant)
            topics = _topics(tenant, spec["topics"])
            count = max(3, int(spec["customers"] * scale))
            customers = _customers(rng, writer, tenant, count, today, offset)
            offset += count
            scaled = dict(spec, contacts_per_weekday=spec["contacts_per_weekday"] * scale)
            counts = _history(
                rng, writer, tenant, scaled, customers, agents[tenant.pk], topics, today
            )
            writer.flush()
            suggest_merges_for(customers[1])
            totals["customers"] += count
            for key, n in counts.items():
                totals[key] += n
            if summary.showcase_customer_id is None:
                summary.showcase_customer_id = customers[0].pk
        for tenant in tenants:
            rebuild(tenant)  # the history went in with bulk_create: build the KPI tallies
        summary.counts = totals
        summary.counts["tenants"] = len(tenants)
        summary.counts["agents"] = len(catalog.AGENT_NAMES)
    return summary
