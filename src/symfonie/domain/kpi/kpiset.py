"""All KPI figures of one set of contacts (one bucket), computed in one call.

:func:`compute_kpis` gathers what the other modules define; :class:`KpiSettings` holds the
conventions a tenant chooses (threshold T per queue, short-abandon limit, headline service-level
variant, repeat window). Every rate is a fraction and every time in seconds; a figure whose
denominator is 0 is ``None`` (undefined), never 0.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from symfonie.domain.kpi.counts import (
    DEFAULT_SHORT_ABANDON_SECONDS,
    channel_counts,
    check_short_abandon_seconds,
    count_volumes,
    ratio,
)
from symfonie.domain.kpi.handling import (
    average_speed_of_answer,
    average_wait_abandoned,
    handle_times,
    longest_wait,
    presence_totals,
)
from symfonie.domain.kpi.quality import (
    DEFAULT_REPEAT_WINDOW,
    ContactHistory,
    back_office_compliance,
    resolution_counts,
    survey_results,
)
from symfonie.domain.kpi.records import BackOfficeTask, ContactRecord, PresenceInterval
from symfonie.domain.kpi.service_level import (
    ServiceLevel,
    ServiceLevelThreshold,
    ServiceLevelVariant,
    service_level,
)
from symfonie.domain.kpi.topics import topic_counts


@dataclass(frozen=True, slots=True)
class KpiSettings:
    """A tenant's KPI conventions.

    ``threshold``: T per queue (default 20 s, inclusive); ``short_abandon_seconds``: abandons
    with wait ≤ this are short (default 5 s, inclusive); ``service_level_variant``: the variant a
    tenant shows as its headline (all three are always computed and labelled);
    ``repeat_window``: FCR / repeat-contact window (default 7 days).
    """

    threshold: ServiceLevelThreshold = field(default_factory=ServiceLevelThreshold)
    short_abandon_seconds: float = DEFAULT_SHORT_ABANDON_SECONDS
    service_level_variant: ServiceLevelVariant = ServiceLevelVariant.ANSWERED
    repeat_window: timedelta = DEFAULT_REPEAT_WINDOW

    def __post_init__(self) -> None:
        check_short_abandon_seconds(self.short_abandon_seconds)
        if self.repeat_window <= timedelta(0):
            raise ValueError(f"repeat_window must be positive, got {self.repeat_window!r}")


@dataclass(frozen=True, slots=True)
class KpiSet:
    """Every KPI of one bucket. Rates are fractions, NPS is in points, times in seconds.

    Definitions, formulas and worked examples: ``docs/kpis.md``. Counts are always present;
    a figure is ``None`` where it is undefined (no contacts answered, no presence, …).
    ``occupancy``/``utilisation`` are ``None`` when the bucket has no presence intervals
    (grouping by queue, channel or topic cannot attribute agent time); ``back_office_sla`` is
    ``None`` without judged tasks.
    """

    contacts: int
    self_service: int
    offered: int
    answered: int
    abandoned: int
    short_abandons: int
    abandonment_rate: float | None
    abandonment_rate_excluding_short_abandons: float | None
    service_level: ServiceLevel
    service_level_variant: ServiceLevelVariant
    asa_seconds: float | None
    avg_wait_abandoned_seconds: float | None
    longest_wait_seconds: float | None
    handled_with_known_time: int
    aht_seconds: float | None
    avg_talk_seconds: float | None
    avg_hold_seconds: float | None
    avg_wrap_up_seconds: float | None
    busy_seconds: float
    available_seconds: float
    not_ready_seconds: float
    occupancy: float | None
    utilisation: float | None
    transfers: int
    transfer_rate: float | None
    escalations: int
    escalation_rate: float | None
    fcr_eligible: int
    fcr_resolved: int
    fcr_pending: int
    first_contact_resolution: float | None
    repeat_eligible: int
    repeat_contacts: int
    repeat_contact_rate: float | None
    back_office_met: int
    back_office_breached: int
    back_office_open_not_due: int
    back_office_sla: float | None
    csat_responses: int
    csat: float | None
    nps_responses: int
    nps: float | None
    channel_counts: dict[str, int]
    channel_mix: dict[str, float]
    topic_counts: dict[str, int]

    @property
    def headline_service_level(self) -> float | None:
        """The service level of the tenant's chosen variant (fraction, or ``None``)."""
        return self.service_level.value(self.service_level_variant)

    @property
    def headline_service_level_label(self) -> str:
        """Its label, e.g. ``"answered within 20 s / answered"``."""
        return self.service_level.label(self.service_level_variant)


def compute_kpis(
    records: Iterable[ContactRecord],
    *,
    settings: KpiSettings | None = None,
    presence: Iterable[PresenceInterval] = (),
    tasks: Iterable[BackOfficeTask] = (),
    as_of: datetime | None = None,
    history: ContactHistory | None = None,
    data_until: datetime | None = None,
    window_start: datetime | None = None,
    window_end: datetime | None = None,
) -> KpiSet:
    """Compute every KPI of ``records`` (one bucket) into a :class:`KpiSet`.

    ``presence`` is clipped to [``window_start``, ``window_end``) when given; ``tasks`` are
    judged at ``as_of`` (required when there are tasks); ``history`` is where FCR looks for
    repeat contacts (default: ``records``); ``data_until`` marks FCR windows not yet closed as
    pending. Formulas: the functions of :mod:`counts`, :mod:`service_level`, :mod:`handling`,
    :mod:`quality` and :mod:`topics` in this package, and ``docs/kpis.md``.
    """
    settings = settings or KpiSettings()
    selected = list(records)
    task_list = list(tasks)
    if task_list and as_of is None:
        raise ValueError("as_of is required to judge back-office tasks")
    volumes = count_volumes(selected, short_abandon_seconds=settings.short_abandon_seconds)
    levels = service_level(
        selected, settings.threshold, short_abandon_seconds=settings.short_abandon_seconds
    )
    handling = handle_times(selected)
    agent_time = presence_totals(presence, window_start=window_start, window_end=window_end)
    answered = [record for record in selected if record.is_answered]
    transfers = sum(record.transferred for record in answered)
    escalations = sum(record.escalated for record in answered)
    resolution = resolution_counts(
        selected, history=history, window=settings.repeat_window, data_until=data_until
    )
    back_office = back_office_compliance(task_list, as_of=as_of) if as_of is not None else None
    surveys = survey_results(selected)
    channels = channel_counts(selected)
    channel_total = math.fsum(channels.values())
    return KpiSet(
        contacts=volumes.contacts,
        self_service=volumes.self_service,
        offered=volumes.offered,
        answered=volumes.answered,
        abandoned=volumes.abandoned,
        short_abandons=volumes.short_abandons,
        abandonment_rate=volumes.abandonment_rate,
        abandonment_rate_excluding_short_abandons=volumes.abandonment_rate_excluding_short_abandons,
        service_level=levels,
        service_level_variant=settings.service_level_variant,
        asa_seconds=average_speed_of_answer(selected),
        avg_wait_abandoned_seconds=average_wait_abandoned(selected),
        longest_wait_seconds=longest_wait(selected),
        handled_with_known_time=handling.count,
        aht_seconds=handling.aht_seconds,
        avg_talk_seconds=handling.talk_seconds,
        avg_hold_seconds=handling.hold_seconds,
        avg_wrap_up_seconds=handling.wrap_up_seconds,
        busy_seconds=agent_time.busy_seconds,
        available_seconds=agent_time.available_seconds,
        not_ready_seconds=agent_time.not_ready_seconds,
        occupancy=agent_time.occupancy,
        utilisation=agent_time.utilisation,
        transfers=transfers,
        transfer_rate=ratio(transfers, len(answered)),
        escalations=escalations,
        escalation_rate=ratio(escalations, len(answered)),
        fcr_eligible=resolution.eligible,
        fcr_resolved=resolution.resolved,
        fcr_pending=resolution.pending,
        first_contact_resolution=resolution.first_contact_resolution,
        repeat_eligible=resolution.repeat_eligible,
        repeat_contacts=resolution.repeats,
        repeat_contact_rate=resolution.repeat_contact_rate,
        back_office_met=back_office.met if back_office else 0,
        back_office_breached=back_office.breached if back_office else 0,
        back_office_open_not_due=back_office.open_not_due if back_office else 0,
        back_office_sla=back_office.compliance if back_office else None,
        csat_responses=surveys.csat_responses,
        csat=surveys.csat,
        nps_responses=surveys.nps_responses,
        nps=surveys.nps,
        channel_counts=channels,
        channel_mix={channel: count / channel_total for channel, count in channels.items()},
        topic_counts=topic_counts(selected),
    )
