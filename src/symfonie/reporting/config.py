"""A tenant's KPI conventions as the domain's :class:`KpiSettings`."""

from __future__ import annotations

from datetime import timedelta

from symfonie.domain.kpi.kpiset import KpiSettings
from symfonie.domain.kpi.service_level import ServiceLevelThreshold, ServiceLevelVariant
from symfonie.reporting.models import KpiConfig
from symfonie.tenants.models import Tenant


def kpi_settings_for(tenant: Tenant) -> KpiSettings:
    """The tenant's :class:`KpiSettings` (the defaults of docs/kpis.md when none are stored)."""
    config = KpiConfig.objects.filter(tenant=tenant).first() or KpiConfig(tenant=tenant)
    return KpiSettings(
        threshold=ServiceLevelThreshold(
            seconds=config.threshold_seconds,
            per_queue={str(k): float(v) for k, v in config.queue_threshold_seconds.items()},
        ),
        short_abandon_seconds=config.short_abandon_seconds,
        service_level_variant=ServiceLevelVariant(config.service_level_variant),
        repeat_window=timedelta(days=tenant.fcr_window_days),
    )
