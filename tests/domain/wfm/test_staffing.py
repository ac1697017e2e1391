"""Staffing searches: the issue's reference example, invariants, and agreement with a plain scan."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from symfonie.domain.wfm import search
from symfonie.domain.wfm.erlang import ErlangCMetrics, erlang_b, erlang_c_metrics
from symfonie.domain.wfm.erlang_a import ErlangAMetrics, ServiceLevelVariant, erlang_a_metrics
from symfonie.domain.wfm.staffing import (
    StaffingTarget,
    conversation_seconds_at_concurrency,
    required_agents,
    scheduled_agents,
    staff_intervals,
)
from symfonie.domain.wfm.targets import meets_target

REFERENCE_TARGET = StaffingTarget(service_level=0.8, threshold_seconds=20, max_occupancy=0.85)


def test_reference_example_needs_fourteen_agents_and_twenty_scheduled() -> None:
    result = required_agents(
        100, interval_minutes=30, aht_seconds=180, target=REFERENCE_TARGET, shrinkage=0.3
    )
    assert result.agents == 14
    assert result.scheduled_agents == math.ceil(14 / (1 - 0.3)) == 20
    assert isinstance(result.metrics, ErlangCMetrics)
    assert result.metrics.service_level == pytest.approx(0.88835, abs=5e-7)
    assert result.metrics.asa_seconds == pytest.approx(7.836, abs=5e-4)


def test_asa_target_on_the_reference_example() -> None:
    # ASA at 13 agents is above 8 s and at 14 agents 7.836 s (reference), so 14 is the answer.
    target = StaffingTarget(max_asa_seconds=8.0)
    result = required_agents(100, interval_minutes=30, aht_seconds=180, target=target)
    assert result.agents == 14


@pytest.mark.parametrize(
    ("max_p_wait", "agents"),
    [(0.7, 11), (0.5, 12), (0.3, 13), (0.2, 14)],  # P(wait) 0.682, 0.449, 0.285, 0.174
)
def test_p_wait_target_on_the_reference_example(max_p_wait: float, agents: int) -> None:
    target = StaffingTarget(max_p_wait=max_p_wait)
    result = required_agents(100, interval_minutes=30, aht_seconds=180, target=target)
    assert result.agents == agents


def test_max_occupancy_binds_when_the_queue_target_is_loose() -> None:
    # 10 Erlang at 85 % maximum occupancy needs ceil(10 / 0.85) = 12 agents.
    target = StaffingTarget(max_p_wait=1.0, max_occupancy=0.85)
    result = required_agents(100, interval_minutes=30, aht_seconds=180, target=target)
    assert result.agents == 12


@pytest.mark.parametrize(
    ("agents", "shrinkage", "expected"),
    [(14, 0.3, 20), (14, 0.0, 14), (0, 0.3, 0), (7, 0.3, 10), (10, 0.5, 20), (1, 0.35, 2)],
)
def test_scheduled_agents_rounds_up_without_float_noise(
    agents: int, shrinkage: float, expected: int
) -> None:
    assert scheduled_agents(agents, shrinkage) == expected


def test_reference_example_with_erlang_a_reports_the_all_arrivals_variant() -> None:
    result = required_agents(
        100,
        interval_minutes=30,
        aht_seconds=180,
        target=REFERENCE_TARGET,
        shrinkage=0.3,
        patience_mean_seconds=300,
    )
    assert isinstance(result.metrics, ErlangAMetrics)
    assert result.metrics.service_level_all_arrivals >= 0.8
    below = erlang_a_metrics(
        result.agents - 1,
        load_erlangs=10.0,
        aht_seconds=180,
        patience_mean_seconds=300,
        threshold_seconds=20,
    )
    assert below.service_level_all_arrivals < 0.8 or below.occupancy > 0.85
    # At 14 agents the reference gives SL 0.916792 >= 0.8, so Erlang A never needs more.
    assert result.agents <= 14


def test_zero_calls_need_no_agents() -> None:
    staffing = staff_intervals(
        [0, 100, 0], interval_minutes=30, aht_seconds=180, target=REFERENCE_TARGET
    )
    assert staffing.agents.tolist() == [0, 14, 0]
    assert staffing.service_level[0] == 1.0
    assert staffing.p_wait[0] == 0.0
    single = required_agents(0, interval_minutes=30, aht_seconds=180, target=REFERENCE_TARGET)
    assert single.agents == 0
    assert single.metrics is None


def test_vectorised_staffing_keeps_the_input_shape() -> None:
    calls = np.array([[100.0, 50.0], [0.0, 400.0]])
    staffing = staff_intervals(calls, interval_minutes=30, aht_seconds=180, target=REFERENCE_TARGET)
    assert staffing.agents.shape == (2, 2)
    assert staffing.model == "erlang_c"


@settings(max_examples=25, deadline=None)
@given(
    calls=st.lists(st.floats(min_value=0.0, max_value=400.0), min_size=1, max_size=12),
    aht_seconds=st.floats(min_value=30.0, max_value=900.0),
    service_level=st.floats(min_value=0.5, max_value=0.95),
    max_occupancy=st.floats(min_value=0.6, max_value=1.0),
)
def test_erlang_c_staffing_is_the_smallest_count_meeting_the_target(
    calls: list[float], aht_seconds: float, service_level: float, max_occupancy: float
) -> None:
    target = StaffingTarget(
        service_level=service_level, threshold_seconds=20, max_occupancy=max_occupancy
    )
    staffing = staff_intervals(calls, interval_minutes=30, aht_seconds=aht_seconds, target=target)
    for count, agents in zip(calls, staffing.agents.tolist(), strict=True):
        load = count * aht_seconds / 1800
        if load == 0:
            assert agents == 0
            continue
        assert agents > load

        def meets(n: int, load: float = load) -> bool:
            if n <= load:
                return False
            m = erlang_c_metrics(
                n, load_erlangs=load, aht_seconds=aht_seconds, threshold_seconds=20
            )
            return m.service_level >= service_level - 1e-12 and m.occupancy <= max_occupancy + 1e-12

        assert meets(agents)
        assert not meets(agents - 1)


@settings(max_examples=15, deadline=None)
@given(
    calls=st.lists(st.floats(min_value=1.0, max_value=300.0), min_size=1, max_size=4),
    patience_seconds=st.floats(min_value=10.0, max_value=1_200.0),
    service_level=st.floats(min_value=0.3, max_value=0.95),
    variant=st.sampled_from(list(ServiceLevelVariant)),
)
def test_erlang_a_staffing_equals_a_plain_scan(
    calls: list[float], patience_seconds: float, service_level: float, variant: ServiceLevelVariant
) -> None:
    target = StaffingTarget(
        service_level=service_level, threshold_seconds=20, service_level_variant=variant
    )
    staffing = staff_intervals(
        calls,
        interval_minutes=30,
        aht_seconds=180,
        target=target,
        patience_mean_seconds=patience_seconds,
    )
    assert staffing.model == "erlang_a"
    for count, agents in zip(calls, staffing.agents.tolist(), strict=True):
        n = 1
        while True:
            metrics = erlang_a_metrics(
                n,
                load_erlangs=count * 180 / 1800,
                aht_seconds=180,
                patience_mean_seconds=patience_seconds,
                threshold_seconds=20,
            )
            if metrics.service_level(variant) >= service_level - 1e-12:
                break
            n += 1
        assert agents == n


def test_chat_concurrency_staffs_agents_times_slots() -> None:
    # Three conversations per agent: the queue has 3·N slots, each holding one conversation for
    # the conversation time at that concurrency; agents = ceil(slots / 3).
    single = required_agents(100, interval_minutes=30, aht_seconds=180, target=REFERENCE_TARGET)
    chat = required_agents(
        100, interval_minutes=30, aht_seconds=180, target=REFERENCE_TARGET, concurrency=3
    )
    assert chat.agents == math.ceil(single.agents / 3)
    assert chat.concurrency == 3
    assert isinstance(chat.metrics, ErlangCMetrics)
    assert chat.metrics.agents == 3 * chat.agents  # metrics are per slot


def test_conversation_seconds_at_concurrency_is_linear() -> None:
    assert conversation_seconds_at_concurrency(300, 1, 0.25) == 300
    assert conversation_seconds_at_concurrency(300, 3, 0.25) == pytest.approx(450)


def test_twenty_thousand_agent_scale() -> None:
    # AHT 180 s, 200,000 calls per 30 minutes = 20,000 Erlang.
    target = StaffingTarget(service_level=0.8, threshold_seconds=20)
    kwargs = {"interval_minutes": 30.0, "aht_seconds": 180.0, "target": target}
    erlang_c = required_agents(200_000, **kwargs)  # type: ignore[arg-type]
    assert isinstance(erlang_c.metrics, ErlangCMetrics)
    assert 20_000 < erlang_c.agents < 20_500
    assert erlang_c.metrics.service_level >= 0.8
    erlang_a = required_agents(200_000, patience_mean_seconds=300.0, **kwargs)  # type: ignore[arg-type]
    assert isinstance(erlang_a.metrics, ErlangAMetrics)
    # Many-server overload with abandonment (efficiency-driven regime): the queue sheds the
    # excess load, so fewer agents than the load can still answer 80 % within 20 s.
    assert 15_000 < erlang_a.agents <= erlang_c.agents
    assert erlang_a.metrics.service_level_all_arrivals >= 0.8


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"service_level": 1.0}, "service_level"),
        ({"service_level": 0.0}, "service_level"),
        ({"max_p_wait": 0.0}, "max_p_wait"),
        ({"max_asa_seconds": -1.0}, "max_asa_seconds"),
        ({"max_p_wait": 0.5, "max_occupancy": 0.0}, "max_occupancy"),
        ({"max_p_wait": 0.5, "threshold_seconds": -1.0}, "threshold_seconds"),
        ({}, "target needs"),
    ],
)
def test_bad_targets_are_refused(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StaffingTarget(**kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"calls": [-1.0]}, "calls"),
        ({"aht_seconds": 0.0}, "aht_seconds"),
        ({"interval_minutes": 0.0}, "interval_minutes"),
        ({"shrinkage": 1.0}, "shrinkage"),
        ({"concurrency": 0}, "concurrency"),
        ({"patience_mean_seconds": 0.0}, "patience_mean_seconds"),
        ({"calls": [float("inf")]}, "calls"),
    ],
)
def test_bad_staffing_input_is_refused(kwargs: dict[str, object], message: str) -> None:
    arguments: dict[str, object] = {
        "calls": [100.0],
        "interval_minutes": 30.0,
        "aht_seconds": 180.0,
        "target": REFERENCE_TARGET,
    } | kwargs
    with pytest.raises(ValueError, match=message):
        staff_intervals(**arguments)  # type: ignore[arg-type]


def test_abandonment_target_needs_a_patience() -> None:
    with pytest.raises(ValueError, match="patience"):
        staff_intervals(
            [100.0],
            interval_minutes=30,
            aht_seconds=180,
            target=StaffingTarget(max_p_abandon=0.05),
        )


# Loads in Erlang for the agreement tests: none, tiny, just around an integer (where "N > A" and
# the first stable count are decided by the last bits), ordinary, and a few thousand Erlang.
LOADS = st.one_of(
    st.just(0.0),
    st.floats(min_value=1e-9, max_value=1e-3),
    st.builds(
        lambda whole, nudge: whole + nudge,
        st.integers(min_value=1, max_value=300),
        st.sampled_from([-1e-9, -1e-12, 0.0, 1e-12, 1e-9]),
    ),
    st.floats(min_value=0.0, max_value=400.0, allow_subnormal=False),
    st.floats(min_value=1_000.0, max_value=4_000.0),
)
TARGETS = st.builds(
    StaffingTarget,
    service_level=st.one_of(st.none(), st.floats(min_value=0.05, max_value=0.99)),
    threshold_seconds=st.sampled_from([0.0, 5.0, 20.0, 60.0]),
    max_asa_seconds=st.one_of(st.none(), st.floats(min_value=0.5, max_value=120.0)),
    max_p_wait=st.floats(min_value=0.01, max_value=1.0),
    max_occupancy=st.one_of(st.just(1.0), st.floats(min_value=0.5, max_value=1.0)),
)


def _meets(target: StaffingTarget, m: ErlangCMetrics | ErlangAMetrics) -> bool:
    if isinstance(m, ErlangCMetrics):
        values = (m.p_wait, 0.0, m.service_level, m.asa_seconds, m.occupancy)
    else:
        sl = m.service_level(target.service_level_variant)
        values = (m.p_wait, m.p_abandon, sl, m.asa_served_seconds, m.occupancy)
    names = ("p_wait", "p_abandon", "service_level", "asa_seconds", "occupancy")
    arrays = {name: np.array([value]) for name, value in zip(names, values, strict=True)}
    return bool(meets_target(target, **arrays)[0])


def _erlang_c(servers: int, load: float, aht_seconds: float, threshold: float) -> ErlangCMetrics:
    return erlang_c_metrics(
        servers, load_erlangs=load, aht_seconds=aht_seconds, threshold_seconds=threshold
    )


def _scan_erlang_c(load: float, aht_seconds: float, target: StaffingTarget, slots: int) -> int:
    """The per-interval exact search: every multiple of ``slots`` above the load, upwards."""
    servers = slots
    while load > 0.0:
        if (
            servers > load
            and load / servers <= target.max_occupancy + 1e-12
            and _meets(target, _erlang_c(servers, load, aht_seconds, target.threshold_seconds))
        ):
            return servers // slots
        servers += slots
    return 0


@settings(max_examples=40, deadline=None)
@given(
    loads=st.lists(LOADS, min_size=1, max_size=8),
    aht_seconds=st.floats(min_value=30.0, max_value=900.0),
    target=TARGETS,
    concurrency=st.integers(min_value=1, max_value=3),
)
def test_vectorised_erlang_c_equals_the_per_interval_search(
    loads: list[float], aht_seconds: float, target: StaffingTarget, concurrency: int
) -> None:
    staffing = staff_intervals(
        [load * 1800 / aht_seconds for load in loads],
        interval_minutes=30,
        aht_seconds=aht_seconds,
        target=target,
        concurrency=concurrency,
    )
    for load, agents, service_level in zip(
        staffing.load_erlangs.tolist(),
        staffing.agents.tolist(),
        staffing.service_level.tolist(),
        strict=True,
    ):
        assert agents == _scan_erlang_c(load, aht_seconds, target, concurrency)
        if agents:  # and the metrics are those of the one-interval formulas
            m = _erlang_c(agents * concurrency, load, aht_seconds, target.threshold_seconds)
            assert service_level == pytest.approx(m.service_level, abs=1e-15)


@settings(max_examples=25, deadline=None)
@given(
    loads=st.lists(LOADS, min_size=1, max_size=5),
    aht_seconds=st.floats(min_value=30.0, max_value=900.0),
    patience_seconds=st.floats(min_value=5.0, max_value=1_800.0),
    target=TARGETS,
    max_p_abandon=st.one_of(st.none(), st.floats(min_value=0.005, max_value=0.5)),
    variant=st.sampled_from(list(ServiceLevelVariant)),
    without_screen=st.booleans(),
)
def test_screened_erlang_a_equals_the_exact_search(
    loads: list[float],
    aht_seconds: float,
    patience_seconds: float,
    target: StaffingTarget,
    max_p_abandon: float | None,
    variant: ServiceLevelVariant,
    without_screen: bool,
) -> None:
    # The answer N meets the target with the exact formulas and N − 1 does not (the metrics are
    # monotone in N, so N is the exact search's answer), and the metrics are the exact ones.
    target = replace(target, max_p_abandon=max_p_abandon, service_level_variant=variant)
    with pytest.MonkeyPatch.context() as patch:
        if without_screen:  # every interval takes the exact search instead
            patch.setattr(search, "_SCREEN_MAX_STATES", 0)
        staffing = staff_intervals(
            [load * 1800 / aht_seconds for load in loads],
            interval_minutes=30,
            aht_seconds=aht_seconds,
            target=target,
            patience_mean_seconds=patience_seconds,
        )
    for load, agents, p_abandon in zip(
        staffing.load_erlangs.tolist(),
        staffing.agents.tolist(),
        staffing.p_abandon.tolist(),
        strict=True,
    ):

        def exact(n: int, load: float = load) -> ErlangAMetrics:
            return erlang_a_metrics(
                n,
                load_erlangs=load,
                aht_seconds=aht_seconds,
                patience_mean_seconds=patience_seconds,
                threshold_seconds=target.threshold_seconds,
            )

        assert agents == 0 if load == 0.0 else _meets(target, exact(agents))
        assert agents <= 1 or not _meets(target, exact(agents - 1))
        assert p_abandon == (exact(agents).p_abandon if agents else 0.0)


@settings(max_examples=30, deadline=None)
@given(
    load=st.floats(min_value=1e-6, max_value=3_000.0),
    agents_per_erlang=st.floats(min_value=0.3, max_value=2.0),
    aht_seconds=st.floats(min_value=30.0, max_value=900.0),
    patience_seconds=st.floats(min_value=5.0, max_value=1_800.0),
    threshold_seconds=st.sampled_from([0.0, 5.0, 20.0, 60.0]),
    variant=st.sampled_from(list(ServiceLevelVariant)),
)
def test_erlang_a_screen_agrees_with_the_exact_formulas_far_inside_its_margin(
    load: float,
    agents_per_erlang: float,
    aht_seconds: float,
    patience_seconds: float,
    threshold_seconds: float,
    variant: ServiceLevelVariant,
) -> None:
    # The screen's "surely fails" allows 1e-9; the two computations differ by rounding only.
    servers = max(1, round(load * agents_per_erlang))
    m = erlang_a_metrics(
        servers,
        load_erlangs=load,
        aht_seconds=aht_seconds,
        patience_mean_seconds=patience_seconds,
        threshold_seconds=threshold_seconds,
    )
    screened = search._erlang_a_screen(
        *(
            np.array([value])
            for value in (float(servers), load, aht_seconds, erlang_b(servers, load))
        ),
        patience_seconds,
        StaffingTarget(
            max_p_wait=1.0, threshold_seconds=threshold_seconds, service_level_variant=variant
        ),
    )
    exact = (m.p_wait, m.p_abandon, m.service_level(variant), m.asa_served_seconds, m.occupancy)
    if not math.isnan(screened[0][0]):  # NaN: too many queue states, left to the exact search
        assert [float(value[0]) for value in screened] == pytest.approx(exact, rel=1e-11, abs=1e-12)


def test_a_variant_given_as_text_is_the_variant_used() -> None:
    from symfonie.domain.wfm.erlang_a import ServiceLevelVariant
    from symfonie.domain.wfm.targets import StaffingTarget

    target = StaffingTarget(service_level=0.8, service_level_variant="served")  # type: ignore[arg-type]
    assert target.service_level_variant is ServiceLevelVariant.SERVED
