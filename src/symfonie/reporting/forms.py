"""The query of a report page (``?start=…&end=…&queue=…&interval=…``), read with Django forms.

Every page and export takes the same filter; a value that does not parse, a reversed range or
an unknown interval or figure becomes an :class:`~symfonie.problems.InvalidInput` with a
message in the user's language (the page shows it with status 422, never a 500). The tenant is
never a parameter: it is the request's.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Max
from django.http import Http404
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from symfonie.contacts.models import Channel, Contact
from symfonie.problems import InvalidInput
from symfonie.reporting.drilldown import FIGURE_NAMES, ORDERS, DrillDown, figure_label
from symfonie.reporting.report import INTERVALS, MAX_RANGE_DAYS, PERIODS, ReportFilter
from symfonie.tenants.models import Membership, Tenant

INTERVAL_CHOICES = [
    ("15m", _("15 minutes")),
    ("30m", _("30 minutes")),
    ("60m", _("hour")),
    ("day", _("day")),
    ("week", _("week")),
    ("month", _("month")),
]
assert [key for key, _label in INTERVAL_CHOICES] == [*INTERVALS, *PERIODS]
MAX_BUCKETS = 3000  # 31 days of 15-minute intervals; more is no chart anyone can read
FIRST_YEAR, LAST_YEAR = 1900, 2999  # keeps date arithmetic (previous period, +1 day) in range
DEFAULT_DAYS = 7


def default_end(tenant: Tenant, now: datetime) -> date:
    """Today on the tenant's clock, or the day of its newest contact if there is none today
    (an imported history or a demo loaded earlier still opens on data)."""
    today = now.astimezone(ZoneInfo(tenant.time_zone)).date()
    newest = Contact.objects.filter(tenant=tenant).aggregate(newest=Max("arrived_at"))["newest"]
    if newest is None:
        return today
    newest_day = newest.astimezone(ZoneInfo(tenant.time_zone)).date()
    return min(today, newest_day)


def default_interval(start: date, end: date) -> str:
    days = (end - start).days + 1
    if days <= DEFAULT_DAYS:
        return "60m"
    if days <= 62:
        return "day"
    return "week"


def _bucket_count(start: date, end: date, every: str) -> int:
    days = (end - start).days + 1
    if every in INTERVALS:
        return days * 24 * 60 // INTERVALS[every]
    return {"day": days, "week": days // 7 + 2, "month": days // 28 + 2}[every]


class ReportForm(forms.Form):
    start = forms.DateField(label=_("from"), required=False)
    end = forms.DateField(label=_("to"), required=False)
    queue = forms.CharField(label=_("queue"), required=False, max_length=64)
    channel = forms.ChoiceField(
        label=_("channel"), required=False, choices=[("", _("all channels")), *Channel.choices]
    )
    agent = forms.IntegerField(label=_("agent"), required=False, min_value=1, max_value=2**63 - 1)
    interval = forms.ChoiceField(
        label=_("interval"), required=False, choices=[("", ""), *INTERVAL_CHOICES]
    )

    def __init__(
        self, data: object, *, tenant: Tenant, end_default: date, default_days: int = DEFAULT_DAYS
    ) -> None:
        super().__init__(data)
        self.tenant = tenant
        self.end_default = end_default
        self.default_days = default_days

    def _check_year(self, name: str) -> date | None:
        value: date | None = self.cleaned_data.get(name)
        if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise forms.ValidationError(
                _("Choose a date between %(first)s and %(last)s."),
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return value

    def clean_start(self) -> date | None:
        return self._check_year("start")

    def clean_end(self) -> date | None:
        return self._check_year("end")

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if self.errors:
            return data
        end = data.get("end") or self.end_default
        start = data.get("start") or end - timedelta(days=self.default_days - 1)
        if not data.get("end") and start > end:
            end = start + timedelta(days=self.default_days - 1)
        if end < start:
            self.add_error("end", _("The end date is before the start date."))
            return data
        if (end - start).days >= MAX_RANGE_DAYS:
            self.add_error(
                "end", _("A report covers at most %(days)s days.") % {"days": MAX_RANGE_DAYS}
            )
            return data
        every = data.get("interval") or default_interval(start, end)
        if _bucket_count(start, end, every) > MAX_BUCKETS:
            self.add_error(
                "interval",
                _("Too many intervals for this range: choose a longer interval or fewer days."),
            )
            return data
        data.update(start=start, end=end, interval=every)
        return data

    def problem(self) -> InvalidInput:
        """The form's errors as one problem (field names in the user's language)."""
        parts = []
        field = None
        for name, errors in self.errors.items():
            label = self.fields[name].label if name in self.fields else ""
            field = field or name
            parts.append(f"{label}: {' '.join(errors)}" if label else " ".join(errors))
        return InvalidInput("; ".join(parts), field=field)

    def report_filter(self) -> ReportFilter:
        if not self.is_valid():
            raise self.problem()
        data = self.cleaned_data
        agent = data.get("agent")
        if agent is not None and not agent_belongs(self.tenant, agent):
            raise Http404("no such agent in this tenant")  # another tenant's id: not found
        return ReportFilter(
            self.tenant,
            data["start"],
            data["end"],
            queue=data.get("queue") or None,
            channel=data.get("channel") or None,
            agent_id=agent,
        )

    @property
    def every(self) -> str:
        return str(self.cleaned_data["interval"])

    def params(self) -> dict[str, str]:
        """The effective filter as query parameters (defaults filled in, empty ones left out)."""
        data = self.cleaned_data
        values = {
            "start": data["start"].isoformat(),
            "end": data["end"].isoformat(),
            "queue": data.get("queue") or "",
            "channel": data.get("channel") or "",
            "agent": str(data["agent"]) if data.get("agent") else "",
        }
        return {key: value for key, value in values.items() if value}


def agent_belongs(tenant: Tenant, user_id: int) -> bool:
    """The user works (or worked: handled contacts) for this tenant."""
    return (
        Membership.objects.filter(tenant=tenant, user_id=user_id).exists()
        or Contact.objects.filter(tenant=tenant, agent_id=user_id).exists()
    )


def _moment(text: str, zone: ZoneInfo, name: str) -> datetime | None:
    text = text.strip()
    if not text:
        return None
    try:
        moment = parse_datetime(text)
    except ValueError:
        moment = None
    if moment is None:
        raise InvalidInput(
            str(_("%(name)s is not a date and time (YYYY-MM-DDTHH:MM+01:00).") % {"name": name}),
            field=name,
        )
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment


class DrillForm(ReportForm):
    figure = forms.ChoiceField(
        label=_("figure"), required=False, choices=[(name, name) for name in FIGURE_NAMES]
    )
    topic = forms.CharField(label=_("contact reason"), required=False, max_length=100)
    order = forms.ChoiceField(
        label=_("order"), required=False, choices=[(name, name) for name in ORDERS]
    )

    def drill_down(self) -> DrillDown:
        report_filter = self.report_filter()
        data = self.cleaned_data
        figure = data.get("figure") or "contacts"
        figure_label(figure)
        zone = report_filter.zone
        raw = self.data
        return DrillDown(
            report_filter,
            figure,
            bucket_start=_moment(str(raw.get("bucket_start", "")), zone, "bucket_start"),
            bucket_end=_moment(str(raw.get("bucket_end", "")), zone, "bucket_end"),
            topic=data.get("topic") or None,
            order=data.get("order") or "arrival",
        )

    def params(self) -> dict[str, str]:
        values = super().params()
        for name in ("figure", "topic", "order"):
            if self.cleaned_data.get(name):
                values[name] = str(self.cleaned_data[name])
        for name in ("bucket_start", "bucket_end"):
            if self.data.get(name):
                values[name] = str(self.data[name])
        return values
