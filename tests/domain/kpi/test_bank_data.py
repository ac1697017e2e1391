"""The KPI definitions on real call-center data: the Anonymous Bank file, February 1999.

Expected numbers are not produced by this code: the self-check facts come from
shared/data/anonymous-bank/SOURCE.md, the oracle from issue 7 ("Oracle (February 1999, …)",
short abandon ≤ 5 s, T = 20 s inclusive). The file is read in place.
"""

from __future__ import annotations

import pytest

from symfonie.datasets.anonymous_bank import (
    BankCall,
    exclude_negative_vru_time,
    exclude_phantom,
    read_calls,
)
from symfonie.datasets.bank_kpi import calls_to_records
from symfonie.domain.kpi.counts import count_volumes
from symfonie.domain.kpi.grouping import group_by
from symfonie.domain.kpi.handling import handle_times
from symfonie.domain.kpi.kpiset import KpiSettings, compute_kpis
from symfonie.domain.kpi.records import ContactRecord
from symfonie.domain.kpi.service_level import service_level
from tests.shared_data import shared_data_file


@pytest.fixture(scope="module")
def calls() -> list[BankCall]:
    return exclude_phantom(read_calls(shared_data_file("anonymous-bank/february_1999.txt.gz")))


@pytest.fixture(scope="module")
def records(calls: list[BankCall]) -> list[ContactRecord]:
    return calls_to_records(calls)


def test_source_fact_calls_that_waited(records: list[ContactRecord]) -> None:
    # SOURCE.md: non-phantom calls with q_time > 0: 18,028 (14,096 served, 3,932 hung up:
    # 21.81 % abandoned). A call's wait is its q_time, so "q_time > 0" is "wait > 0".
    waited = [record for record in records if (record.wait_seconds or 0) > 0]
    counts = count_volumes(waited)
    assert (counts.offered, counts.answered, counts.abandoned) == (18_028, 14_096, 3_932)
    assert counts.abandonment_rate is not None
    assert round(100 * counts.abandonment_rate, 2) == 21.81


def test_source_fact_agent_calls_within_20_seconds(records: list[ContactRecord]) -> None:
    # SOURCE.md: "AGENT calls with q_time ≤ 20 s: 59.68 %". Its population is every AGENT call,
    # including those that went straight from the VRU to an agent (q_time = 0, wait 0; by
    # SOURCE.md's own figures 27,162 − 14,096 = 13,066 of them): that
    # is the answered-based variant (answered within T / answered), T = 20 s inclusive. Abandoned
    # calls are not in it, so it is neither the offered-based variant nor the one excluding short
    # abandons.
    level = service_level(records, 20)
    assert level.answered_count == 27_162  # SOURCE.md: 27,162 AGENT calls
    assert level.answered is not None
    assert round(100 * level.answered, 2) == 59.68


def test_source_fact_mean_service_time_is_aht_without_wrap_up(records: list[ContactRecord]) -> None:
    # SOURCE.md: AGENT calls: mean ser_time 176.35 s. The file has no hold or wrap-up time.
    times = handle_times(records)
    assert times.count == 27_162
    assert times.aht_seconds is not None
    assert round(times.aht_seconds, 2) == 176.35
    assert times.hold_seconds == times.wrap_up_seconds == 0.0


def test_issue_oracle_for_the_whole_month(calls: list[BankCall]) -> None:
    imported = calls_to_records(exclude_negative_vru_time(calls))
    assert len(imported) == 33_043
    kpis = compute_kpis(imported, settings=KpiSettings())  # T = 20 s, short abandon ≤ 5 s
    assert (kpis.offered, kpis.answered, kpis.abandoned) == (31_102, 27_141, 3_961)
    assert kpis.short_abandons == 274
    assert kpis.abandonment_rate == pytest.approx(0.12736, abs=5e-6)
    level = kpis.service_level
    assert level.answered == pytest.approx(0.59721, abs=5e-6)
    assert level.offered == pytest.approx(0.52116, abs=5e-6)
    assert level.excluding_short_abandons == pytest.approx(0.52579, abs=5e-6)
    assert kpis.asa_seconds == pytest.approx(40.730, abs=5e-4)
    assert kpis.aht_seconds == pytest.approx(176.383, abs=5e-4)
    assert kpis.avg_wait_abandoned_seconds == pytest.approx(65.543, abs=5e-4)


def test_issue_oracle_per_type(calls: list[BankCall]) -> None:
    imported = calls_to_records(exclude_negative_vru_time(calls))
    per_type = {bucket.group: bucket.kpis for bucket in group_by(imported, key="queue")}
    oracle = {
        "PS": (20_004, 18_328, 0.6045),
        "NW": (6_959, 4_990, 0.5727),
        "NE": (2_702, 2_520, 0.5274),
        "IN": (261, 199, 0.4221),
        "TT": (1_040, 984, 0.8110),
        "PE": (136, 120, 0.5083),
    }
    assert set(per_type) == set(oracle)
    for call_type, (offered, answered, level) in oracle.items():
        kpis = per_type[call_type]
        assert (kpis.offered, kpis.answered) == (offered, answered), call_type
        assert kpis.service_level.answered == pytest.approx(level, abs=5e-5), call_type
