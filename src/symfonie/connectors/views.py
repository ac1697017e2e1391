"""Provider webhooks: ``/hooks/<kind>/<key>/``. Verify the signature on the raw body, store the
items, answer. Errors are problem details (RFC 9457), as in the API."""

from __future__ import annotations

import json
import logging

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from symfonie.connectors.inbound import accept
from symfonie.connectors.models import ChannelAccount
from symfonie.connectors.registry import connector_for

logger = logging.getLogger(__name__)


def problem(status: int, title: str, detail: str) -> JsonResponse:
    return JsonResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status=status,
        content_type="application/problem+json",
    )


@csrf_exempt
@require_http_methods(["GET", "POST"])
def webhook(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    connector = connector_for(kind)
    account = (
        ChannelAccount.objects.select_related("tenant")
        .filter(kind=kind, key=key, active=True)
        .first()
        if connector
        else None
    )
    if connector is None or account is None:
        return problem(404, "Not found", "no active channel account at this address")
    if request.method == "GET":
        return connector.verify_subscription(account, request)
    raw = request.body
    if not connector.signature_ok(account, request, raw):
        # the account, never the body: a forged body may carry anything
        logger.warning("webhook signature refused for %s account %s", kind, account.pk)
        return problem(401, "Unauthorized", "missing or invalid signature")
    # JSON unless the connector reads its own format (Twilio posts form-encoded bodies)
    parse = getattr(connector, "parse", None)
    try:
        document = parse(request, raw) if parse else json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        detail = str(exc) if parse else "the body is not valid JSON"
        return problem(400, "Malformed request body", detail)
    new = accept(account, raw, connector.split(account, document, raw))
    respond = getattr(connector, "respond", None)
    return respond(new) if respond else JsonResponse({"accepted": new})
