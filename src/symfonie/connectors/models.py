"""Channel accounts, the raw inbound events of their webhooks, and the outbound intents.

``InboundEvent`` is the durable inbox: a webhook is acknowledged once its items are stored here
under a key unique per account (the provider's message id, or message id + status), and the
background task works through them in provider-timestamp order. ``OutboundMessage`` is the send
intent, written before the provider is called, so that a retry can never send twice.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from symfonie.connectors.secrets import EncryptedJSONField
from symfonie.tenants.models import TenantScoped


def new_account_key() -> str:
    return secrets.token_urlsafe(18)


class ChannelAccount(TenantScoped):
    """One provider account of a tenant: a WhatsApp phone number, a Telegram bot, …

    ``secrets`` holds the provider credentials by name (for WhatsApp: ``app_secret``,
    ``verify_token``, ``access_token``). During a rotation ``previous_secrets`` stay accepted for
    inbound signatures until ``previous_secrets_until``. Both are encrypted at rest
    (``connectors/secrets.py``) and read as plain dicts.
    """

    class Kind(models.TextChoices):
        WHATSAPP = "whatsapp", _("WhatsApp Business")
        TELEGRAM = "telegram", _("Telegram bot")
        MESSENGER = "messenger", _("Facebook Messenger")
        INSTAGRAM = "instagram", _("Instagram")
        SMS = "sms", _("SMS (Twilio-compatible)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    name = models.CharField(_("name"), max_length=100)
    # the public part of the webhook URL: unguessable, so account ids are not enumerable
    key = models.SlugField(_("webhook key"), max_length=64, unique=True, default=new_account_key)
    provider_account_id = models.CharField(
        _("provider account id"), max_length=64, help_text=_("WhatsApp: the phone-number id")
    )
    secrets = EncryptedJSONField(_("secrets"), default=dict, blank=True)
    previous_secrets = EncryptedJSONField(_("previous secrets"), default=dict, blank=True)
    previous_secrets_until = models.DateTimeField(
        _("previous secrets valid until"), null=True, blank=True
    )
    base_url = models.URLField(_("send API base URL"), default="https://graph.facebook.com")
    api_version = models.CharField(_("API version"), max_length=10, default="v23.0")
    default_queue = models.CharField(_("default queue"), max_length=64, blank=True)
    # WhatsApp template catalogue: [{"name", "language", "status", "body", "parameters"}]
    templates = models.JSONField(_("message templates"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("channel account")
        verbose_name_plural = _("channel accounts")
        indexes = [models.Index(fields=["kind", "provider_account_id"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"

    @property
    def message_key(self) -> str:
        """The ``Message.channel_account`` value: stable across webhook-key changes."""
        return f"{self.kind}:{self.pk}"

    def accepted_secrets(self, name: str, now: datetime | None = None) -> list[str]:
        """The current secret ``name`` and, inside the rotation grace period, the previous one."""
        now = now or timezone.now()
        values = [self.secrets.get(name, "")]
        if self.previous_secrets_until is not None and now < self.previous_secrets_until:
            values.append(self.previous_secrets.get(name, ""))
        return [v for v in values if v]

    def rotate_secret(self, name: str, value: str, grace: timedelta) -> None:
        """Replace a secret; the old value stays accepted for ``grace``."""
        self.previous_secrets = {**self.previous_secrets, name: self.secrets.get(name, "")}
        self.previous_secrets_until = timezone.now() + grace
        self.secrets = {**self.secrets, name: value}
        self.save(update_fields=["secrets", "previous_secrets", "previous_secrets_until"])

    def template(self, name: str, language: str) -> dict | None:
        for entry in self.templates:
            if entry.get("name") == name and entry.get("language") == language:
                return entry
        return None


class InboundEvent(TenantScoped):
    """One item of a provider webhook (a message, a status update, or something unhandled)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        PROCESSED = "processed", _("processed")
        REVIEW = "review", _("needs review")
        FAILED = "failed", _("failed")

    account = models.ForeignKey(ChannelAccount, on_delete=models.CASCADE, related_name="events")
    external_key = models.CharField(max_length=255)
    item_type = models.CharField(max_length=20)  # message, status, unhandled
    received_at = models.DateTimeField(default=timezone.now)
    provider_timestamp = models.DateTimeField(null=True, blank=True)
    # the whole request body as received (Meta sends one item per delivery in practice; a
    # batched body is stored with each of its items, which keeps one table and one key)
    raw_body = models.BinaryField()
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("inbound event")
        verbose_name_plural = _("inbound events")
        constraints = [
            # the dedup key: a redelivered webhook adds no row
            models.UniqueConstraint(fields=["account", "external_key"], name="inbound_event_once")
        ]
        # the worker scans pending events of an account in provider order
        indexes = [models.Index(fields=["account", "status", "provider_timestamp", "id"])]

    def __str__(self) -> str:
        return f"{self.item_type} {self.external_key} ({self.status})"


class OutboundMessage(TenantScoped):
    """The intent to send a message, persisted before the provider is called."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        ACCEPTED = "accepted", _("accepted by the provider")
        UNKNOWN = "unknown", _("outcome unknown, awaiting status webhook")
        FAILED = "failed", _("failed")

    account = models.ForeignKey(ChannelAccount, on_delete=models.PROTECT, related_name="outbound")
    message = models.OneToOneField(
        "contacts.Message", on_delete=models.CASCADE, related_name="outbound"
    )
    idempotency_key = models.CharField(max_length=64)
    recipient = models.CharField(max_length=64)
    request = models.JSONField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    provider_message_id = models.CharField(max_length=255, blank=True)
    error_code = models.CharField(max_length=20, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")
        constraints = [
            models.UniqueConstraint(
                fields=["account", "idempotency_key"], name="outbound_idempotency_key_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.idempotency_key} ({self.status})"
