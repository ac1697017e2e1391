"""Schemathesis generates requests from the OpenAPI document: no input may cause a 5xx."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from symfonie.contacts.actions.customers import do_create_customer
from symfonie.contacts.actions.interactions import do_add_message, do_create_contact
from symfonie.tenants.models import ApiToken

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


@pytest.fixture
def keep_test_connection():
    """Like Django's test client: the WSGI app must not close the test's database connection
    (PostgreSQL would lose the test transaction) when a request finishes."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(supervisor_bram, tenant, keep_test_connection):
    customer = do_create_customer(tenant, name="Jan", identities=[("phone", "0612345678")])
    contact = do_create_contact(customer, channel="webchat")
    do_add_message(contact, author="customer", body="hallo")
    _token, raw = ApiToken.issue(tenant=tenant, user=supervisor_bram, name="schemathesis")
    return raw


@pytest.mark.slow
@schema.parametrize()
# derandomized: the same examples on every CI run, so a red build always means a real change
@settings(max_examples=50, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, bearer):
    case.call_and_validate(
        headers={"Authorization": f"Bearer {bearer}"}, checks=[not_a_server_error]
    )
