"""The timeline read model: one row per item on a customer's timeline.

Written by the actions in the same transaction as the item itself, and moved with the item on a
merge. It exists so that a customer's whole history across channels is one indexed range scan
with keyset pagination (see bench/bench_timeline.py), instead of a UNION over six tables.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from symfonie.tenants.models import TenantScoped


class TimelineEntry(TenantScoped):
    class Kind(models.TextChoices):
        CONTACT = "contact", _("contact")
        MESSAGE = "message", _("message")
        CASE = "case", _("case")
        TASK = "task", _("back-office task")
        NOTE = "note", _("note")

    customer = models.ForeignKey("contacts.Customer", on_delete=models.CASCADE, related_name="+")
    occurred_at = models.DateTimeField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    channel = models.CharField(max_length=12, blank=True)
    direction = models.CharField(max_length=3, blank=True)
    title = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    contact_id = models.BigIntegerField(null=True, blank=True)
    message_id = models.BigIntegerField(null=True, blank=True)
    case_id = models.BigIntegerField(null=True, blank=True)
    task_id = models.BigIntegerField(null=True, blank=True)
    note_id = models.BigIntegerField(null=True, blank=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        indexes = [
            models.Index(
                fields=["tenant", "customer", "-occurred_at", "-id"], name="timeline_keyset"
            )
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.kind} {self.title}"
