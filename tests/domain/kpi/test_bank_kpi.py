"""The mapping of Anonymous Bank calls to contact records, on single lines (no file I/O).

The lines follow the file's format (shared/data/anonymous-bank/SOURCE.md); the first one is a
real record of February 1999, the others are made to show one case each.
"""

from __future__ import annotations

import pytest

from symfonie.datasets.anonymous_bank import BankCall, parse_calls
from symfonie.datasets.bank_kpi import call_to_record

HEADER = (
    "vru+line\tcall_id\tcustomer_id\tpriority\ttype\tdate\tvru_entry\tvru_exit\tvru_time\t"
    "q_start\tq_exit\tq_time\toutcome\tser_start\tser_exit\tser_time\tserver\n"
)


def _call(line: str) -> BankCall:
    (call,) = parse_calls([HEADER, line])
    return call


def test_mapping_of_a_call_that_queued_across_midnight() -> None:
    # From the February file: queued at 0:00:00 after entering the VRU at 23:59:54.
    call = _call(
        "AA0102\t31056\t15696776\t2\tPS\t990215\t23:59:54\t23:59:54\t0\t0:00:00\t0:00:27\t27\t"
        "AGENT\t0:00:26\t0:01:33\t67\tAVNI\n"
    )
    record = call_to_record(call)
    assert record.queued_at is not None and record.queued_at.day == 15  # 22:00 UTC, the 15th
    assert record.wait_seconds == 27 and record.talk_seconds == 67
    assert (record.agent_id, record.customer_key, record.queue) == ("AVNI", "15696776", "PS")


def test_mapping_of_hang_ups_and_bad_rows() -> None:
    in_vru = call_to_record(
        _call(
            "AA0101\t1\t0\t0\tNW\t990201\t9:00:00\t9:00:20\t20\t0:00:00\t0:00:00\t0\tHANG\t"
            "0:00:00\t0:00:00\t0\tNO_SERVER\n"
        )
    )
    assert in_vru.ended_in_self_service and not in_vru.is_offered
    assert in_vru.customer_key is None
    in_queue = call_to_record(
        _call(
            "AA0101\t2\t0\t0\tNW\t990201\t9:00:00\t9:00:05\t5\t9:00:05\t9:00:10\t5\tHANG\t"
            "0:00:00\t0:00:00\t0\tNO_SERVER\n"
        )
    )
    assert in_queue.is_abandoned and in_queue.wait_seconds == 5
    # vru_time < 0: the VRU's clock ran ahead; the arrival is the earlier time.
    skewed = call_to_record(
        _call(
            "AA0102\t30456\t0\t2\tNW\t990207\t9:48:14\t9:47:17\t-57\t9:47:17\t9:50:11\t174\t"
            "HANG\t0:00:00\t0:00:00\t0\tNO_SERVER\n"
        )
    )
    assert skewed.arrived_at == skewed.queued_at and skewed.wait_seconds == 174
    phantom = _call(
        "AA0101\t3\t0\t0\tPS\t990201\t9:00:00\t9:00:01\t1\t0:00:00\t0:00:00\t0\tPHANTOM\t"
        "0:00:00\t0:00:00\t0\tNO_SERVER\n"
    )
    with pytest.raises(ValueError, match="PHANTOM"):
        call_to_record(phantom)
