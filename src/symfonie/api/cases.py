"""Cases, back-office tasks and the topic taxonomy."""

from __future__ import annotations

from ninja import Query, Router, Status

from symfonie.api.schemas import (
    CaseIn,
    CaseOut,
    CasePatch,
    Problem,
    TaskCompleteIn,
    TaskIn,
    TaskOut,
    TaskStatus,
    TopicOut,
)
from symfonie.contacts.actions.cases import (
    do_complete_task,
    do_create_task,
    do_open_case,
    do_update_case,
)
from symfonie.contacts.models import BackOfficeTask, Case, Customer, Topic
from symfonie.tenants.scoping import Tenancy

router = Router(tags=["cases"])
ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 409: Problem, 422: Problem}


@router.get("/topics", response={200: list[TopicOut], **ERRORS})
def list_topics(request):
    tenancy: Tenancy = request.auth
    return list(tenancy.scope(Topic).filter(active=True).order_by("name"))


@router.post("/cases", response={201: CaseOut, **ERRORS})
def open_case(request, payload: CaseIn):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    customer = tenancy.get(Customer, payload.customer_id)
    topic = tenancy.get(Topic, payload.topic_id) if payload.topic_id else None
    return Status(
        201,
        do_open_case(
            customer,
            subject=payload.subject,
            priority=payload.priority,
            topic=topic,
            actor=tenancy.user,
        ),
    )


@router.get("/cases/{case_id}", response={200: CaseOut, **ERRORS})
def get_case(request, case_id: int):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    return tenancy.get(Case, case_id)


@router.patch("/cases/{case_id}", response={200: CaseOut, **ERRORS})
def update_case(request, case_id: int, payload: CasePatch):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    case = tenancy.get(Case, case_id)
    return do_update_case(case, payload.dict(exclude_unset=True), actor=tenancy.user)


@router.post("/tasks", response={201: TaskOut, **ERRORS})
def create_task(request, payload: TaskIn):
    """Hand work to a back-office team; due under the tenant's agreed back-office time."""
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    case = tenancy.get(Case, payload.case_id)
    return Status(
        201,
        do_create_task(
            case,
            team=payload.team,
            title=payload.title,
            description=payload.description,
            actor=tenancy.user,
        ),
    )


@router.get("/tasks", response={200: list[TaskOut], **ERRORS})
def list_tasks(
    request, status: Query[TaskStatus | None] = None, breached: Query[bool | None] = None
):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    tasks = tenancy.scope(BackOfficeTask)
    if status:
        tasks = tasks.filter(status=status)
    if breached is not None:
        tasks = tasks.filter(breached=breached)
    return list(tasks.order_by("due_at", "id")[:500])


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERRORS})
def get_task(request, task_id: int):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    return tenancy.get(BackOfficeTask, task_id)


@router.post("/tasks/{task_id}/complete", response={200: TaskOut, **ERRORS})
def complete_task(request, task_id: int, payload: TaskCompleteIn):
    tenancy: Tenancy = request.auth
    tenancy.require_staff()
    return do_complete_task(
        tenancy.get(BackOfficeTask, task_id), status=payload.status, actor=tenancy.user
    )
