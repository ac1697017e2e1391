"""Contact-center KPIs as pure functions over contact records (standard library only, no Django).

* :mod:`~symfonie.domain.kpi.records` — :class:`ContactRecord`, :class:`PresenceInterval`,
  :class:`BackOfficeTask`: the inputs, and what offered, answered, abandoned and wait mean;
* :mod:`~symfonie.domain.kpi.counts` — volumes, short abandons, abandonment rate, channel mix;
* :mod:`~symfonie.domain.kpi.service_level` — the three labelled service-level variants;
* :mod:`~symfonie.domain.kpi.handling` — ASA, waits, AHT, occupancy, utilisation, transfers,
  escalations;
* :mod:`~symfonie.domain.kpi.quality` — first-contact resolution, repeat contacts, CSAT, NPS,
  back-office SLA compliance;
* :mod:`~symfonie.domain.kpi.topics` — contact reasons per week and unusual rises;
* :mod:`~symfonie.domain.kpi.kpiset` — every figure of one bucket (:func:`compute_kpis`);
* :mod:`~symfonie.domain.kpi.periods` and :mod:`~symfonie.domain.kpi.grouping` — buckets per
  interval, day, week, month (local time) and per tenant, queue, channel, team, agent, topic.

Definitions, formulas and worked examples: ``docs/kpis.md``.
"""

from symfonie.domain.kpi.grouping import KpiBucket, group_by
from symfonie.domain.kpi.kpiset import KpiSet, KpiSettings, compute_kpis
from symfonie.domain.kpi.records import (
    BackOfficeTask,
    ContactOutcome,
    ContactRecord,
    PresenceInterval,
    PresenceState,
)
from symfonie.domain.kpi.service_level import (
    ServiceLevel,
    ServiceLevelThreshold,
    ServiceLevelVariant,
)

__all__ = [
    "BackOfficeTask",
    "ContactOutcome",
    "ContactRecord",
    "KpiBucket",
    "KpiSet",
    "KpiSettings",
    "PresenceInterval",
    "PresenceState",
    "ServiceLevel",
    "ServiceLevelThreshold",
    "ServiceLevelVariant",
    "compute_kpis",
    "group_by",
]
