"""Shared fixtures: two tenants and the fixed personas agent_anna, supervisor_bram, outsider_olga."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from django.test import Client

    from symfonie.tenants.models import Tenant, User

# Django imports stay inside the functions, so the pure domain tests also run without Django
# (`pytest -p no:django tests/domain`).


@pytest.fixture(autouse=True)
def _fast_and_isolated(request, tmp_path):
    if not request.config.pluginmanager.hasplugin("django"):
        return  # pure domain tests run without Django
    settings = request.getfixturevalue("settings")
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.AXES_ENABLED = True
    settings.ROUTER_INLINE = True  # the router runs in the test's thread, on its database
    from symfonie.routing.runner import reset_inline

    reset_inline()  # the database is rolled back after each test: forget the router's memory


def make_tenant(slug: str, name: str) -> Tenant:
    from symfonie.tenants.models import SlaPolicy, Tenant

    tenant = Tenant.objects.create(slug=slug, name=name)
    for priority, first, resolve, backoffice in (
        ("low", 2880, 14400, 7200),
        ("normal", 480, 4320, 2880),
        ("high", 120, 1440, 480),
        ("urgent", 30, 240, 120),
    ):
        SlaPolicy.objects.create(
            tenant=tenant,
            name=priority,
            priority=priority,
            first_response_minutes=first,
            resolution_minutes=resolve,
            backoffice_minutes=backoffice,
        )
    return tenant


def make_user(email: str, tenant: Tenant, role: str) -> User:
    from symfonie.tenants.models import Membership, User

    user = User.objects.create_user(email=email, password="correct horse battery")
    Membership.objects.create(user=user, tenant=tenant, role=role)
    return user


@pytest.fixture
def tenant(db) -> Tenant:
    return make_tenant("woonstad", "Woonstad")


@pytest.fixture
def other_tenant(db) -> Tenant:
    return make_tenant("ovregio", "OV Regio")


@pytest.fixture
def agent_anna(tenant) -> User:
    return make_user("anna@example.nl", tenant, "agent")


@pytest.fixture
def supervisor_bram(tenant) -> User:
    return make_user("bram@example.nl", tenant, "supervisor")


@pytest.fixture
def outsider_olga(other_tenant) -> User:
    """A supervisor of the other tenant: must never see or touch the first tenant's rows."""
    return make_user("olga@example.nl", other_tenant, "supervisor")


def api_client_for(user: User, tenant: Tenant) -> Client:
    from django.test import Client

    from symfonie.tenants.models import ApiToken

    _token, raw = ApiToken.issue(tenant=tenant, user=user, name="test")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def api_bram(supervisor_bram, tenant) -> Client:
    return api_client_for(supervisor_bram, tenant)


@pytest.fixture
def api_anna(agent_anna, tenant) -> Client:
    return api_client_for(agent_anna, tenant)


@pytest.fixture
def api_olga(outsider_olga, other_tenant) -> Client:
    return api_client_for(outsider_olga, other_tenant)
