"""The router across real ``symfonie serve`` processes: a killed server, and two servers at once.

docs/routing.md, "In the server": every server process runs a router thread and exactly one
leads (a ``flock`` on SQLite, a PostgreSQL advisory lock); commands go through ``RouterCommand``
and every decision is in ``RouterLogEntry``, so a new leader restores the router from the log.
These tests kill servers with SIGKILL (no shutdown code runs) and check what survives through
the HTTP API, the live WebSocket and the rows themselves.

The expected waiting orders come from the documented rule, not from the code under test:
a priority customer is credited 90 seconds of waiting, the others wait first in, first out.
"""

from __future__ import annotations

import json
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis
from websockets.sync.client import ClientConnection, connect

from symfonie.domain.routing import Router, event_from_dict
from symfonie.routing.leadership import ADVISORY_KEY
from tests.e2e.conftest import SQLITE_NAME
from tests.e2e.server import Client, ServerProcess, manage_shell, run_cli

PASSWORD = "correct horse battery"
LEADING = "router: leading"  # what runner.RouterThread logs when it starts to lead
# CI runs PostgreSQL and Redis on these addresses; unreachable is a failure, never a skip.
POSTGRES_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
REDIS_URL = "redis://127.0.0.1:6379"
TAKEOVER_TIMEOUT_SECONDS = 30.0  # generous: docs/routing.md promises about a second
EVENT_TIMEOUT_SECONDS = 15.0

# Rows the API cannot make (routing configuration is set up by an administrator); what the test
# needs is printed as JSON. Anna takes ``chats`` web chats at once.
ROUTING_SETUP = """
import json
from symfonie.routing.models import AgentProfile, AgentSkill, RoutingQueue, RoutingSettings, Skill
from symfonie.tenants.models import ApiToken, Tenant, User

tenant = Tenant.objects.get(slug="woonstad")
anna = User.objects.get(email="anna@example.nl")
skill = Skill.objects.create(tenant=tenant, code="huur", name="Huur")
queue = RoutingQueue.objects.create(
    tenant=tenant, slug="chat", name="Chat", channel="chat",
    required_skills=[{"skill": "huur", "min_proficiency": 2}],
)
RoutingSettings.objects.create(tenant=tenant, wrap_up_topic_required=False)
profile = AgentProfile.objects.create(user=anna, languages=["nl"], chats=%(chats)d)
AgentSkill.objects.create(agent=profile, skill=skill, proficiency=3)
_, token = ApiToken.issue(tenant=tenant, user=anna, name="e2e")
print(json.dumps({"anna": anna.pk, "queue_id": queue.pk, "token": token}))
"""


def prepare_routing(data_dir: Path, *, chats: int, env: dict[str, str] | None = None) -> dict:
    """Tenant Woonstad, agent Anna (skill huur 3), a chat queue; Anna's API token."""
    run_cli(data_dir, "createtenant", "woonstad", "--name", "Woonstad", env=env)
    run_cli(
        data_dir,
        "createuser",
        "anna@example.nl",
        "--role",
        "agent",
        "--tenant",
        "woonstad",
        "--password",
        PASSWORD,
        env=env,
    )
    return manage_shell(data_dir, ROUTING_SETUP % {"chats": chats}, env=env)


def new_contact(api: Client, name: str) -> int:
    """A customer and a new web chat of theirs, through the API; the contact's id."""
    customer = api.post("/api/v1/customers", {"name": name}, expect=201)
    contact = api.post(
        "/api/v1/contacts", {"customer_id": customer["id"], "channel": "webchat"}, expect=201
    )
    assert contact["state"] == "new"
    return int(contact["id"])


def queue(api: Client, contact_id: int) -> str:
    answer = api.post(f"/api/v1/routing/contacts/{contact_id}/queue", {"queue": "chat"})
    assert answer["contact_id"] == contact_id
    return str(answer["state"])


def router_from_log(snapshot: tuple[int, Any] | None, entries: Callable[[int], list]) -> Router:
    """The router as a new leader restores it (newest snapshot + the log after it), built in
    this process from the rows alone: read-only, unlike ``RouterService.load``, which writes
    its recovery decisions."""
    router = Router.restore(snapshot[1]) if snapshot else Router()
    router.replay(event_from_dict(data) for data in entries(snapshot[0] if snapshot else 0))
    return router


# -- SQLite: a killed server ---------------------------------------------------------------


def sqlite_router(database: Path) -> Router:
    with closing(sqlite3.connect(database)) as db:
        row = db.execute(
            "SELECT last_entry_id, data FROM routing_routersnapshot"
            " ORDER BY last_entry_id DESC LIMIT 1"
        ).fetchone()
        snapshot = (row[0], json.loads(row[1])) if row else None
        return router_from_log(
            snapshot,
            lambda after: [
                json.loads(data)
                for (data,) in db.execute(
                    "SELECT data FROM routing_routerlogentry WHERE id > ? ORDER BY id", [after]
                )
            ],
        )


def sqlite_router_order(database: Path, queue_id: str) -> list[int]:
    """The contact ids of the router's waiting order of the queue, next first."""
    order = sqlite_router(database).waiting_order(queue_id, datetime.now(UTC))
    return [int(contact_id) for contact_id in order]


def sqlite_waiting(database: Path) -> list[tuple[int, str, int, str]]:
    """(id, state, priority, queued_at) of the contacts waiting in the chat queue, in the order
    of the documented rule: priority customers first, then first queued first."""
    with closing(sqlite3.connect(database)) as db:
        return db.execute(
            "SELECT id, state, priority, queued_at FROM contacts_contact"
            " WHERE queue = 'chat' AND state IN ('queued', 'offered')"
            " ORDER BY priority DESC, queued_at, id"
        ).fetchall()


def mark_priority(database: Path, contact_id: int) -> None:
    # A priority customer is marked by an import (Contact.priority); the API has no field for
    # it, so the test writes the column as the import would. WAL: the server keeps running.
    with closing(sqlite3.connect(database, timeout=30)) as db, db:
        db.execute("UPDATE contacts_contact SET priority = 1 WHERE id = ?", [contact_id])


def test_waiting_contacts_keep_their_order_across_a_killed_server(server_data_dir):
    database = server_data_dir / SQLITE_NAME
    setup = prepare_routing(server_data_dir, chats=1)
    queue_id = str(setup["queue_id"])

    first = ServerProcess(server_data_dir).start()
    try:
        first.wait_for_log(LEADING)
        api = Client(first.url, token=setup["token"])
        c = [new_contact(api, f"Klant {n}") for n in range(5)]
        mark_priority(database, c[3])
        # queued out of id order, the priority customer last: nobody is available, all wait
        for contact_id in (c[2], c[0], c[4], c[1], c[3]):
            assert queue(api, contact_id) == "queued"
        expected = [c[3], c[2], c[0], c[4], c[1]]
        waiting_before = sqlite_waiting(database)
        assert [row[0] for row in waiting_before] == expected
        assert sqlite_router_order(database, queue_id) == expected

        first.kill()
    finally:
        first.stop()

    with ServerProcess(server_data_dir) as second:
        second.wait_for_log(LEADING)
        # the same contacts wait, with the same queue entry times, in the same order
        assert sqlite_waiting(database) == waiting_before
        assert sqlite_router_order(database, queue_id) == expected

        agent = Client(second.url, token=setup["token"])
        assert agent.get("/api/v1/routing/me")["offer"] is None
        agent.post("/api/v1/routing/presence", {"presence": "available"})
        served = []
        for _ in expected:
            offer = agent.get("/api/v1/routing/me")["offer"]
            assert offer is not None, f"nothing offered after {served}"
            served.append(offer["contact_id"])
            agent.post("/api/v1/routing/offers/accept", {"offer_id": offer["offer_id"]})
            agent.post(f"/api/v1/routing/contacts/{offer['contact_id']}/end")
            agent.post(
                f"/api/v1/routing/contacts/{offer['contact_id']}/wrap-up", {"outcome": "resolved"}
            )
        assert served == expected
        assert agent.get("/api/v1/routing/me")["offer"] is None
        assert sqlite_waiting(database) == []


# -- PostgreSQL: two servers, one router -----------------------------------------------------


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test (dropped afterwards)."""
    name = f"symfonie_e2e_{secrets.token_hex(6)}"
    try:
        admin = psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL at {POSTGRES_ADMIN_URL} is unreachable ({exc}): the two-server router"
            " test needs it. Failing, not skipping.",
            pytrace=False,
        )
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> str:
    """A Redis database number of its own (the Channels layer shared by both servers)."""
    url = f"{REDIS_URL}/{secrets.randbelow(15) + 1}"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=5).ping()
    except redis.RedisError as exc:
        pytest.fail(
            f"Redis at {url} is unreachable ({exc}): two servers share live events through it."
            " Failing, not skipping.",
            pytrace=False,
        )
    return url


def router_holder(database_url: str) -> list[str]:
    """The ``application_name`` of every connection holding the router's advisory lock."""
    with psycopg.connect(database_url, autocommit=True) as db:
        rows = db.execute(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted"
            " AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND l.classid = %s AND l.objid = %s AND l.objsubid = 1",
            [(ADVISORY_KEY >> 32) & 0xFFFFFFFF, ADVISORY_KEY & 0xFFFFFFFF],
        ).fetchall()
    return sorted(row[0] for row in rows)


def decisions_per_contact(database_url: str, kind: str) -> dict[int, int]:
    """How often the router's log holds a decision of ``kind`` per contact."""
    with psycopg.connect(database_url, autocommit=True) as db:
        rows = db.execute(
            "SELECT (data->>'contact_id')::bigint, count(*) FROM routing_routerlogentry"
            " WHERE type = %s GROUP BY 1",
            [kind],
        ).fetchall()
    return dict(rows)


def next_event(ws: ClientConnection, wanted: Callable[[dict], bool]) -> dict:
    """The next live event on ``ws`` that ``wanted`` accepts (others are skipped)."""
    deadline = time.monotonic() + EVENT_TIMEOUT_SECONDS
    seen = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise AssertionError(f"no such event within {EVENT_TIMEOUT_SECONDS} s; saw {seen}")
        try:
            message = json.loads(ws.recv(timeout=remaining))
        except TimeoutError:
            continue
        event = message["event"]
        if wanted(event):
            return event
        seen.append((event["type"], event["data"]))


def offered(contact_id: int) -> Callable[[dict], bool]:
    return lambda e: e["type"] == "routing.offered" and e["data"]["contact_id"] == contact_id


def test_two_servers_share_one_router_and_the_survivor_takes_over(
    tmp_path, postgres_url, redis_url
):
    data_dir = tmp_path / "server"  # shared: one secret key, so a session works on both
    data_dir.mkdir()
    db_env = {"DATABASE_URL": postgres_url}
    run_cli(data_dir, "migrate", env=db_env)
    setup = prepare_routing(data_dir, chats=10, env=db_env)

    def server(name: str) -> ServerProcess:
        # application_name tells the two servers' connections apart in pg_stat_activity
        url = f"{postgres_url}?application_name=symfonie-e2e-{name}"
        return ServerProcess(data_dir, database_url=url, env={"REDIS_URL": redis_url})

    a, b = server("a"), server("b")
    try:
        a.start().wait_for_log(LEADING)
        b.start()
        # b's router thread tried to lead before its HTTP server started, and failed
        assert router_holder(postgres_url) == ["symfonie-e2e-a"]
        assert LEADING not in b.log_text()

        api_a = Client(a.url, token=setup["token"])
        api_b = Client(b.url, token=setup["token"])
        anna_b = Client(b.url).sign_in("anna@example.nl", PASSWORD)
        ws = connect(
            f"ws://127.0.0.1:{b.port}/ws/live/",
            additional_headers={"Cookie": anna_b.cookie_header(), "Origin": b.url},
            open_timeout=30,
        )
        with ws:
            # both servers take commands; the leader (a) carries them out
            first = new_contact(api_b, "Via b")
            assert queue(api_b, first) == "queued"
            second = new_contact(api_a, "Via a")
            assert queue(api_a, second) == "queued"
            me = anna_b.post("/api/v1/routing/presence", {"presence": "available"})
            assert me["offer"]["contact_id"] == first
            old_offer = me["offer"]["offer_id"]
            # published by a's router thread, delivered to a socket of b through Redis
            assert next_event(ws, offered(first))["data"]["offer_id"] == old_offer

            # still one router after b carried commands to a: b never led
            assert router_holder(postgres_url) == ["symfonie-e2e-a"]
            assert LEADING not in b.log_text()

            a.kill()
            # submitted while nobody leads: kept in RouterCommand, carried out by b
            third = new_contact(api_b, "During the takeover")
            assert queue(api_b, third) == "queued"
            b.wait_for_log(LEADING, timeout_seconds=TAKEOVER_TIMEOUT_SECONDS)
            assert router_holder(postgres_url) == ["symfonie-e2e-b"]

            # b withdrew the offer the dead server made and offered the contact again
            renewed = next_event(ws, offered(first))["data"]["offer_id"]
            assert renewed != old_offer
            status, problem = anna_b.request(
                "POST", "/api/v1/routing/offers/accept", {"offer_id": old_offer}
            )
            assert status == 409, problem
            # Anna takes ten chats: each accept lets the router offer her the next in line
            order = [first, second, third]
            offer_id = renewed
            for n, contact_id in enumerate(order):
                accepted = anna_b.post("/api/v1/routing/offers/accept", {"offer_id": offer_id})
                assert accepted == {"contact_id": contact_id, "state": "active"}
                if n + 1 < len(order):
                    offer_id = next_event(ws, offered(order[n + 1]))["data"]["offer_id"]
            me = anna_b.get("/api/v1/routing/me")
            assert me["offer"] is None
            assert sorted(c["id"] for c in me["contacts"]) == sorted(order)
    finally:
        a.stop()
        b.stop()

    contacts = {first, second, third}
    assert decisions_per_contact(postgres_url, "contact.queued") == dict.fromkeys(contacts, 1)
    assert decisions_per_contact(postgres_url, "contact.assigned") == dict.fromkeys(contacts, 1)
