"""Tenants, users, memberships with a role per tenant, API tokens and SLA policies.

Every business row in Symfonie carries a ``tenant`` foreign key; ``TenantScoped`` is the
abstract base that gives it, together with the manager method ``for_tenant`` that the request's
tenant scoping (``symfonie.tenants.scoping``) uses.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Tenant(models.Model):
    """An opdrachtgever: the organisation whose customers are served."""

    slug = models.SlugField(_("slug"), unique=True, max_length=64)
    name = models.CharField(_("name"), max_length=200)
    default_region = models.CharField(
        _("default phone region"),
        max_length=2,
        default="NL",
        choices=[("NL", "Nederland"), ("BE", "België")],
    )
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        default="Europe/Amsterdam",
        help_text=_("Reports count days and intervals on this clock (IANA name)."),
    )
    fcr_window_days = models.PositiveSmallIntegerField(
        _("first-contact resolution window (days)"), default=7
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("tenant")
        verbose_name_plural = _("tenants")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TenantScopedQuerySet(models.QuerySet):
    def for_tenant(self, tenant: Tenant) -> TenantScopedQuerySet:
        return self.filter(tenant=tenant)


class TenantScoped(models.Model):
    """Abstract base of every business row: it belongs to exactly one tenant."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+")

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        abstract = True


class EmailUserManager(UserManager):
    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("username", email)
        return super().create_superuser(email=email, password=password, **extra_fields)


class User(AbstractUser):
    """A staff member; logs in with the e-mail address. Roles come per tenant (Membership)."""

    email = models.EmailField(_("e-mail address"), unique=True)
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = EmailUserManager()

    def save(self, *args, **kwargs):
        self.email = self.email.strip().lower()
        self.username = self.email
        super().save(*args, **kwargs)

    def tenants(self) -> models.QuerySet[Tenant]:
        return Tenant.objects.filter(memberships__user=self).distinct()


class Role(models.TextChoices):
    AGENT = "agent", _("agent")
    SUPERVISOR = "supervisor", _("supervisor")
    ADMIN = "admin", _("admin")
    CLIENT_VIEWER = "client-viewer", _("client viewer (read-only reports)")


#: Roles that may change customer data and see timelines (client viewers see reports only).
STAFF_ROLES = frozenset({Role.AGENT, Role.SUPERVISOR, Role.ADMIN})
#: Roles that may merge and undo merges of customers.
MERGE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})


class Membership(models.Model):
    """A user works for a tenant in one role."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "tenant"], name="one_role_per_user_per_tenant")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.tenant}: {self.role}"


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A bearer token for the REST API, scoped to one tenant. Only its hash is stored."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(max_length=8, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(_("revoked"), default=False)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @classmethod
    def issue(cls, *, tenant: Tenant, user: User, name: str) -> tuple[ApiToken, str]:
        """Create a token; the raw value is returned once and never stored."""
        raw = "sym_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            tenant=tenant, user=user, name=name, token_hash=hash_token(raw), prefix=raw[:8]
        )
        return token, raw


class SlaPolicy(TenantScoped):
    """The tenant's agreed response and resolution times, per case priority."""

    class Priority(models.TextChoices):
        LOW = "low", _("low")
        NORMAL = "normal", _("normal")
        HIGH = "high", _("high")
        URGENT = "urgent", _("urgent")

    name = models.CharField(_("name"), max_length=100)
    priority = models.CharField(_("priority"), max_length=10, choices=Priority.choices)
    first_response_minutes = models.PositiveIntegerField(_("first response (minutes)"))
    resolution_minutes = models.PositiveIntegerField(_("resolution (minutes)"))
    backoffice_minutes = models.PositiveIntegerField(
        _("back-office handling (minutes)"),
        help_text=_(
            "Agreed time for the back office to complete a task handed over by the front office."
        ),
    )

    class Meta:
        verbose_name = _("SLA policy")
        verbose_name_plural = _("SLA policies")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "priority"], name="one_sla_per_priority")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.priority})"

    @property
    def first_response(self) -> timedelta:
        return timedelta(minutes=self.first_response_minutes)

    @property
    def resolution(self) -> timedelta:
        return timedelta(minutes=self.resolution_minutes)

    @property
    def backoffice(self) -> timedelta:
        return timedelta(minutes=self.backoffice_minutes)


class AuditRecord(TenantScoped):
    """Who did or saw what, when and why: merges, undo merges, timeline views."""

    class Action(models.TextChoices):
        TIMELINE_VIEW = "timeline.view", _("viewed timeline")
        CUSTOMER_MERGE = "customer.merge", _("merged customers")
        CUSTOMER_UNMERGE = "customer.unmerge", _("undid a merge")
        SUGGESTION_DISMISS = "suggestion.dismiss", _("dismissed a merge suggestion")

    actor = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    action = models.CharField(max_length=40, choices=Action.choices)
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    reason = models.TextField(blank=True)
    via = models.CharField(max_length=10, default="web")  # web | api
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("audit record")
        verbose_name_plural = _("audit records")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["tenant", "subject_type", "subject_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.subject_type}#{self.subject_id}"
