"""The issue's oracle (February 1999), reproduced through the import and report commands."""

from __future__ import annotations

import gzip
import json

import pytest

from symfonie.cli import main
from tests.shared_data import shared_data_file

BANK_FILE = shared_data_file("anonymous-bank/february_1999.txt.gz")
MONTH = ["--start", "1999-02-01", "--end", "1999-02-28"]

# [kpi] issue, "Oracle": offered / answered / SL answered-based per type
PER_TYPE = {
    "PS": (20_004, 18_328, 0.6045),
    "NW": (6_959, 4_990, 0.5727),
    "NE": (2_702, 2_520, 0.5274),
    "IN": (261, 199, 0.4221),
    "TT": (1_040, 984, 0.8110),
    "PE": (136, 120, 0.5083),
}


def _json(capsys, argv: list[str]) -> dict:
    capsys.readouterr()
    assert main(argv) == 0
    return json.loads(capsys.readouterr().out)


@pytest.fixture
def bank_tenant(db):
    assert main(["createtenant", "bank", "--name", "Bank", "--time-zone", "Asia/Jerusalem"]) == 0
    from symfonie.tenants.models import Tenant

    return Tenant.objects.get(slug="bank")


def test_import_and_report_reproduce_the_oracle(bank_tenant, capsys) -> None:
    imported = _json(
        capsys, ["import", "anonymous-bank", str(BANK_FILE), "--tenant", "bank", "--json"]
    )
    assert (imported["rows"], imported["rejected"], imported["imported"]) == (33_344, 301, 33_043)
    reasons = {r["reason"].split(" (")[0] for r in imported["rejections"]}
    assert reasons <= {"PHANTOM call", "negative vru_time", "negative q_time", "negative ser_time"}
    assert all(isinstance(r["line"], int) and r["line"] >= 2 for r in imported["rejections"])

    # customers by number, with the priority as an attribute; anonymous callers have none
    from symfonie.contacts.models import Contact, Identity

    identity = Identity.objects.filter(tenant=bank_tenant, kind="customer_number").first()
    assert identity.customer.attributes["priority"] in (0, 1, 2)
    assert Contact.objects.filter(tenant=bank_tenant, customer__isnull=True).exists()
    assert Contact.objects.filter(tenant=bank_tenant, customer=identity.customer).exists()

    figures = _json(capsys, ["report", "kpis", "--tenant", "bank", *MONTH, "--json"])
    assert figures["offered"] == 31_102
    assert figures["answered"] == 27_141
    assert figures["abandoned"] == 3_961
    assert figures["abandonment_rate"] == pytest.approx(0.12736, abs=5e-6)
    assert figures["short_abandons"] == 274
    assert figures["service_level"] == pytest.approx(
        {"answered": 0.59721, "offered": 0.52116, "excluding_short_abandons": 0.52579}, abs=5e-6
    )
    assert figures["asa_seconds"] == pytest.approx(40.730, abs=5e-4)
    assert figures["aht_seconds"] == pytest.approx(176.383, abs=5e-4)
    assert figures["avg_wait_abandoned_seconds"] == pytest.approx(65.543, abs=5e-4)

    for queue, (offered, answered, level) in PER_TYPE.items():
        per_queue = _json(
            capsys, ["report", "kpis", "--tenant", "bank", *MONTH, "--queue", queue, "--json"]
        )
        assert (per_queue["offered"], per_queue["answered"]) == (offered, answered), queue
        assert per_queue["service_level"]["answered"] == pytest.approx(level, abs=5e-5), queue

    # per interval: the buckets partition the month
    daily = _json(
        capsys, ["report", "kpis", "--tenant", "bank", *MONTH, "--interval", "day", "--json"]
    )
    assert len(daily["intervals"]) == 28
    assert sum(day["offered"] for day in daily["intervals"]) == 31_102
    halves = _json(
        capsys,
        ["report", "kpis", "--tenant", "bank", "--start", "1999-02-03", "--end", "1999-02-03",
         "--interval", "30m", "--json"],
    )  # fmt: skip
    assert len(halves["intervals"]) == 48
    assert sum(i["offered"] for i in halves["intervals"]) == halves["offered"]

    # a second import adds nothing
    again = _json(
        capsys, ["import", "anonymous-bank", str(BANK_FILE), "--tenant", "bank", "--json"]
    )
    assert (again["imported"], again["already_present"]) == (0, 33_043)
    assert (
        _json(capsys, ["report", "kpis", "--tenant", "bank", *MONTH, "--json"])["offered"] == 31_102
    )

    # the stored tallies equal a full recomputation from the contacts
    from symfonie.reporting.aggregates import rebuild
    from symfonie.reporting.models import KpiInterval

    stored = sorted(
        KpiInterval.objects.values_list("start", "queue", "channel", "answered", "answered_wait_us")
    )
    rebuild(bank_tenant)
    assert stored == sorted(
        KpiInterval.objects.values_list("start", "queue", "channel", "answered", "answered_wait_us")
    )


def test_partial_garbage_keeps_the_good_rows(bank_tenant, tmp_path, capsys) -> None:
    with gzip.open(BANK_FILE, "rt", encoding="ascii") as source:
        lines = [next(source) for _ in range(6)]
    header, good = lines[0], lines[1:]
    broken = [
        "AA0101\t1\t0\n",  # too few fields
        good[0].replace("\t9902", "\t99x2", 1),  # a date that does not parse
    ]
    path = tmp_path / "partial.txt"
    path.write_text(header + "".join(good[:3]) + "".join(broken) + "".join(good[3:]))
    report = _json(capsys, ["import", "anonymous-bank", str(path), "--tenant", "bank", "--json"])
    good_count = sum("PHANTOM" not in line for line in good)
    assert report["imported"] == good_count
    assert [r["line"] for r in report["rejections"] if "PHANTOM" not in r["reason"]] == [5, 6]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["import", "anonymous-bank", str(BANK_FILE), "--tenant", "nope"], "no tenant with slug 'nope'"),
        (["report", "kpis", "--tenant", "bank", "--start", "1999-02-28", "--end", "1999-02-01"], "reversed"),
        (["report", "kpis", "--tenant", "bank", *MONTH, "--queue", "XX"], "no queue 'XX'"),
        (["report", "kpis", "--tenant", "bank", *MONTH, "--interval", "7m"], "interval must be one of"),
        (["report", "kpis", "--tenant", "nope", *MONTH], "no tenant with slug 'nope'"),
    ],
)  # fmt: skip
def test_bad_input_exits_2_with_the_reason(bank_tenant, capsys, argv, message) -> None:
    assert main(argv) == 2
    assert message in capsys.readouterr().err


def test_a_file_in_the_wrong_format_names_the_expected_columns(
    bank_tenant, tmp_path, capsys
) -> None:
    path = tmp_path / "calls.csv"
    path.write_text("id,when\n1,2026-01-01\n")
    assert main(["import", "anonymous-bank", str(path), "--tenant", "bank"]) == 2
    err = capsys.readouterr().err
    assert "vru+line" in err and "ser_time" in err
    assert main(["import", "contacts", str(path), "--tenant", "bank"]) == 2
    assert "external_id" in capsys.readouterr().err
