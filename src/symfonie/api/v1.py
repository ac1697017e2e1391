"""The API instance: routers, authentication, problem-details errors."""

from __future__ import annotations

from ninja import NinjaAPI

from symfonie.api import cases, customers, events, interactions, merges, problems, reports
from symfonie.api.auth import SessionTenancyAuth, TokenAuth
from symfonie.connectors import api as connectors_api
from symfonie.routing import api as routing_api

api = NinjaAPI(
    title="Symfonie API",
    version="1",
    description="Customers, identities, contacts, cases and the one timeline across channels. "
    "Authenticate with `Authorization: Bearer <token>` (a token belongs to one tenant) or a "
    "signed-in session. Errors are problem details (RFC 9457) naming the field.",
    auth=[TokenAuth(), SessionTenancyAuth()],
    urls_namespace="api_v1",
    openapi_url="/openapi.json",
    docs_url="/docs",
)
problems.install(api)
for module in (
    customers,
    interactions,
    cases,
    merges,
    events,
    reports,
    connectors_api,
    routing_api,
):
    api.add_router("", module.router)
