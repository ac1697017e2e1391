"""KPI dashboard queries over a month of 1,000,000 contacts, and the bank-file import rate.

One database per run (``--database sqlite`` or a PostgreSQL URL). A month (March 2026) of
generated contacts with realistic patterns: weekday and intraday profiles (Amsterdam time),
six queues on four channels, exponential waits against exponential patience (abandons), a
share ending in the menu, lognormal talk times, wrap-up, CSAT answers. The contacts are inserted
with the import's bulk path, the stored tallies built with ``rebuild`` (a full recomputation,
timed), then the dashboard's queries are timed (median of 5): the month in total with one bucket
per day, the month per 30-minute interval, and one queue per day; and the whole dashboard
page's figures and charts (median of 3) for the month (tallied figures only: above 20,000
contacts the contact-level ones are left out) and for one day (about 32,000 contacts, so also
tallied only). Ratios are the goal limits
(1 s on SQLite, 0.5 s on PostgreSQL) divided by the measured time: above 1 meets the goal.

Then ``symfonie import anonymous-bank`` of the February 1999 file into a fresh tenant: records
per second over the whole import (parse, customers, contacts, timeline, tallies), against the
goal of 20,000 records/s.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from common import fresh_database

CONTACTS = 1_000_000
GOALS_SECONDS = {"sqlite": 1.0, "postgresql": 0.5}
GOAL_IMPORT_PER_SECOND = 20_000.0
BANK_FILE = Path(__file__).resolve().parents[2] / "shared/data/anonymous-bank/february_1999.txt.gz"
QUEUES = ["service", "storingen", "facturen", "verhuizen", "klachten", "zakelijk"]
CHANNELS = ["voice", "webchat", "email", "whatsapp"]
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def generate_rows(tenant_id: int, rng: np.random.Generator, count: int) -> list[dict]:
    days = [date(2026, 3, 1) + timedelta(days=i) for i in range(31)]
    weekday = np.array([1.15, 1.0, 0.95, 0.95, 0.9, 0.35, 0.2])
    day_weight = np.array([weekday[d.weekday()] for d in days])
    day_of = rng.choice(len(days), size=count, p=day_weight / day_weight.sum())
    hours = np.arange(24)
    profile = np.exp(-0.5 * ((hours - 11.0) / 3.2) ** 2) + 0.6 * np.exp(
        -0.5 * ((hours - 15.5) / 2.0) ** 2
    )
    profile[:7] = 0.01
    hour_of = rng.choice(24, size=count, p=profile / profile.sum())
    second_of = rng.integers(0, 3600, size=count)
    queue_of = rng.choice(len(QUEUES), size=count, p=[0.4, 0.2, 0.15, 0.1, 0.1, 0.05])
    channel_of = rng.choice(len(CHANNELS), size=count, p=[0.55, 0.2, 0.15, 0.1])
    menu = rng.uniform(5, 40, size=count)
    self_service = rng.random(count) < 0.06
    wait = rng.exponential(35.0, size=count)
    patience = rng.exponential(180.0, size=count)
    talk = rng.lognormal(5.3, 0.6, size=count)
    wrap = rng.uniform(10, 90, size=count)
    csat = np.where(rng.random(count) < 0.15, rng.integers(1, 6, size=count), 0)
    midnight = {d: datetime.combine(d, datetime.min.time(), tzinfo=AMSTERDAM) for d in days}
    rows = []
    for i in range(count):
        arrived = (midnight[days[day_of[i]]] + timedelta(hours=int(hour_of[i]))).astimezone(
            UTC
        ) + timedelta(seconds=int(second_of[i]))
        row = {
            "tenant_id": tenant_id,
            "channel": CHANNELS[channel_of[i]],
            "direction": "in",
            "queue": QUEUES[queue_of[i]],
            "arrived_at": arrived,
            "external_ref": f"gen-{i}",
        }
        if self_service[i]:
            row.update(state="closed", ended_at=arrived + timedelta(seconds=float(menu[i])),
                       ended_in_self_service=True)  # fmt: skip
        else:
            queued = arrived + timedelta(seconds=float(menu[i]))
            if patience[i] < wait[i]:
                row.update(state="abandoned", queued_at=queued,
                           ended_at=queued + timedelta(seconds=float(patience[i])))  # fmt: skip
            else:
                answered = queued + timedelta(seconds=float(wait[i]))
                ended = answered + timedelta(seconds=float(talk[i]))
                row.update(
                    state="closed", queued_at=queued, answered_at=answered, ended_at=ended,
                    wrap_up_ended_at=ended + timedelta(seconds=float(wrap[i])),
                    csat_score=int(csat[i]) or None, outcome="resolved",
                )  # fmt: skip
        rows.append(row)
    return rows


def timed(function, repeats: int = 5) -> float:
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="sqlite")
    parser.add_argument("--contacts", type=int, default=CONTACTS)
    args = parser.parse_args(argv)
    engine = fresh_database(args.database)

    from django.db import transaction

    from symfonie.contacts.models import Contact
    from symfonie.reporting.aggregates import rebuild
    from symfonie.reporting.dashboard import Links, build_dashboard
    from symfonie.reporting.imports.bank import import_bank_file
    from symfonie.reporting.imports.bulk import insert_rows
    from symfonie.reporting.models import KpiInterval
    from symfonie.reporting.report import ReportFilter, kpi_report
    from symfonie.tenants.models import Tenant

    tenant = Tenant.objects.create(slug="bench", name="Bench")
    started = time.perf_counter()
    rows = generate_rows(tenant.pk, np.random.default_rng(20261123), args.contacts)
    with transaction.atomic():
        insert_rows(Contact, rows)
    insert_seconds = time.perf_counter() - started
    started = time.perf_counter()
    rebuild(tenant)
    rebuild_seconds = time.perf_counter() - started

    month = ReportFilter(tenant, date(2026, 3, 1), date(2026, 3, 31))
    one_day = ReportFilter(tenant, date(2026, 3, 17), date(2026, 3, 17))
    one_queue = ReportFilter(tenant, date(2026, 3, 1), date(2026, 3, 31), queue="service")
    queries = {
        "month_per_day": timed(lambda: kpi_report(month, every="day")),
        "month_per_30m": timed(lambda: kpi_report(month, every="30m")),
        "queue_per_day": timed(lambda: kpi_report(one_queue, every="day")),
        # the whole dashboard page's figures and charts (views.dashboard minus the template)
        "page_month_per_day": timed(lambda: build_dashboard(month, "day", Links({})), 3),
        "page_one_day_per_30m": timed(lambda: build_dashboard(one_day, "30m", Links({})), 3),
    }
    check = kpi_report(month).total
    goal = GOALS_SECONDS[engine]

    bank = Tenant.objects.create(slug="bank", name="Bank", time_zone="Asia/Jerusalem")
    started = time.perf_counter()
    _, report = import_bank_file(bank, BANK_FILE)
    import_seconds = time.perf_counter() - started
    rate = report.rows / import_seconds
    return {
        "database": engine,
        "contacts": check.contacts,
        "offered": check.offered,
        "stored_interval_rows": KpiInterval.objects.filter(tenant=tenant).count(),
        "insert_seconds": round(insert_seconds, 1),
        "full_recomputation_seconds": round(rebuild_seconds, 1),
        "dashboard_seconds": {name: round(value, 4) for name, value in queries.items()},
        "dashboard_goal_seconds": goal,
        "dashboard_ratio_goal_over_measured": {
            name: round(goal / value, 1) for name, value in queries.items()
        },
        "import_records": report.rows,
        "import_seconds": round(import_seconds, 2),
        "import_records_per_second": round(rate),
        "import_ratio_to_goal": round(rate / GOAL_IMPORT_PER_SECOND, 2),
    }


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])))
