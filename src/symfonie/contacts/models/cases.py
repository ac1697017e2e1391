"""Cases (dossiers), back-office tasks, notes and the topic taxonomy (contactredenen)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from symfonie.tenants.models import SlaPolicy, TenantScoped


class Topic(TenantScoped):
    """A contact reason in the tenant's hierarchical taxonomy."""

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("topic")
        verbose_name_plural = _("topics")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="topic_slug_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.parent.name} › {self.name}" if self.parent_id and self.parent else self.name


class Case(TenantScoped):
    class Status(models.TextChoices):
        OPEN = "open", _("open")
        PENDING = "pending", _("waiting for customer")
        RESOLVED = "resolved", _("resolved")
        CLOSED = "closed", _("closed")

    customer = models.ForeignKey(
        "contacts.Customer", on_delete=models.PROTECT, related_name="cases"
    )
    subject = models.CharField(_("subject"), max_length=255)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    topic = models.ForeignKey(
        Topic, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    priority = models.CharField(
        _("priority"),
        max_length=10,
        choices=SlaPolicy.Priority.choices,
        default=SlaPolicy.Priority.NORMAL,
    )
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    first_response_due = models.DateTimeField(_("first response due"), null=True, blank=True)
    resolution_due = models.DateTimeField(_("resolution due"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), db_index=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def reference(self) -> str:
        """The case token used in e-mail subjects and on the phone, e.g. ``D-000123``."""
        return f"D-{self.pk:06d}"


class BackOfficeTask(TenantScoped):
    """Work handed from the front office to a back-office team under the agreed SLA."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="tasks")
    team = models.CharField(_("team"), max_length=100)
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"))
    due_at = models.DateTimeField(_("due"), db_index=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    breached = models.BooleanField(_("SLA breached"), default=False)

    class Meta:
        verbose_name = _("back-office task")
        verbose_name_plural = _("back-office tasks")
        ordering = ["due_at", "id"]

    def __str__(self) -> str:
        return self.title

    def is_breached(self, now: datetime) -> bool:
        """Late: completed after the due time, or still open past it."""
        return (self.completed_at or now) > self.due_at


class Note(TenantScoped):
    customer = models.ForeignKey(
        "contacts.Customer", on_delete=models.PROTECT, related_name="notes"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text"))
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.body[:40]
