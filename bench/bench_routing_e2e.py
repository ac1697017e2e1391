"""Benchmark: a contact's arrival over HTTP → its offer on the chosen agent's live WebSocket.

A real ``symfonie serve`` process (what a site runs: uvicorn, Django, Channels, the router
thread; the in-memory Channels layer of the embedded mode; DEBUG off) on a fresh database,
SQLite, then PostgreSQL. 200 agents of one tenant (``--tenants`` spreads them over more), each
with a signed-in session (made by the set-up snippet, as the sign-in form would), a live
WebSocket (``/ws/live/``) and room for every chat it may get (nobody ends or wraps up), all set
available through the API. Arrivals are sent open loop:

* an arrival is ``POST /api/v1/contacts`` (a web chat of an existing customer), then
  ``POST /api/v1/routing/contacts/{id}/queue``, with the tenant's API token; t0 is taken just
  before the first request;
* t1 is when the ``routing.offered`` event of that contact reaches the socket of the agent it
  names; that agent accepts over HTTP at once (session cookie and CSRF header), so the router
  may offer it the next one.

Two loads, each after the server has gone idle (the set-up's events may still be on their way
to the sockets): a light one (``--light-rate``, 1/s) and the goal's (``--rate`` 100/s for
``--seconds``). An arrival the client could not start within the load's window (plus 1 s) is
not sent: when the server answers slower than arrivals come, the client's 48 request threads
wait, and "arrivals_per_second_achieved" is what the server took. After a load, offers may
come for another 20 s ("not_offered_within_drain" counts those that did not).

Latency = t1 − t0 (one process, ``time.perf_counter``): p50/p90/p99/max against the goal
p99 ≤ 100 ms on SQLite ("p99_over_goal"). Also: the arrival requests' own time, how late the
client started arrivals, refused requests (503: the router did not answer within 10 s), the
server's and the client's CPU use (the client shares the machine). Every live event of a tenant
goes to every socket of that tenant, so one tenant of 200 agents measures that fan-out too. The
WebSocket client negotiates no compression.

Writes ``bench/results/routing_e2e.json``; two to three minutes per database on two cores.

    .venv/bin/python bench/bench_routing_e2e.py [--rate 100] [--seconds 10] [--agents 200]
        [--tenants 1] [--light-rate 1] [--database sqlite --database postgres://…]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import platform
import secrets
import shutil
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the end-to-end tests' server process and CLI helpers
from tests.e2e.server import ServerProcess, manage_shell, run_cli  # noqa: E402

from common import percentile  # noqa: E402

RESULT = HERE / "results" / "routing_e2e.json"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/symfonie_bench")
GOAL_P99_MS = 100.0
WARM_UP_ARRIVALS = 20
DRAIN_SECONDS = 20.0  # after the last arrival, how long offers may still come
HTTP_THREADS = 48
SETTLE_TIMEOUT_SECONDS = 120.0
IDLE_CPU_SECONDS = 0.25  # server CPU time in one second below which it counts as idle
CUSTOMERS_PER_TENANT = 200

# Agents, sessions and one API token per tenant, made directly (hashing 200 passwords and
# signing in 200 times through the form would take longer than the measurement).
SETUP = """
import json
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import transaction
from symfonie.contacts.models import Customer
from symfonie.routing.models import AgentProfile, AgentSkill, RoutingQueue, Skill
from symfonie.tenants.middleware import SESSION_TENANT_KEY
from symfonie.tenants.models import ApiToken, Membership, Tenant, User

AGENTS, TENANTS, CHATS, CUSTOMERS = %(agents)d, %(tenants)d, %(chats)d, %(customers)d
out = []
with transaction.atomic():
    for t in range(TENANTS):
        tenant = Tenant.objects.create(slug=f"bench-{t}", name=f"Bench {t}")
        skill = Skill.objects.create(tenant=tenant, code="chat", name="Chat")
        RoutingQueue.objects.create(
            tenant=tenant, slug="chat", name="Chat", channel="chat",
            required_skills=[{"skill": "chat", "min_proficiency": 1}],
        )
        integration = User.objects.create_user(email=f"api-{t}@bench.invalid")
        Membership.objects.create(user=integration, tenant=tenant, role="admin")
        _, token = ApiToken.issue(tenant=tenant, user=integration, name="bench")
        customers = [
            Customer.objects.create(tenant=tenant, name=f"Klant {n}").pk for n in range(CUSTOMERS)
        ]
        agents = []
        for a in range(t, AGENTS, TENANTS):
            user = User.objects.create_user(email=f"agent-{a}@bench.invalid")
            Membership.objects.create(user=user, tenant=tenant, role="agent")
            profile = AgentProfile.objects.create(user=user, languages=["nl"], chats=CHATS)
            AgentSkill.objects.create(agent=profile, skill=skill, proficiency=3)
            session = SessionStore()
            session[SESSION_KEY] = str(user.pk)
            session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
            session[HASH_SESSION_KEY] = user.get_session_auth_hash()
            session[SESSION_TENANT_KEY] = tenant.pk
            session.create()
            agents.append({"user_id": user.pk, "session": session.session_key})
        out.append({"token": token, "customers": customers, "agents": agents})
print(json.dumps(out))
"""


# -- HTTP: one keep-alive connection per client thread ------------------------------------


class Http:
    def __init__(self, port: int) -> None:
        self.port = port
        self.local = threading.local()

    def request(
        self, method: str, path: str, body: object, headers: dict[str, str]
    ) -> tuple[int, Any]:
        payload = None if body is None else json.dumps(body).encode()
        headers = {**headers, "Content-Type": "application/json", "Accept": "application/json"}
        for attempt in range(2):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                self.local.connection = connection
            try:
                connection.request(method, path, payload, headers)
                response = connection.getresponse()
                raw = response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                self.local.connection = None
                if attempt:
                    raise
                continue
            return response.status, json.loads(raw) if raw else None
        raise AssertionError("unreachable")


@dataclass
class Agent:
    user_id: int
    session: str
    csrf: str = field(default_factory=lambda: secrets.token_hex(16))  # 32 characters

    def headers(self) -> dict[str, str]:
        return {
            "Cookie": f"sessionid={self.session}; csrftoken={self.csrf}",
            "X-CSRFToken": self.csrf,
        }


@dataclass
class Tenant:
    token: str
    customers: list[int]
    agents: list[Agent]


@dataclass
class Phase:
    """One load level: what was sent, and when each contact was offered."""

    label: str
    rate: float
    seconds: float
    t0: dict[int, float] = field(default_factory=dict)  # contact id → before the first request
    request_seconds: list[float] = field(default_factory=list)  # both arrival requests
    lag_seconds: list[float] = field(default_factory=list)  # started late by the client
    refused: dict[str, int] = field(default_factory=dict)
    not_sent: int = 0  # the client fell so far behind that the window closed first

    def refuse(self, what: str, status: int) -> None:
        key = f"{what} {status}"
        self.refused[key] = self.refused.get(key, 0) + 1

    def result(
        self, t1: dict[int, float], cpu_percent: float, client_cpu_percent: float
    ) -> dict[str, Any]:
        latencies_ms = sorted(1000 * (t1[c] - t0) for c, t0 in self.t0.items() if c in t1)
        row: dict[str, Any] = {
            "load": self.label,
            "arrivals_per_second_target": self.rate,
            "seconds": self.seconds,
            "arrivals_sent": len(self.t0),
            "arrivals_per_second_achieved": round(len(self.t0) / self.seconds, 1),
            "not_sent": self.not_sent,
            "offered": len(latencies_ms),
            "not_offered_within_drain": len(self.t0) - len(latencies_ms),
        }
        if latencies_ms:
            p99 = percentile(latencies_ms, 0.99)
            row["latency_ms"] = {
                "p50": round(percentile(latencies_ms, 0.50), 1),
                "p90": round(percentile(latencies_ms, 0.90), 1),
                "p99": round(p99, 1),
                "max": round(latencies_ms[-1], 1),
            }
            row["p99_over_goal"] = round(p99 / GOAL_P99_MS, 2)
        if self.request_seconds:
            row["arrival_requests_ms"] = {
                "p50": round(1000 * percentile(self.request_seconds, 0.50), 1),
                "p99": round(1000 * percentile(self.request_seconds, 0.99), 1),
            }
        if self.lag_seconds:
            row["client_start_lag_ms_p99"] = round(1000 * percentile(self.lag_seconds, 0.99), 1)
        row["refused_requests"] = self.refused
        row["server_cpu_percent"] = round(cpu_percent)
        row["client_cpu_percent"] = round(client_cpu_percent)
        # the machine may be shared: its load says how much of it the server had
        row["load_average_1min"] = round(os.getloadavg()[0], 1)
        return row


# -- the run against one server ------------------------------------------------------------


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def run_load(
    server: ServerProcess, tenants: list[Tenant], phases: list[Phase]
) -> list[dict[str, Any]]:
    loop = asyncio.get_running_loop()
    pool = ThreadPoolExecutor(max_workers=HTTP_THREADS)
    http_client = Http(server.port or 0)
    t1: dict[int, float] = {}  # contact id → when its offer reached the chosen agent's socket
    refused_accepts: dict[int, int] = {}

    def accept(agent: Agent, offer_id: str) -> None:
        status, _ = http_client.request(
            "POST", "/api/v1/routing/offers/accept", {"offer_id": offer_id}, agent.headers()
        )
        if status != 200:  # 409: expired meanwhile (the router offers the contact again)
            refused_accepts[status] = refused_accepts.get(status, 0) + 1

    async def listen(agent: Agent, ws: ClientConnection) -> None:
        async for raw in ws:
            if '"routing.offered"' not in raw:  # every socket sees every event of its tenant
                continue
            event = json.loads(raw)["event"]
            data = event["data"]
            if event["type"] != "routing.offered" or data["agent_id"] != agent.user_id:
                continue
            t1.setdefault(data["contact_id"], time.perf_counter())
            loop.run_in_executor(pool, accept, agent, data["offer_id"])

    def arrive(phase: Phase | None, tenant: Tenant, n: int, scheduled: float, end: float) -> None:
        t0 = time.perf_counter()
        if phase is not None and t0 > end:
            phase.not_sent += 1
            return
        auth = {"Authorization": f"Bearer {tenant.token}"}
        customer = tenant.customers[n % len(tenant.customers)]
        status, contact = http_client.request(
            "POST", "/api/v1/contacts", {"customer_id": customer, "channel": "webchat"}, auth
        )
        if status != 201:
            if phase is not None:
                phase.refuse("contact", status)
            return
        contact_id = contact["id"]
        if phase is not None:
            phase.t0[contact_id] = t0
            phase.lag_seconds.append(t0 - scheduled)
        # 503: the router did not answer within 10 s; the arrival is kept and carried out
        status, _ = http_client.request(
            "POST", f"/api/v1/routing/contacts/{contact_id}/queue", {"queue": "chat"}, auth
        )
        if phase is None:
            return
        if status != 200:
            phase.refuse("queue", status)
        else:
            phase.request_seconds.append(time.perf_counter() - t0)

    async def send(phase: Phase | None, count: int, per_second: float) -> None:
        start = time.perf_counter()
        end = start + count / per_second + 1.0  # later than this the arrival is not sent
        futures = []
        for n in range(count):
            scheduled = start + n / per_second
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tenant = tenants[n % len(tenants)]
            futures.append(loop.run_in_executor(pool, arrive, phase, tenant, n, scheduled, end))
        await asyncio.gather(*futures)

    sockets = []
    for tenant in tenants:
        for agent in tenant.agents:
            ws = await connect(
                f"ws://127.0.0.1:{server.port}/ws/live/",
                additional_headers={"Cookie": agent.headers()["Cookie"], "Origin": server.url},
                compression=None,
                max_queue=None,
                open_timeout=60,
            )
            sockets.append((agent, ws))
    listeners = [asyncio.create_task(listen(agent, ws)) for agent, ws in sockets]

    def available(agent: Agent) -> None:
        status, answer = http_client.request(
            "POST", "/api/v1/routing/presence", {"presence": "available"}, agent.headers()
        )
        for _ in range(120):  # 503: kept by the router, carried out later: wait (≤ 60 s)
            if status != 503:
                break
            time.sleep(0.5)
            status, answer = http_client.request("GET", "/api/v1/routing/me", None, agent.headers())
            if status == 200 and answer["presence"] != "available":
                status = 503
        if status != 200:
            raise RuntimeError(f"agent {agent.user_id} cannot become available: {answer}")

    print(f"  {len(sockets)} sockets open", file=sys.stderr)
    agents = [a for t in tenants for a in t.agents]
    with ThreadPoolExecutor(max_workers=4) as few:  # 200 at once would only queue up
        await asyncio.gather(*(loop.run_in_executor(few, available, a) for a in agents))
    print(f"  {len(agents)} agents available", file=sys.stderr)
    await send(None, WARM_UP_ARRIVALS, 10.0)

    async def settle() -> float:
        """Wait until the server is nearly idle (it may still be pushing the set-up's events
        to the sockets); return how long that took."""
        started = time.perf_counter()
        while time.perf_counter() - started < SETTLE_TIMEOUT_SECONDS:
            before = server_cpu_seconds(server.pid)
            await asyncio.sleep(1.0)
            if server_cpu_seconds(server.pid) - before < IDLE_CPU_SECONDS:
                break
        return time.perf_counter() - started

    results = []
    for phase in phases:
        settled = await settle()
        print(f"  {phase.label}: server idle after {settled:.0f} s", file=sys.stderr)
        cpu_before, wall_before = server_cpu_seconds(server.pid), time.perf_counter()
        client_before = time.process_time()
        await send(phase, round(phase.rate * phase.seconds), phase.rate)
        wall = time.perf_counter() - wall_before
        cpu_percent = 100 * (server_cpu_seconds(server.pid) - cpu_before) / wall
        client_cpu_percent = 100 * (time.process_time() - client_before) / wall
        deadline = time.perf_counter() + DRAIN_SECONDS
        while time.perf_counter() < deadline and not phase.t0.keys() <= t1.keys():
            await asyncio.sleep(0.1)
        results.append(phase.result(t1, cpu_percent, client_cpu_percent))
        print("  " + json.dumps(results[-1]), file=sys.stderr)

    for task in listeners:
        task.cancel()
    for _, ws in sockets:
        await ws.close()
    pool.shutdown(wait=True)
    if refused_accepts:
        results[-1]["refused_accepts_all_loads"] = refused_accepts
    return results


def run(database: str, args: argparse.Namespace) -> dict[str, Any]:
    """Set up a fresh database, start the server, measure, stop; one result row."""
    data_dir = Path(tempfile.mkdtemp(prefix="symfonie-bench-e2e-"))
    env: dict[str, str] = {}
    database_url = None
    pg_name = None
    if database != "sqlite":
        import psycopg

        database_url = database
        admin_url, pg_name = database.rsplit("/", 1)
        with psycopg.connect(admin_url + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{pg_name}"')
        env["DATABASE_URL"] = database_url
    try:
        started = time.perf_counter()
        run_cli(data_dir, "migrate", env=env)
        # every agent can hold every chat it may be offered (nobody ends or wraps up)
        total = WARM_UP_ARRIVALS + args.light_rate * args.light_seconds + args.rate * args.seconds
        chats = min(255, 2 * round(total / args.agents) + 10)
        setup = manage_shell(
            data_dir,
            SETUP
            % {
                "agents": args.agents,
                "tenants": args.tenants,
                "chats": chats,
                "customers": CUSTOMERS_PER_TENANT,
            },
            env=env,
        )
        tenants = [
            Tenant(
                t["token"], t["customers"], [Agent(a["user_id"], a["session"]) for a in t["agents"]]
            )
            for t in setup
        ]
        print(f"  set up in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        # as a site runs it: DEBUG off (it keeps every SQL query in memory)
        server = ServerProcess(data_dir, database_url=database_url, env={"SYMFONIE_DEBUG": "0"})
        try:
            server.start()
            server.wait_for_log("router: leading")
            phases = [
                Phase("light", args.light_rate, args.light_seconds),
                Phase("goal", args.rate, args.seconds),
            ]
            loads = asyncio.run(run_load(server, tenants, phases))
        finally:
            server.stop()
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if pg_name is not None:
            import psycopg

            with psycopg.connect(admin_url + "/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')
    return {
        "database": "sqlite" if database == "sqlite" else "postgresql",
        "agents": args.agents,
        "tenants": args.tenants,
        "loads": loads,
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="measured arrivals (s)")
    parser.add_argument("--rate", type=float, default=100.0, help="arrivals per second")
    parser.add_argument("--light-rate", type=float, default=1.0, help="first, a light load")
    parser.add_argument("--light-seconds", type=float, default=10.0)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--tenants", type=int, default=1, help="agents spread over N tenants")
    parser.add_argument(
        "--database",
        action="append",
        help="sqlite or a PostgreSQL URL (dropped and created); default: both",
    )
    args = parser.parse_args(argv)
    databases = args.database or [
        "sqlite",
        PG_URL.replace("symfonie_bench", "symfonie_bench_routing_e2e"),
    ]
    runs = []
    for database in databases:
        print(f"routing_e2e: {database.split('@')[-1]}", file=sys.stderr)
        runs.append(run(database, args))
    document = {
        "benchmark": "routing_e2e",
        "goal": f"p99 ≤ {GOAL_P99_MS:.0f} ms from arrival over HTTP to the offer on the"
        " agent's WebSocket, at 100 arrivals/s with 200 connected agents (SQLite)",
        "machine": {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cpu_count": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "runs": runs,
    }
    RESULT.parent.mkdir(exist_ok=True)
    RESULT.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    print(f"routing_e2e: wrote {RESULT.relative_to(HERE.parent)}")
    return document


if __name__ == "__main__":
    main()
