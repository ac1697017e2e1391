"""Timeline of a customer with 1,000 items across channels: latency of the API call.

Measures ``GET /api/v1/customers/{id}/timeline`` in-process through the whole Django stack
(middleware, token auth, tenant scoping, audit write, serialisation): the first page (50 items)
and a walk through all pages by cursor. Reports p50/p99 in milliseconds and the ratio of p99 to
the goal of 50 ms (below 1.0 meets it).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from common import fresh_database, percentile

GOAL_P99_MS = 50.0
CHANNELS = ["voice", "email", "webchat", "whatsapp", "letter", "webform", "sms", "telegram"]


def main(argv: list[str]) -> dict[str, object]:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args(argv)
    engine = fresh_database(args.database)

    from django.test import Client

    from symfonie.contacts.actions.customers import do_create_customer
    from symfonie.contacts.actions.interactions import do_add_message, do_create_contact
    from symfonie.demo.loader import load_demo
    from symfonie.tenants.models import ApiToken, Membership, Tenant, User

    load_demo(scale=0.25)  # other customers' rows around ours, as in a real database
    tenant = Tenant.objects.get(slug="woonstad")
    user = User.objects.create_user(email="bench@example.nl", password="x" * 12)
    Membership.objects.create(user=user, tenant=tenant, role="agent")
    _token, raw = ApiToken.issue(tenant=tenant, user=user, name="bench")
    customer = do_create_customer(tenant, name="Bench Klant", identities=[("phone", "0611111111")])
    start = datetime(2026, 1, 1, 8, tzinfo=UTC)
    for n in range(250):  # 250 contacts × (1 contact + 3 messages) = 1,000 timeline items
        contact = do_create_contact(
            customer, channel=CHANNELS[n % len(CHANNELS)], arrived_at=start + timedelta(hours=7 * n)
        )
        for k in range(3):
            do_add_message(
                contact,
                author="customer" if k % 2 == 0 else "agent",
                body=f"bericht {n}.{k}",
                created_at=contact.arrived_at + timedelta(minutes=k + 1),
            )
    client = Client(headers={"Authorization": f"Bearer {raw}"}, HTTP_HOST="127.0.0.1")
    url = f"/api/v1/customers/{customer.pk}/timeline"
    for _ in range(20):  # warm-up
        client.get(url)
    first_page: list[float] = []
    for _ in range(args.requests):
        t0 = time.perf_counter()
        response = client.get(url, {"limit": 50})
        first_page.append((time.perf_counter() - t0) * 1000)
        assert response.status_code == 200
    walk: list[float] = []
    items = 0
    cursor = None
    for _ in range(5):
        cursor, items = None, 0
        while True:
            params = {"limit": 100, **({"cursor": cursor} if cursor else {})}
            t0 = time.perf_counter()
            page = client.get(url, params).json()
            walk.append((time.perf_counter() - t0) * 1000)
            items += len(page["items"])
            cursor = page["next_cursor"]
            if not cursor:
                break
    p99 = percentile(first_page, 0.99)
    return {
        "database": engine,
        "timeline_items": items,
        "requests": args.requests,
        "first_page_50_items_ms": {
            "p50": round(statistics.median(first_page), 2),
            "p99": round(p99, 2),
        },
        "page_walk_100_items_ms": {
            "p50": round(statistics.median(walk), 2),
            "p99": round(percentile(walk, 0.99), 2),
        },
        "goal_p99_ms": GOAL_P99_MS,
        "p99_to_goal_ratio": round(p99 / GOAL_P99_MS, 3),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
