"""KPI conventions per tenant, the stored KPI tallies per 15-minute interval, import runs.

``KpiInterval`` holds one :class:`~symfonie.domain.kpi.tally.KpiTally` per (tenant, 15-minute
interval of arrival, queue, channel): the dashboards add these up instead of reading a month of
contacts. Per agent there would be nearly a row per contact, so agent figures are computed from
the contacts (``report.py``). ``KpiDirtyInterval`` lists intervals whose contacts changed since; they are
recomputed from the contacts before any report reads them (``symfonie.reporting.aggregates``).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from symfonie.domain.kpi.service_level import ServiceLevelVariant
from symfonie.domain.kpi.tally import TALLY_FIELDS
from symfonie.tenants.models import Tenant, TenantScoped

INTERVAL_MINUTES = 15


class KpiConfig(models.Model):
    """A tenant's KPI conventions (docs/kpis.md); absent means the defaults."""

    class Variant(models.TextChoices):
        ANSWERED = ServiceLevelVariant.ANSWERED.value, _("answered within T / answered")
        OFFERED = ServiceLevelVariant.OFFERED.value, _("answered within T / offered")
        EXCLUDING_SHORT_ABANDONS = (
            ServiceLevelVariant.EXCLUDING_SHORT_ABANDONS.value,
            _("answered within T / (offered − short abandons)"),
        )

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="kpi_config")
    threshold_seconds = models.FloatField(_("service-level threshold T (s)"), default=20)
    # {"queue name": seconds} for queues with their own T
    queue_threshold_seconds = models.JSONField(_("T per queue (s)"), default=dict, blank=True)
    short_abandon_seconds = models.FloatField(_("short abandon up to (s)"), default=5)
    service_level_variant = models.CharField(
        _("headline service level"), max_length=32, choices=Variant.choices, default="answered"
    )

    class Meta:
        verbose_name = _("KPI settings")
        verbose_name_plural = _("KPI settings")

    def __str__(self) -> str:
        return f"KPI settings of {self.tenant}"


class KpiInterval(TenantScoped):
    start = models.DateTimeField()
    queue = models.CharField(max_length=64)
    channel = models.CharField(max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "start", "queue", "channel"],
                name="kpi_interval_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M} {self.queue}/{self.channel}"


for _name in TALLY_FIELDS:
    KpiInterval.add_to_class(
        _name, models.BigIntegerField(default=-1 if _name == "longest_wait_us" else 0)
    )


class KpiDirtyInterval(TenantScoped):
    """An interval whose contacts changed after its tally was stored (a new row per change)."""

    start = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.start:%Y-%m-%d %H:%M}"


class ImportRun(TenantScoped):
    """One run of ``symfonie import``: what came in and every row that was refused."""

    kind = models.CharField(max_length=32)
    source_name = models.CharField(max_length=255)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    already_present = models.PositiveIntegerField(default=0)
    rejected = models.PositiveIntegerField(default=0)
    # [{"line": 17, "reason": "PHANTOM call (virtual, ignored)"}, ...]
    rejections = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_name} ({self.imported} imported)"
