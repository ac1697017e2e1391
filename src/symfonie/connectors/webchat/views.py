"""The public web chat pages: start a chat, the conversation, and its JSON endpoints.

No sign-in: the start form is public (rate-limited per address, with a honeypot) and a chat
is reached by its signed token. The JSON endpoints are exempt from CSRF because they use no
session or cookie: the token in the address is the credential. Errors are a page with a
clear message or, for the JSON endpoints, problem details (RFC 9457); never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from symfonie.problems import Problem
from symfonie.tenants.models import Tenant

from . import actions, conversation, throttle
from .conversation import ENDED_STATES
from .forms import StartForm


def notice(
    request: HttpRequest, status: int, title: str, detail: str, tenant: Tenant | None = None
) -> HttpResponse:
    context = {"title": title, "detail": detail, "tenant": tenant}
    return render(request, "webchat/notice.html", context, status=status)


def unknown_tenant(request: HttpRequest) -> HttpResponse:
    return notice(
        request, 404, _("Page not found"), _("There is no chat at this address. Check the link.")
    )


def unavailable(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    return notice(
        request,
        404,
        _("Chat is not available"),
        _(
            "You cannot chat with us at the moment. Please try again later or contact us another way."
        ),
        tenant,
    )


def problem(status: int, title: str, detail: str, field: str | None = None) -> JsonResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if field:
        body["errors"] = [{"field": field, "message": detail}]
    return JsonResponse(body, status=status, content_type="application/problem+json")


def problem_of(exc: Problem) -> JsonResponse:
    return problem(exc.status, exc.title, exc.detail, exc.field)


def _start_page(
    request: HttpRequest, tenant: Tenant, form: StartForm, status: int = 200
) -> HttpResponse:
    context = {"tenant": tenant, "form": form}
    return render(request, "webchat/start.html", context, status=status)


@require_GET
def start(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = conversation.tenant_for(tenant_slug)
    if tenant is None:
        return unknown_tenant(request)
    slug = request.GET.get("queue", "")
    queue = conversation.chat_queue(tenant, slug)
    if queue is None:
        return unavailable(request, tenant)
    return _start_page(request, tenant, StartForm(initial={"queue": slug}))


@require_POST
def begin(request: HttpRequest, tenant_slug: str) -> HttpResponse:
    tenant = conversation.tenant_for(tenant_slug)
    if tenant is None:
        return unknown_tenant(request)
    if not throttle.allow_start(request):
        return notice(
            request,
            429,
            _("Too many chats"),
            _("Too many chats were started from your connection. Please wait a minute."),
            tenant,
        )
    form = StartForm(request.POST)
    if form.caught_bot():
        return notice(
            request,
            400,
            _("Chat not started"),
            _("Your chat could not be started. Please try again."),
            tenant,
        )
    if not form.is_valid():
        if "queue" in form.errors:  # the hidden field was tampered with
            return unavailable(request, tenant)
        return _start_page(request, tenant, form, status=422)
    queue = conversation.chat_queue(tenant, form.cleaned_data["queue"])
    if queue is None:
        return unavailable(request, tenant)
    data = form.cleaned_data
    try:
        contact = actions.start_chat(
            tenant, queue, name=data["name"], email=data["email"], question=data["question"]
        )
    except Problem as exc:
        if exc.field in form.fields:
            form.add_error(exc.field, exc.detail)
            return _start_page(request, tenant, form, status=422)
        return notice(request, exc.status, _("Chat not started"), exc.detail, tenant)
    token = conversation.token_for(contact)
    return redirect("webchat:conversation", tenant_slug=tenant.slug, token=token)


def _chat(tenant_slug: str, token: str) -> tuple[Tenant | None, Any]:
    tenant = conversation.tenant_for(tenant_slug)
    contact = conversation.contact_for(tenant, token) if tenant else None
    return tenant, contact


@require_GET
def chat(request: HttpRequest, tenant_slug: str, token: str) -> HttpResponse:
    tenant, contact = _chat(tenant_slug, token)
    if tenant is None:
        return unknown_tenant(request)
    if contact is None:
        return notice(
            request,
            404,
            _("Chat not found"),
            _("This chat link is not valid (any more). Start a new chat."),
            tenant,
        )
    shown = conversation.messages_after(contact)
    pos, agent = conversation.position(contact), conversation.agent_name(contact)
    context = {
        "tenant": tenant,
        "contact": contact,
        "token": token,
        "messages": shown,
        "last_id": shown[-1].pk if shown else 0,
        "ended": contact.state in ENDED_STATES,
        "status": conversation.status_text(contact.state, pos, agent),
        "agent": agent,
        "texts": conversation.texts(),
    }
    return render(request, "webchat/conversation.html", context)


def _json_body(request: HttpRequest) -> dict[str, Any] | JsonResponse:
    try:
        document = json.loads(request.body or b"{}")
    except RequestDataTooBig:
        return problem(413, "Payload too large", "the request body is too large")
    except (ValueError, UnicodeDecodeError):
        return problem(400, "Malformed request body", "the body is not valid JSON")
    if not isinstance(document, dict):
        return problem(400, "Malformed request body", "the body is a JSON object")
    return document


@csrf_exempt
@require_http_methods(["GET", "POST"])
def messages(request: HttpRequest, tenant_slug: str, token: str) -> HttpResponse:
    _tenant, contact = _chat(tenant_slug, token)
    if contact is None:
        return problem(404, "Not found", "no chat at this address")
    if request.method == "GET":
        after = request.GET.get("after", "0") or "0"
        if not after.isdigit() or len(after) > 18:
            return problem(422, "Invalid input", "after is a message id (a whole number)", "after")
        return JsonResponse(conversation.snapshot(contact, int(after)))
    document = _json_body(request)
    if isinstance(document, JsonResponse):
        return document
    try:
        message, created = actions.send_message(
            contact, document.get("body"), document.get("client_message_id")
        )
    except Problem as exc:
        return problem_of(exc)
    contact.refresh_from_db(fields=["state"])
    body = {"message": conversation.message_json(message), "state": contact.state}
    return JsonResponse(body, status=201 if created else 200)


@csrf_exempt
@require_POST
def end(request: HttpRequest, tenant_slug: str, token: str) -> HttpResponse:
    tenant, contact = _chat(tenant_slug, token)
    wants_json = "application/json" in request.headers.get("Accept", "")
    if contact is None:
        if wants_json or tenant is None:
            return problem(404, "Not found", "no chat at this address")
        return notice(request, 404, _("Chat not found"), _("This chat link is not valid."), tenant)
    try:
        contact = actions.end_chat(contact)
    except Problem as exc:
        if wants_json:
            return problem_of(exc)
        return notice(request, exc.status, _("Chat not ended"), exc.detail, tenant)
    if not wants_json:  # the page without its script: a plain form post
        return redirect("webchat:conversation", tenant_slug=tenant_slug, token=token)
    state = conversation.snapshot(contact)
    state["messages"] = []
    return JsonResponse(state)
