"""The planner's query (``?queue=…&history_weeks=…``), read with Django forms.

Rates are asked in percent and hours as whole numbers (no decimal-separator trouble between
Dutch and English). A field left out of the query takes its default, so a link may carry only
what differs; an empty or invalid value is a field error shown on the page (status 422). The
queue must be one of the request tenant's own queues: another tenant's queue is "not one of the
available choices", like a queue that does not exist.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Count, Max, Min, Q
from django.utils.translation import gettext_lazy as _

from symfonie.contacts.models import Channel, Contact
from symfonie.wfm.planner import PlanSettings

FIRST_YEAR, LAST_YEAR = 1900, 2999
MAX_HISTORY_WEEKS = 13

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PLANNER_DEFAULTS: dict[str, str] = {
    "history_weeks": "6",
    "horizon_days": "7",
    "service_level": "80",
    "threshold_seconds": "20",
    "shrinkage": "20",
    "max_occupancy": "85",
    "aht_seconds": "300",
    "office_seats": "",
    "min_week_hours": "16",
    "max_week_hours": "36",
    "home_share": "50",
    "max_agents": "",
    "max_seconds": "10",
}


def tenant_queues(tenant: Any) -> list[str]:
    """The tenant's queues with contacts: the busiest telephone queue first, then by volume."""
    rows = (
        Contact.objects.filter(tenant=tenant)
        .exclude(queue="")
        .values("queue")
        .annotate(total=Count("id"), voice=Count("id", filter=Q(channel=Channel.VOICE)))
    )
    ordered = sorted(rows, key=lambda row: (-row["voice"], -row["total"], row["queue"]))
    return [row["queue"] for row in ordered]


def newest_contact_day(tenant: Any) -> date | None:
    """The local date of the tenant's newest contact, or ``None`` without contacts."""
    newest = Contact.objects.filter(tenant=tenant).aggregate(newest=Max("arrived_at"))["newest"]
    return None if newest is None else newest.astimezone(ZoneInfo(tenant.time_zone)).date()


def oldest_contact_day(tenant: Any, queue: str) -> date | None:
    """The local date of the oldest contact in ``queue``, or ``None`` without any."""
    oldest = (
        Contact.objects.filter(tenant=tenant, queue=queue)
        .aggregate(oldest=Min("arrived_at"))
        .get("oldest")
    )
    return None if oldest is None else oldest.astimezone(ZoneInfo(tenant.time_zone)).date()


def last_full_day(tenant: Any, now: datetime) -> date:
    """The last whole day of history: the newest contact's date, but never today (not over
    yet). For a live tenant that is yesterday, so the plan starts today."""
    yesterday = now.astimezone(ZoneInfo(tenant.time_zone)).date() - timedelta(days=1)
    newest = newest_contact_day(tenant)
    return yesterday if newest is None else min(newest, yesterday)


def _percent(label: Any, minimum: int, maximum: int) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, max_value=maximum)


class PlannerForm(forms.Form):
    queue = forms.ChoiceField(label=_("Queue"))
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("all channels")), *Channel.choices]
    )
    history_end = forms.DateField(label=_("History up to"), required=False, widget=DATE_INPUT)
    history_weeks = forms.IntegerField(
        label=_("Weeks of history"), min_value=2, max_value=MAX_HISTORY_WEEKS
    )
    horizon_days = forms.IntegerField(label=_("Days to plan"), min_value=1, max_value=14)
    service_level = _percent(_("Service level target (%)"), 1, 99)
    threshold_seconds = forms.IntegerField(
        label=_("Answered within (seconds)"), min_value=0, max_value=3600
    )
    shrinkage = _percent(_("Shrinkage (%)"), 0, 90)
    max_occupancy = _percent(_("Maximum occupancy (%)"), 10, 100)
    aht_seconds = forms.IntegerField(
        label=_("AHT without history (seconds)"), min_value=1, max_value=36000
    )
    office_seats = forms.IntegerField(
        label=_("Office seats (blank: unlimited)"), required=False, min_value=0, max_value=10000
    )
    min_week_hours = forms.IntegerField(
        label=_("Contract hours per week, minimum"), min_value=0, max_value=60
    )
    max_week_hours = forms.IntegerField(
        label=_("Contract hours per week, maximum"), min_value=1, max_value=60
    )
    home_share = _percent(_("Agents who may work at home (%)"), 0, 100)
    max_agents = forms.IntegerField(
        label=_("Agents to schedule (blank: all)"), required=False, min_value=1, max_value=500
    )
    max_seconds = forms.IntegerField(
        label=_("Solver time limit (seconds)"), min_value=1, max_value=60
    )
    day = forms.DateField(label=_("Day shown"), required=False, widget=DATE_INPUT)

    def __init__(
        self, data: Mapping[str, str], *, queues: list[str], history_end_default: date
    ) -> None:
        super().__init__({**PLANNER_DEFAULTS, **data})
        self.history_end_default = history_end_default
        queue_field = self.fields["queue"]
        assert isinstance(queue_field, forms.ChoiceField)
        queue_field.choices = [(queue, queue) for queue in queues]

    def _check_year(self, name: str) -> date | None:
        value: date | None = self.cleaned_data.get(name)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return value

    def clean_history_end(self) -> date | None:
        return self._check_year("history_end")

    def clean_day(self) -> date | None:
        return self._check_year("day")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        if data["min_week_hours"] > data["max_week_hours"]:
            self.add_error(
                "min_week_hours", _("The minimum is more than the maximum contract hours.")
            )
        end = data.get("history_end") or self.history_end_default
        data["history_end"] = end
        first = end + timedelta(days=1)
        last = end + timedelta(days=data["horizon_days"])
        day = data.get("day")
        if day is not None and not first <= day <= last:
            self.add_error(
                "day",
                _("Choose a day of the plan, %(first)s to %(last)s.")
                % {"first": first.isoformat(), "last": last.isoformat()},
            )
        return data

    def plan_settings(self, countries: tuple[str, ...]) -> PlanSettings:
        data = self.cleaned_data
        return PlanSettings(
            queue=data["queue"],
            channel=data["channel"] or None,
            history_end=data["history_end"],
            history_weeks=data["history_weeks"],
            horizon_days=data["horizon_days"],
            service_level=data["service_level"] / 100,
            threshold_seconds=float(data["threshold_seconds"]),
            shrinkage=data["shrinkage"] / 100,
            max_occupancy=data["max_occupancy"] / 100,
            aht_seconds=float(data["aht_seconds"]),
            office_seats=data["office_seats"],
            min_week_hours=float(data["min_week_hours"]),
            max_week_hours=float(data["max_week_hours"]),
            home_share=data["home_share"] / 100,
            max_agents=data["max_agents"],
            max_seconds=float(data["max_seconds"]),
            countries=countries,
        )

    def day_index(self) -> int:
        """The horizon day shown in detail (0: the first day of the plan)."""
        day = self.cleaned_data.get("day")
        return 0 if day is None else (day - self.cleaned_data["history_end"]).days - 1

    def params(self) -> dict[str, str]:
        """The query as submitted (for links and the CSV exports), without the shown day."""
        return {name: str(self.data.get(name, "")) for name in self.fields if name != "day"}


class IntradayForm(PlannerForm):
    """The planner's settings plus the day to follow and the volume margin of the alert.

    By default the day is the newest contact's date and the history ends the day before it.
    """

    margin = _percent(_("Alert when volume exceeds the forecast by (%)"), 0, 500)

    def __init__(self, data: Mapping[str, str], *, queues: list[str], newest_day: date) -> None:
        day = data.get("day") or newest_day.isoformat()
        try:
            end_default = date.fromisoformat(day) - timedelta(days=1)
        except ValueError:
            end_default = newest_day - timedelta(days=1)
        super().__init__(
            {"margin": "20", **data, "day": day},
            queues=queues,
            history_end_default=end_default,
        )


class WhatIfForm(forms.Form):
    calls = forms.FloatField(
        label=_("Contacts per interval"),
        min_value=0.01,
        max_value=5000,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    interval_minutes = forms.TypedChoiceField(
        label=_("Interval (minutes)"),
        coerce=int,
        choices=[(15, "15"), (30, "30"), (60, "60")],
    )
    aht_seconds = forms.FloatField(
        label=_("AHT (seconds)"),
        min_value=1,
        max_value=36000,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )
    service_level = _percent(_("Service level target (%)"), 1, 99)
    threshold_seconds = forms.IntegerField(
        label=_("Answered within (seconds)"), min_value=0, max_value=3600
    )
    agents = forms.IntegerField(label=_("Agents"), min_value=1, max_value=2000)
    patience_seconds = forms.FloatField(
        label=_("Mean patience (seconds, blank: nobody hangs up)"),
        required=False,
        min_value=1,
        max_value=36000,
        widget=forms.NumberInput(attrs={"step": "any"}),
    )

    DEFAULTS: dict[str, str] = {
        "calls": "100",
        "interval_minutes": "30",
        "aht_seconds": "180",
        "service_level": "80",
        "threshold_seconds": "20",
        "agents": "14",
        "patience_seconds": "",
    }

    def __init__(self, data: Mapping[str, str]) -> None:
        super().__init__({**self.DEFAULTS, **data})
