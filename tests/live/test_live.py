"""The live WebSocket through the real ASGI application: session auth, fan-out, catch-up, isolation.

``channels.testing`` cannot be imported without daphne (its package ``__init__`` imports the
live-server test case), so the socket is driven by asgiref's ``ApplicationCommunicator``, the
class Channels' ``WebsocketCommunicator`` is a thin layer over. The test bodies are coroutines
run with ``async_to_sync`` (pytest-asyncio is not installed). ``transaction=True``: the actions
must really commit for their ``on_commit`` publish to run, and the consumer reads the database
from another thread.
"""

from __future__ import annotations

import json

import pytest
from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import transaction
from django.test import Client

from symfonie.asgi import application
from symfonie.contacts.actions.customers import do_create_customer
from symfonie.events.models import Event
from symfonie.tenants.models import User

pytestmark = pytest.mark.django_db(transaction=True)

RECEIVE_TIMEOUT = 5  # an upper bound for a message that must come, not a timing assertion


class LiveSocket(ApplicationCommunicator):
    """A WebSocket client of ``/ws/live/`` speaking ASGI to ``symfonie.asgi.application``."""

    def __init__(self, cookie: str | None = None, origin: bytes = b"http://127.0.0.1") -> None:
        headers = [(b"origin", origin)]
        if cookie is not None:
            headers.append((b"cookie", cookie.encode()))
        scope = {
            "type": "websocket",
            "path": "/ws/live/",
            "raw_path": b"/ws/live/",
            "query_string": b"",
            "headers": headers,
            "subprotocols": [],
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 8000),
        }
        super().__init__(application, scope)

    async def connect(self) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        response = await self.receive_output(RECEIVE_TIMEOUT)
        if response["type"] == "websocket.close":
            return False, response.get("code", 1000)
        assert response["type"] == "websocket.accept", response
        return True, None

    async def send_json(self, content: object) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(content)})

    async def receive_event(self) -> dict:
        response = await self.receive_output(RECEIVE_TIMEOUT)
        assert response["type"] == "websocket.send", response
        message = json.loads(response["text"])
        assert message["kind"] == "event"
        return message["event"]

    async def close(self) -> None:
        """What the server sends when the socket is gone; the consumer then finishes."""
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(RECEIVE_TIMEOUT)


@pytest.fixture(autouse=True)
def _empty_channel_layer():
    yield
    async_to_sync(get_channel_layer().flush)()


def session_cookie(user: User, tenant_id: int | None = None) -> str:
    client = Client()
    client.force_login(user)
    if tenant_id is not None:
        session = client.session
        session["symfonie_tenant_id"] = tenant_id
        session.save()
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


@database_sync_to_async
def create_customer(tenant, name: str, phone: str):
    return do_create_customer(tenant, name=name, identities=[("phone", phone)])


@database_sync_to_async
def create_customer_then_roll_back(tenant) -> None:
    with transaction.atomic():
        do_create_customer(tenant, name="Nooit", identities=[("phone", "0687654321")])
        transaction.set_rollback(True)


def events_of(tenant, **filters) -> list[int]:
    return list(Event.objects.filter(tenant=tenant, **filters).values_list("pk", flat=True))


def test_a_connection_without_a_valid_session_is_refused(supervisor_bram):
    async def body():
        for cookie in (None, f"{settings.SESSION_COOKIE_NAME}=not-a-session"):
            socket = LiveSocket(cookie)
            assert await socket.connect() == (False, 4401)
            await socket.close()

    async_to_sync(body)()


def test_a_connection_from_a_foreign_origin_is_refused(supervisor_bram):
    cookie = session_cookie(supervisor_bram)

    async def body():
        socket = LiveSocket(cookie, origin=b"https://evil.example")
        connected, _code = await socket.connect()
        assert not connected
        await socket.close()

    async_to_sync(body)()


def test_a_user_without_a_tenant_is_refused(db):
    loner = User.objects.create_user(email="loner@example.nl", password="correct horse battery")
    cookie = session_cookie(loner)

    async def body():
        socket = LiveSocket(cookie)
        assert await socket.connect() == (False, 4403)
        await socket.close()

    async_to_sync(body)()


def test_a_signed_in_user_receives_events_once_the_action_commits(tenant, supervisor_bram):
    cookie = session_cookie(supervisor_bram)

    async def body():
        socket = LiveSocket(cookie)
        assert await socket.connect() == (True, None)
        try:
            # a rolled-back action publishes nothing: the first message is the committed one
            await create_customer_then_roll_back(tenant)
            jan = await create_customer(tenant, "Jan", "0612345678")
            created = await socket.receive_event()
            added = await socket.receive_event()
        finally:
            await socket.close()
        return jan, created, added

    jan, created, added = async_to_sync(body)()
    assert events_of(tenant) == [created["id"], added["id"]]
    assert created["type"] == "customer.created"
    assert created["subject"] == {"type": "customer", "id": jan.pk}
    assert created["customer_id"] == jan.pk
    assert created["data"]["name"] == "Jan"
    assert added["type"] == "identity.added"
    assert added["data"]["value"] == "+31612345678"


def test_since_replays_the_log_after_that_id(tenant, other_tenant, supervisor_bram):
    do_create_customer(tenant, name="Jan", identities=[("phone", "0612345678")])
    do_create_customer(other_tenant, name="Elders", identities=[("phone", "0611111111")])
    do_create_customer(tenant, name="Piet", identities=[("phone", "0622222222")])
    since = events_of(tenant)[0]
    missed = events_of(tenant, pk__gt=since)
    assert len(missed) == 3
    cookie = session_cookie(supervisor_bram)

    async def body():
        socket = LiveSocket(cookie)
        assert await socket.connect() == (True, None)
        try:
            await socket.send_json({"since": since})
            replayed = [await socket.receive_event() for _ in missed]
            # not an id: ignored; then the live stream goes on where the catch-up ended
            await socket.send_json({"since": "0"})
            klaas = await create_customer(tenant, "Klaas", "0633333333")
            live = await socket.receive_event()
        finally:
            await socket.close()
        return replayed, klaas, live

    replayed, klaas, live = async_to_sync(body)()
    assert [e["id"] for e in replayed] == missed
    assert [e["type"] for e in replayed] == ["identity.added", "customer.created", "identity.added"]
    assert replayed[1]["data"]["name"] == "Piet"
    assert live["type"] == "customer.created"
    assert live["customer_id"] == klaas.pk
    assert live["id"] > missed[-1]


def test_a_user_of_another_tenant_does_not_receive_the_events(
    tenant, other_tenant, supervisor_bram, outsider_olga
):
    bram_cookie = session_cookie(supervisor_bram)
    # even a session that names the first tenant gives olga only her own tenant
    olga_cookie = session_cookie(outsider_olga, tenant_id=tenant.pk)

    async def body():
        bram, olga = LiveSocket(bram_cookie), LiveSocket(olga_cookie)
        assert await bram.connect() == (True, None)
        assert await olga.connect() == (True, None)
        try:
            await create_customer(tenant, "Jan", "0612345678")
            bram_received = [await bram.receive_event(), await bram.receive_event()]
            # published after Jan's events: had those leaked to olga, they would come first
            await create_customer(other_tenant, "Elders", "0611111111")
            olga_received = [await olga.receive_event(), await olga.receive_event()]
            await olga.send_json({"since": 0})
            olga_replayed = [await olga.receive_event(), await olga.receive_event()]
            await create_customer(tenant, "Piet", "0622222222")
            bram_next = await bram.receive_event()
        finally:
            await bram.close()
            await olga.close()
        return bram_received, olga_received, olga_replayed, bram_next

    bram_received, olga_received, olga_replayed, bram_next = async_to_sync(body)()
    first_tenant, second_tenant = events_of(tenant), events_of(other_tenant)
    assert [e["id"] for e in bram_received] == first_tenant[:2]
    assert [e["id"] for e in olga_received] == second_tenant
    assert [e["id"] for e in olga_replayed] == second_tenant
    assert olga_received[0]["data"]["name"] == "Elders"
    assert bram_next["id"] == first_tenant[2]
    assert bram_next["data"]["name"] == "Piet"
