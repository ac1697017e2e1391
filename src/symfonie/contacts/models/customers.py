"""Customers, their identities, merge suggestions and merges (with what they moved)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from symfonie.tenants.models import TenantScoped


class Customer(TenantScoped):
    name = models.CharField(_("name"), max_length=200, blank=True)
    # casefolded, accents stripped, whitespace collapsed: the key weak-evidence matching uses
    name_key = models.CharField(max_length=200, blank=True, db_index=True, editable=False)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=5, default="nl")
    tags = models.JSONField(_("tags"), default=list, blank=True)
    # facts from a source system that have no column of their own, e.g. {"priority": 2}
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)
    do_not_call = models.BooleanField(_("do not call"), default=False)
    opt_out_marketing = models.BooleanField(_("opted out of campaigns"), default=False)
    deceased = models.BooleanField(_("deceased"), default=False)
    is_active = models.BooleanField(default=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or f"#{self.pk}"


class IdentityKind(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    WHATSAPP = "whatsapp", _("WhatsApp")
    MESSENGER = "messenger", _("Messenger")
    INSTAGRAM = "instagram", _("Instagram")
    TELEGRAM = "telegram", _("Telegram")
    SOCIAL = "social", _("social handle")
    CUSTOMER_NUMBER = "customer_number", _("customer number")
    POSTAL = "postal", _("postal address")


class Identity(TenantScoped):
    """How a customer is known on one channel; unique per tenant per (kind, normalised value)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(_("kind"), max_length=20, choices=IdentityKind.choices)
    value = models.CharField(_("value"), max_length=255)
    display_value = models.CharField(_("as given"), max_length=255, blank=True)
    # the weaker key for merge suggestions (e-mail without +tag, last 9 phone digits, postcode)
    match_key = models.CharField(max_length=255, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "kind", "value"], name="identity_unique_per_tenant"
            )
        ]
        indexes = [models.Index(fields=["tenant", "kind", "match_key"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"


class MergeSuggestion(TenantScoped):
    """Weak evidence that two customers are one person, for a human to review."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        MERGED = "merged", _("merged")
        DISMISSED = "dismissed", _("dismissed")

    class Reason(models.TextChoices):
        NAME_POSTCODE = "name_postcode", _("same name and postcode")
        NAME_BIRTH_DATE = "name_birth_date", _("same name and birth date")
        EMAIL_VARIANT = "email_variant", _("e-mail address differs only in +tag or dots")
        PHONE_VARIANT = "phone_variant", _("same phone number in another format")

    customer_a = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    customer_b = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=40, choices=Reason.choices)
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("merge suggestion")
        verbose_name_plural = _("merge suggestions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "customer_a", "customer_b", "reason"],
                name="one_suggestion_per_reason",
            ),
            models.CheckConstraint(
                condition=models.Q(customer_a__lt=models.F("customer_b")),
                name="suggestion_pair_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.customer_a_id} ~ {self.customer_b_id} ({self.reason})"


class CustomerMerge(TenantScoped):
    """A merge of ``source`` into ``target``, with exactly what moved, so it can be undone."""

    source = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_as_source")
    target = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="merges_as_target")
    suggestion = models.ForeignKey(
        MergeSuggestion, null=True, blank=True, on_delete=models.SET_NULL
    )
    moved = models.JSONField(default=dict)
    reason = models.TextField(_("reason"))
    merged_by = models.ForeignKey(
        "tenants.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        "tenants.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undo_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("customer merge")
        verbose_name_plural = _("customer merges")
        ordering = ["-merged_at", "-id"]

    def __str__(self) -> str:
        return f"{self.source_id} → {self.target_id}"
