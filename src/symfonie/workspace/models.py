"""Canned responses (standaardantwoorden) an agent inserts into a reply."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from symfonie.tenants.models import TenantScoped

SHORTCUT_RE = r"^/[\w-]{1,31}$"


class CannedResponse(TenantScoped):
    """A reply text of one tenant, with ``{klant}``, ``{agent}``, ``{contact}``, ``{datum}``."""

    title = models.CharField(_("title"), max_length=100)
    shortcut = models.CharField(
        _("shortcut"),
        max_length=32,
        blank=True,
        validators=[
            RegexValidator(SHORTCUT_RE, _("A slash and letters, digits or dashes, like /groet."))
        ],
        help_text=_("Typed in the reply box and expanded with Tab, like /groet."),
    )
    body = models.TextField(
        _("text"),
        help_text=_(
            "Variables: {klant} (customer name), {agent} (your name), {contact} (contact number),"
            " {datum} (today)."
        ),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")
        ordering = ["title", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "shortcut"],
                condition=~models.Q(shortcut=""),
                name="canned_response_shortcut_unique",
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.shortcut})" if self.shortcut else self.title
