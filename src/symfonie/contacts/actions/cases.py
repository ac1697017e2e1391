"""Cases (dossiers), back-office tasks and notes."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from symfonie.contacts.models import BackOfficeTask, Case, Customer, Note, TimelineEntry, Topic
from symfonie.contacts.timeline import add_entry
from symfonie.events.actions import record
from symfonie.events.schemas import (
    CaseOpened,
    CaseUpdated,
    NoteAdded,
    TaskCompleted,
    TaskCreated,
    iso,
)
from symfonie.problems import Conflict, InvalidInput
from symfonie.tenants.models import SlaPolicy, User

CASE_FIELDS = ("status", "priority", "escalation_level", "owner_id", "topic_id", "subject")
MAX_ESCALATION_LEVEL = 3


def _sla(tenant_id: int, priority: str) -> SlaPolicy | None:
    return SlaPolicy.objects.filter(tenant_id=tenant_id, priority=priority).first()


def do_open_case(
    customer: Customer,
    *,
    subject: str,
    priority: str = SlaPolicy.Priority.NORMAL,
    topic: Topic | None = None,
    opened_at: datetime | None = None,
    actor: User | None = None,
) -> Case:
    """Open a case; its due dates come from the tenant's SLA policy for the priority."""
    if not subject.strip():
        raise InvalidInput("a case needs a subject", field="subject")
    if priority not in SlaPolicy.Priority.values:
        raise InvalidInput(
            f"priority must be one of {', '.join(SlaPolicy.Priority.values)}", field="priority"
        )
    opened_at = opened_at or timezone.now()
    sla = _sla(customer.tenant_id, priority)
    with transaction.atomic():
        case = Case.objects.create(
            tenant_id=customer.tenant_id,
            customer=customer,
            subject=subject.strip()[:255],
            priority=priority,
            topic=topic,
            opened_at=opened_at,
            first_response_due=opened_at + sla.first_response if sla else None,
            resolution_due=opened_at + sla.resolution if sla else None,
        )
        record(
            customer.tenant,
            CaseOpened(
                case_id=case.pk,
                customer_id=customer.pk,
                subject=case.subject,
                status=case.status,
                priority=priority,
                topic_id=topic.pk if topic else None,
                first_response_due=iso(case.first_response_due),
                resolution_due=iso(case.resolution_due),
            ),
            customer_id=customer.pk,
            actor=actor,
            occurred_at=opened_at,
        )
        add_entry(
            customer,
            opened_at,
            TimelineEntry.Kind.CASE,
            f"Dossier {case.reference}: {case.subject}",
            case_id=case.pk,
        )
    return case


def do_update_case(
    case: Case, changes: dict[str, Any], actor: User | None = None, at: datetime | None = None
) -> Case:
    unknown = set(changes) - set(CASE_FIELDS)
    if unknown:
        field = sorted(unknown)[0]
        raise InvalidInput(f"unknown or read-only field {field!r}", field=field)
    for key in ("subject", "status", "priority", "escalation_level"):
        if key in changes and changes[key] is None:
            raise InvalidInput("must not be null", field=key)
    if "subject" in changes and not str(changes["subject"]).strip():
        raise InvalidInput("a case needs a subject", field="subject")
    if "status" in changes and changes["status"] not in Case.Status.values:
        raise InvalidInput(f"status must be one of {', '.join(Case.Status.values)}", field="status")
    if "priority" in changes and changes["priority"] not in SlaPolicy.Priority.values:
        raise InvalidInput(
            f"priority must be one of {', '.join(SlaPolicy.Priority.values)}", field="priority"
        )
    level = changes.get("escalation_level")
    if level is not None and (not isinstance(level, int) or not 0 <= level <= MAX_ESCALATION_LEVEL):
        raise InvalidInput(
            f"escalation level is 0 to {MAX_ESCALATION_LEVEL}", field="escalation_level"
        )
    if (
        changes.get("topic_id") is not None
        and not Topic.objects.filter(tenant_id=case.tenant_id, pk=changes["topic_id"]).exists()
    ):
        raise InvalidInput("no such topic", field="topic_id")
    if (
        changes.get("owner_id") is not None
        and not User.objects.filter(
            pk=changes["owner_id"], memberships__tenant_id=case.tenant_id
        ).exists()
    ):
        raise InvalidInput("no such user in this tenant", field="owner_id")
    changed = {k: v for k, v in changes.items() if getattr(case, k) != v}
    if not changed:
        return case
    at = at or timezone.now()
    with transaction.atomic():
        for key, value in changed.items():
            setattr(case, key, value)
        if (
            changed.get("status") in (Case.Status.RESOLVED, Case.Status.CLOSED)
            and case.resolved_at is None
        ):
            case.resolved_at = at
        case.save()
        record(
            case.tenant,
            CaseUpdated(case_id=case.pk, changes=changed),
            customer_id=case.customer_id,
            actor=actor,
            occurred_at=at,
        )
        if "status" in changed or "escalation_level" in changed:
            title = f"Dossier {case.reference}: " + (
                f"status {case.get_status_display()}"
                if "status" in changed
                else f"escalatie niveau {case.escalation_level}"
            )
            add_entry(case.customer, at, TimelineEntry.Kind.CASE, title, case_id=case.pk)
    return case


def do_create_task(
    case: Case,
    *,
    team: str,
    title: str,
    description: str = "",
    created_at: datetime | None = None,
    actor: User | None = None,
) -> BackOfficeTask:
    """Hand a task to a back-office team; it is due within the tenant's agreed back-office time."""
    if not team.strip():
        raise InvalidInput("name the back-office team", field="team")
    if not title.strip():
        raise InvalidInput("a task needs a title", field="title")
    created_at = created_at or timezone.now()
    sla = _sla(case.tenant_id, case.priority)
    if sla is None:
        raise Conflict(
            f"the tenant has no SLA policy for priority {case.priority}", field="case_id"
        )
    with transaction.atomic():
        task = BackOfficeTask.objects.create(
            tenant_id=case.tenant_id,
            case=case,
            team=team.strip()[:100],
            title=title.strip()[:255],
            description=description,
            created_by=actor,
            created_at=created_at,
            due_at=created_at + sla.backoffice,
        )
        record(
            case.tenant,
            TaskCreated(
                task_id=task.pk,
                case_id=case.pk,
                team=task.team,
                title=task.title,
                due_at=iso(task.due_at),
            ),
            customer_id=case.customer_id,
            actor=actor,
            occurred_at=created_at,
        )
        add_entry(
            case.customer,
            created_at,
            TimelineEntry.Kind.TASK,
            f"Backoffice ({task.team}): {task.title}",
            case_id=case.pk,
            task_id=task.pk,
        )
    return task


def do_complete_task(
    task: BackOfficeTask,
    *,
    status: str = BackOfficeTask.Status.DONE,
    at: datetime | None = None,
    actor: User | None = None,
) -> BackOfficeTask:
    if status not in (BackOfficeTask.Status.DONE, BackOfficeTask.Status.CANCELLED):
        raise InvalidInput("a task completes as 'done' or 'cancelled'", field="status")
    at = at or timezone.now()
    with transaction.atomic():
        task = BackOfficeTask.objects.select_for_update().select_related("case").get(pk=task.pk)
        if task.completed_at is not None:
            raise Conflict(f"the task is already {task.status}", field="status")
        task.status = status
        task.completed_at = at
        task.breached = task.is_breached(at)
        task.save(update_fields=["status", "completed_at", "breached"])
        record(
            task.case.tenant,
            TaskCompleted(
                task_id=task.pk, status=status, completed_at=iso(at), breached=task.breached
            ),
            customer_id=task.case.customer_id,
            actor=actor,
            occurred_at=at,
        )
    return task


def do_add_note(
    customer: Customer,
    body: str,
    *,
    case: Case | None = None,
    author: User | None = None,
    created_at: datetime | None = None,
) -> Note:
    if not body.strip():
        raise InvalidInput("a note needs text", field="body")
    if case is not None and case.customer_id != customer.pk:
        raise InvalidInput("the case belongs to another customer", field="case_id")
    created_at = created_at or timezone.now()
    with transaction.atomic():
        note = Note.objects.create(
            tenant_id=customer.tenant_id,
            customer=customer,
            case=case,
            author=author,
            body=body.strip(),
            created_at=created_at,
        )
        record(
            customer.tenant,
            NoteAdded(note_id=note.pk, customer_id=customer.pk, case_id=case.pk if case else None),
            customer_id=customer.pk,
            actor=author,
            occurred_at=created_at,
        )
        add_entry(
            customer,
            created_at,
            TimelineEntry.Kind.NOTE,
            "Notitie",
            body=note.body[:1000],
            note_id=note.pk,
            case_id=case.pk if case else None,
        )
    return note
