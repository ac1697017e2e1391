"""Errors as problem details (RFC 9457) naming the field at fault, for every API error."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from symfonie.problems import Problem

logger = logging.getLogger(__name__)
CONTENT_TYPE = "application/problem+json"
LOCATION_PREFIXES = {"body", "query", "path", "form", "file", "header", "cookie", "payload"}


def problem_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    title: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if errors:
        body["errors"] = errors
    response = api.create_response(request, body, status=status)
    response["Content-Type"] = CONTENT_TYPE
    return response


def field_name(location: list[Any] | tuple[Any, ...]) -> str:
    """('body', 'payload', 'identities', 0, 'value') → 'identities[0].value'."""
    parts = [p for p in location if p not in LOCATION_PREFIXES]
    name = ""
    for part in parts:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += ("." if name else "") + str(part)
    return name or "body"


def install(api: NinjaAPI) -> None:
    def on_problem(request: HttpRequest, exc: Problem) -> HttpResponse:
        errors = [{"field": exc.field, "message": exc.detail}] if exc.field else None
        return problem_response(api, request, exc.status, exc.title, exc.detail, errors)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        errors = [
            {"field": field_name(e.get("loc", ())), "message": str(e.get("msg", "invalid"))}
            for e in exc.errors
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        return problem_response(api, request, 422, "Invalid input", detail, errors)

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        title = "Malformed request body" if exc.status_code == 400 else "Request refused"
        return problem_response(api, request, exc.status_code, title, str(exc))

    def on_auth(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return problem_response(
            api, request, 401, "Unauthorized", "sign in or send 'Authorization: Bearer <token>'"
        )

    def on_404(request: HttpRequest, exc: Http404) -> HttpResponse:
        return problem_response(api, request, 404, "Not found", str(exc) or "not found")

    def on_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return problem_response(
            api, request, 413, "Payload too large", "the request body is too large"
        )

    def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
        logger.exception("unexpected API error on %s %s", request.method, request.path)
        return problem_response(
            api, request, 500, "Internal error", "an unexpected error; it has been logged"
        )

    api.add_exception_handler(Exception, on_unexpected)
    api.add_exception_handler(Problem, on_problem)
    api.add_exception_handler(ValidationError, on_validation)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(Http404, on_404)
    api.add_exception_handler(RequestDataTooBig, on_too_big)
