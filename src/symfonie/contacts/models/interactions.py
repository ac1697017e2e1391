"""Contacts (one interaction on one channel), their messages and attachments."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from symfonie.domain.contacts.lifecycle import ContactState
from symfonie.tenants.models import TenantScoped


class Channel(models.TextChoices):
    VOICE = "voice", _("telephone")
    WEBCHAT = "webchat", _("web chat")
    EMAIL = "email", _("e-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    SMS = "sms", _("SMS")
    MESSENGER = "messenger", _("Messenger")
    INSTAGRAM = "instagram", _("Instagram")
    TELEGRAM = "telegram", _("Telegram")
    LETTER = "letter", _("letter")
    WEBFORM = "webform", _("web form")
    PORTAL = "portal", _("customer portal")
    SOCIAL = "social", _("social media")


class Direction(models.TextChoices):
    INBOUND = "in", _("inbound")
    OUTBOUND = "out", _("outbound")


class Outcome(models.TextChoices):
    NONE = "", _("none")
    RESOLVED = "resolved", _("resolved")
    FOLLOW_UP = "follow_up", _("follow-up")
    ESCALATED = "escalated", _("escalated")
    TRANSFERRED = "transferred", _("transferred")


STATE_CHOICES = [(s.value, s.value.replace("_", "-")) for s in ContactState]
TIMESTAMP_FIELDS = ("queued_at", "offered_at", "answered_at", "ended_at", "wrap_up_ended_at")


class Contact(TenantScoped):
    # NULL: an anonymous contact (a caller who gave no number, as in imported call records)
    customer = models.ForeignKey(
        "contacts.Customer",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contacts",
    )
    case = models.ForeignKey(
        "contacts.Case", null=True, blank=True, on_delete=models.SET_NULL, related_name="contacts"
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    state = models.CharField(
        _("state"), max_length=12, choices=STATE_CHOICES, default=ContactState.NEW
    )
    queue = models.CharField(_("queue"), max_length=64, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    topics = models.ManyToManyField("contacts.Topic", blank=True, related_name="contacts")
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    arrived_at = models.DateTimeField(_("arrived"), db_index=True)
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    offered_at = models.DateTimeField(_("offered"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    wrap_up_ended_at = models.DateTimeField(_("wrap-up ended"), null=True, blank=True)
    csat_score = models.PositiveSmallIntegerField(_("satisfaction (1–5)"), null=True, blank=True)
    csat_comment = models.TextField(_("satisfaction comment"), blank=True)
    nps_score = models.PositiveSmallIntegerField(_("recommendation (0–10)"), null=True, blank=True)
    # the KPI facts of docs/kpis.md that the timestamps alone do not tell
    ended_in_self_service = models.BooleanField(_("ended in the menu or bot"), default=False)
    transferred = models.BooleanField(_("transferred"), default=False)
    escalated = models.BooleanField(_("escalated"), default=False)
    talk_seconds = models.FloatField(_("talk time (s)"), null=True, blank=True)
    hold_seconds = models.FloatField(_("hold time (s)"), null=True, blank=True)
    priority = models.SmallIntegerField(_("priority"), default=0)
    # the record's key in the system it was imported from: a second import adds nothing
    external_ref = models.CharField(max_length=100, null=True, blank=True)  # noqa: DJ001

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-arrived_at", "-id"]
        indexes = [
            models.Index(fields=["tenant", "customer", "arrived_at"]),
            models.Index(fields=["tenant", "arrived_at"], name="contact_tenant_arrived"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_ref"],
                condition=models.Q(external_ref__isnull=False),
                name="contact_external_ref_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel} #{self.pk} ({self.state})"


class Message(TenantScoped):
    class Author(models.TextChoices):
        CUSTOMER = "customer", _("customer")
        AGENT = "agent", _("agent")
        BOT = "bot", _("bot")
        SYSTEM = "system", _("system")

    class Delivery(models.TextChoices):
        RECEIVED = "received", _("received")
        PENDING = "pending", _("pending")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        READ = "read", _("read")
        FAILED = "failed", _("failed")

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="messages")
    author = models.CharField(_("author"), max_length=10, choices=Author.choices)
    author_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body = models.TextField(_("text"), blank=True)
    channel_account = models.CharField(max_length=100, blank=True)
    # NULL, not "", when there is no provider id: the unique constraint below skips NULLs
    external_id = models.CharField(max_length=255, null=True, blank=True)  # noqa: DJ001
    delivery_status = models.CharField(max_length=10, choices=Delivery.choices)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "id"]
        constraints = [
            # a retried provider delivery must never create a second message
            models.UniqueConstraint(
                fields=["tenant", "channel_account", "external_id"],
                condition=models.Q(external_id__isnull=False),
                name="message_external_id_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.author}: {self.body[:40]}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.tenant_id}/{instance.sha256[:2]}/{instance.sha256}"


class Attachment(TenantScoped):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size_bytes = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self) -> str:
        return self.filename
