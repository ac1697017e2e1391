"""Routing configuration (skills, queues, agent profiles) and the router's durable log.

The router itself lives in memory (``symfonie.domain.routing.Router``). What survives a crash
is here: ``RouterCommand`` (the inbox: every request to the router is written before it is
carried out), ``RouterLogEntry`` (every decision, in order) and ``RouterSnapshot`` (the state
at a log position). Restore = the newest snapshot + the log after it + the pending commands.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from symfonie.domain.routing import AfterHoursAction, Channel, Presence
from symfonie.tenants.models import TenantScoped

CHANNEL_CHOICES = [(c.value, c.value) for c in Channel]
PRESENCE_CHOICES = [(p.value, p.value.replace("_", "-")) for p in Presence]
AFTER_HOURS_CHOICES = [(a.value, a.value) for a in AfterHoursAction]

#: The channel of a contact (contacts.Channel) → the routing channel (capacity slot).
ROUTING_CHANNEL = {
    "voice": Channel.VOICE,
    "webchat": Channel.CHAT,
    "email": Channel.EMAIL,
}


class Skill(TenantScoped):
    """A skill of one tenant ("huurachterstand", "storingen"); agents hold it at 1–5."""

    code = models.SlugField(_("code"), max_length=64)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("skill")
        verbose_name_plural = _("skills")
        ordering = ["code"]
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="skill_code_unique")]

    def __str__(self) -> str:
        return self.name or self.code


class RoutingQueue(TenantScoped):
    """A waiting queue of one tenant on one channel (see docs/routing.md for each setting)."""

    slug = models.SlugField(_("slug"), max_length=64)
    name = models.CharField(_("name"), max_length=200)
    channel = models.CharField(_("channel"), max_length=8, choices=CHANNEL_CHOICES)
    priority = models.SmallIntegerField(_("priority tier"), default=0)
    priority_credit_seconds = models.FloatField(_("priority credit (s)"), default=0)
    # [{"skill": code, "min_proficiency": 1-5}]
    required_skills = models.JSONField(_("required skills"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    service_level_percent = models.FloatField(_("service level (%)"), null=True, blank=True)
    service_level_seconds = models.FloatField(_("within (s)"), null=True, blank=True)
    service_level_working_hours = models.BooleanField(_("count working hours only"), default=False)
    # [{"after_seconds": 30, "min_proficiency": 2}, ...]
    relaxation = models.JSONField(_("skill relaxation"), default=list, blank=True)
    max_per_agent = models.PositiveSmallIntegerField(_("at most per agent"), null=True, blank=True)
    offer_timeout_seconds = models.FloatField(_("offer timeout (s)"), default=15)
    sticky_window_seconds = models.FloatField(_("sticky agent window (s)"), default=0)
    sticky_wait_seconds = models.FloatField(_("wait for the sticky agent (s)"), default=0)
    overflow_to = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    overflow_after_seconds = models.FloatField(_("overflow after (s)"), null=True, blank=True)
    overflow_max_waiting = models.PositiveIntegerField(
        _("overflow above waiting"), null=True, blank=True
    )
    escalation_queue = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # {"0": [["08:00", "17:00"]], ... "6": []} by ISO weekday - 1; empty: always open
    opening_hours = models.JSONField(_("opening hours"), default=dict, blank=True)
    holiday_region = models.CharField(
        _("public holidays"),
        max_length=2,
        blank=True,
        choices=[("NL", "Nederland"), ("BE", "België")],
    )
    after_hours = models.CharField(
        _("outside opening hours"),
        max_length=8,
        choices=AFTER_HOURS_CHOICES,
        default=AfterHoursAction.MESSAGE,
    )
    wrap_up_required = models.BooleanField(_("wrap-up required"), default=True)
    expected_handle_seconds = models.FloatField(_("expected handle time (s)"), default=300)

    class Meta:
        verbose_name = _("routing queue")
        verbose_name_plural = _("routing queues")
        ordering = ["tenant", "-priority", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "slug"], name="routing_queue_slug_unique")
        ]

    def __str__(self) -> str:
        return self.name


class AgentProfile(models.Model):
    """A user who takes contacts: languages, capacity, and (projected from the router) presence.

    The tenants an agent works for are the user's memberships; skills are ``AgentSkill`` rows.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_profile"
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    voice = models.BooleanField(_("takes calls"), default=True)
    chats = models.PositiveSmallIntegerField(_("chats at once"), default=3)
    messages = models.PositiveSmallIntegerField(_("e-mails and messages at once"), default=5)
    # projection of the router's decisions, for pages in any process
    presence = models.CharField(
        _("presence"), max_length=16, choices=PRESENCE_CHOICES, default=Presence.OFFLINE
    )
    presence_reason = models.CharField(_("reason"), max_length=64, blank=True)
    presence_since = models.DateTimeField(_("since"), null=True, blank=True)

    class Meta:
        verbose_name = _("agent profile")
        verbose_name_plural = _("agent profiles")

    def __str__(self) -> str:
        return str(self.user)


class AgentSkill(models.Model):
    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="skills")
    skill = models.ForeignKey(Skill, on_delete=models.CASCADE, related_name="+")
    proficiency = models.PositiveSmallIntegerField(_("proficiency (1–5)"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agent", "skill"], name="agent_skill_unique"),
            models.CheckConstraint(
                condition=models.Q(proficiency__gte=1, proficiency__lte=5),
                name="agent_skill_proficiency_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.skill_id}: {self.proficiency}"


class BreakReason(TenantScoped):
    """A reason code an agent picks when going on break ("lunch", "coaching")."""

    code = models.SlugField(_("code"), max_length=32)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="break_reason_unique")
        ]

    def __str__(self) -> str:
        return self.name


class RoutingSettings(TenantScoped):
    """A tenant's workspace rules."""

    wrap_up_topic_required = models.BooleanField(
        _("wrap-up needs a topic"),
        default=True,
        help_text=_("The agent must pick at least one topic before finishing wrap-up."),
    )

    class Meta:
        verbose_name = _("routing settings")
        verbose_name_plural = _("routing settings")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="routing_settings_per_tenant")
        ]


class Offer(models.Model):
    """The offer in flight per contact (projection; the router is the authority)."""

    offer_id = models.CharField(max_length=64, unique=True)
    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="routing_offer"
    )
    agent = models.ForeignKey(AgentProfile, on_delete=models.CASCADE, related_name="offers")
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.offer_id


class WaitingEstimate(models.Model):
    """The router's place and expected wait of a waiting contact, refreshed every few seconds
    by the leading router, for the customer-facing channels in any process."""

    contact = models.OneToOneField(
        "contacts.Contact", on_delete=models.CASCADE, related_name="waiting_estimate"
    )
    position = models.PositiveIntegerField()
    estimated_wait_seconds = models.FloatField(null=True, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.contact_id}: #{self.position}"


class RouterCommand(models.Model):
    """The router's inbox: written by any process, carried out in order by the one router."""

    class Status(models.TextChoices):
        PENDING = "pending"
        DONE = "done"
        REFUSED = "refused"

    kind = models.CharField(max_length=32)
    payload = models.JSONField(default=dict)
    # a retried request with the same key finds the first command instead of adding one
    idempotency_key = models.CharField(max_length=128, null=True, blank=True, unique=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    result = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status", "id"], name="router_command_pending")]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind} ({self.status})"


class RouterLogEntry(models.Model):
    """One routing decision (``event_to_dict`` form), in the order the router took them."""

    type = models.CharField(max_length=40)
    data = models.JSONField()
    at = models.DateTimeField()
    command = models.ForeignKey(
        RouterCommand, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.type}"


class RouterSnapshot(models.Model):
    """The router's state after log entry ``last_entry_id``."""

    last_entry_id = models.BigIntegerField()
    data = models.JSONField()
    taken_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-last_entry_id"]

    def __str__(self) -> str:
        return f"snapshot at #{self.last_entry_id}"
