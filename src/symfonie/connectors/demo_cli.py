"""``symfonie demo-message``: a demo customer writes on WhatsApp, Messenger, Telegram or SMS.

Builds the inbound webhook the provider would post for the tenant's demo account
(``connectors/demo.py``) from the customer's identity on that channel, signs it as the provider
does (``demo_provider``'s signing, the same the status webhooks use) and posts it to the running
server (``make run``). A customer without an identity on the channel gets one first: her phone
number's digits as WhatsApp id, a fixed demo PSID or Telegram user id; SMS uses her phone number.

``build_webhook`` and ``send_webhook`` are separate so that the tests post the same request
through Django's test client.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import secrets
import sys
import time
import urllib.error
import urllib.parse
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from symfonie.cli import CommandError, setup_django

if TYPE_CHECKING:
    from symfonie.connectors.demo_provider import Webhook
    from symfonie.connectors.models import ChannelAccount
    from symfonie.contacts.models import Customer
    from symfonie.tenants.models import Tenant

CHANNELS = {"whatsapp": "WhatsApp", "messenger": "Messenger", "telegram": "Telegram", "sms": "SMS"}
DEFAULT_TEXTS = {
    "woonstad": "Goedemiddag, de kraan in mijn keuken lekt. Kan er een monteur langskomen?",
    "ovregio": "Goedemiddag, mijn abonnement staat niet op mijn OV-pas. Kunt u dat nakijken?",
}
WINDOW_HOURS = 24
MAX_HOURS_AGO = 24 * 365


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "demo-message",
        help="let a demo customer send a WhatsApp, Messenger, Telegram or SMS message "
        "to the running server",
    )
    parser.add_argument("--tenant", required=True, metavar="SLUG", help="woonstad or ovregio")
    parser.add_argument("--channel", required=True, choices=list(CHANNELS))
    parser.add_argument(
        "--customer", metavar="NAME", help="default: the tenant's showcase customer"
    )
    parser.add_argument("--text", help="default: a question fitting the tenant")
    parser.add_argument(
        "--url", help="the running server (default: $SYMFONIE_PUBLIC_URL, http://127.0.0.1:8000)"
    )
    parser.add_argument(
        "--hours-ago",
        type=float,
        default=0.0,
        metavar="N",
        help="date the message N hours back (30: WhatsApp's 24-hour window is closed)",
    )
    parser.set_defaults(func=cmd_demo_message)


# -- who writes ------------------------------------------------------------------------------


def find_tenant(slug: str) -> Tenant:
    from symfonie.connectors.demo import add_demo_channel_accounts, demo_account
    from symfonie.demo.routing import QUEUES
    from symfonie.tenants.models import Tenant

    tenant = Tenant.objects.filter(slug=slug).first()
    if tenant is None:
        known = (
            ", ".join(Tenant.objects.values_list("slug", flat=True)) or "none: run `symfonie demo`"
        )
        raise CommandError(f"no tenant with slug {slug!r} (known: {known})")
    if tenant.slug in QUEUES:
        add_demo_channel_accounts([tenant])  # a demo loaded before these channels existed
    elif demo_account(tenant, "whatsapp") is None:
        raise CommandError(f"{slug!r} is not a demo tenant; use one of {', '.join(QUEUES)}")
    return tenant


def find_customer(tenant: Tenant, name: str | None) -> Customer:
    from symfonie.contacts.identities import name_key
    from symfonie.contacts.models import Customer
    from symfonie.demo.loader import SHOWCASE_NAMES

    customers = Customer.objects.filter(tenant=tenant, is_active=True, merged_into=None)
    if name is None:
        showcase = customers.filter(name__in=SHOWCASE_NAMES).order_by("pk").first()
        found = showcase or customers.order_by("pk").first()
        if found is None:
            raise CommandError(f"{tenant.slug} has no customers: run `symfonie demo`")
        return found
    matches = list(customers.filter(name_key=name_key(name)).order_by("pk")[:2])
    if not matches:
        names = dict.fromkeys(customers.order_by("pk").values_list("name", flat=True)[:10])
        examples = ", ".join(list(names)[:3])
        raise CommandError(f"no customer named {name!r} in {tenant.slug} (e.g. {examples})")
    if len(matches) > 1:
        raise CommandError(f"more than one customer in {tenant.slug} is named {name!r}")
    return matches[0]


def demo_id(customer: Customer, kind: str, digits: int) -> str:
    """A fixed numeric id of ``digits`` digits for this customer on ``kind`` (no leading 0)."""
    seed = f"{kind}:{customer.tenant_id}:{customer.pk}".encode()
    value = int(hashlib.sha256(seed).hexdigest(), 16)
    low = 10 ** (digits - 1)
    return str(low + value % (9 * low))


def sender_id(customer: Customer, channel: str) -> str:
    """The customer's address on ``channel``, added to her identities when she has none."""
    from symfonie.connectors.registry import sender_for
    from symfonie.contacts.actions.customers import do_add_identity
    from symfonie.contacts.models import Identity
    from symfonie.problems import Problem

    sender = sender_for(channel)
    if sender is None:  # the demo's four channels all send; a fifth would need its sender
        raise Problem(f"{channel} cannot send replies", field="channel")
    kind = sender.IDENTITY_KIND
    mine = Identity.objects.filter(customer=customer).order_by("pk")
    existing = mine.filter(kind=kind).first()
    if existing is not None:
        return existing.value
    phone = mine.filter(kind="phone").first()
    if channel == "messenger":
        value = demo_id(customer, kind, 16)  # a page-scoped id
    elif channel == "telegram":
        value = demo_id(customer, kind, 10)  # a Telegram user id
    elif channel == "whatsapp" and phone is not None:
        value = phone.value.lstrip("+")  # a WhatsApp id: the number's digits
    else:
        raise CommandError(f"{customer.name} has no phone number for {CHANNELS[channel]}")
    try:
        return do_add_identity(customer, kind, value).value
    except Problem as exc:
        raise CommandError(f"cannot give {customer.name} the {kind} id {value}: {exc}") from exc


# -- the provider's inbound webhook, per channel -----------------------------------------------


def _hook_path(account: ChannelAccount) -> str:
    from django.urls import reverse

    return reverse("connectors:webhook", kwargs={"kind": account.kind, "key": account.key})


def _meta(account: ChannelAccount, base_url: str, document: dict[str, Any]) -> Webhook:
    from symfonie.connectors.demo_provider import Webhook, meta_headers

    raw = json.dumps(document).encode()
    return Webhook(base_url + _hook_path(account), raw, meta_headers(account, raw))


def whatsapp_webhook(
    account: ChannelAccount, name: str, sender: str, text: str, at: datetime, base_url: str
) -> Webhook:
    """A ``messages`` change with one text message (as ``whatsapp/fixtures/text.json``)."""
    from symfonie.connectors.demo import business_number, whatsapp_business_account_id

    wamid = "wamid.DEMO" + secrets.token_urlsafe(24)
    message = {
        "from": sender,
        "id": wamid,
        "timestamp": str(int(at.timestamp())),
        "type": "text",
        "text": {"body": text},
    }
    value = {
        "messaging_product": "whatsapp",
        "metadata": {
            "display_phone_number": business_number(account.tenant).lstrip("+"),
            "phone_number_id": account.provider_account_id,
        },
        "contacts": [{"profile": {"name": name}, "wa_id": sender}],
        "messages": [message],
    }
    entry = {
        "id": whatsapp_business_account_id(account.tenant),
        "changes": [{"value": value, "field": "messages"}],
    }
    return _meta(account, base_url, {"object": "whatsapp_business_account", "entry": [entry]})


def messenger_webhook(
    account: ChannelAccount, name: str, sender: str, text: str, at: datetime, base_url: str
) -> Webhook:
    """A ``messages`` event of the Page (as ``messenger/fixtures/text.json``)."""
    page, ms = account.provider_account_id, int(at.timestamp() * 1000)
    item = {
        "sender": {"id": sender},
        "recipient": {"id": page},
        "timestamp": ms,
        "message": {"mid": "m_DEMO" + secrets.token_urlsafe(24), "text": text},
    }
    document = {"object": "page", "entry": [{"id": page, "time": ms, "messaging": [item]}]}
    return _meta(account, base_url, document)


def telegram_webhook(
    account: ChannelAccount, name: str, sender: str, text: str, at: datetime, base_url: str
) -> Webhook:
    """An ``Update`` with a private-chat ``message`` and the ``setWebhook`` secret token."""
    from symfonie.connectors.demo_provider import Webhook
    from symfonie.connectors.telegram.inbound import HEADER, SECRET

    first, _, last = name.partition(" ")
    names = {"first_name": first or "Klant", **({"last_name": last} if last else {})}
    now_ms = time.time_ns() // 1_000_000  # update ids only grow
    update = {
        "update_id": now_ms,
        "message": {
            "message_id": now_ms % 10**9,
            "from": {"id": int(sender), "is_bot": False, **names, "language_code": "nl"},
            "chat": {"id": int(sender), **names, "type": "private"},
            "date": int(at.timestamp()),
            "text": text,
        },
    }
    headers = {"Content-Type": "application/json", HEADER: account.secrets[SECRET]}
    return Webhook(base_url + _hook_path(account), json.dumps(update).encode(), headers)


def sms_webhook(
    account: ChannelAccount, name: str, sender: str, text: str, at: datetime, base_url: str
) -> Webhook:
    """Twilio's incoming-message form (as ``sms/fixtures/sms_received.json``). Twilio sends no
    timestamp: the message is placed at its arrival."""
    from symfonie.connectors.demo_provider import twilio_form

    sid = "SM" + secrets.token_hex(16)
    fields = {
        "ToCountry": "NL",
        "SmsMessageSid": sid,
        "NumMedia": "0",
        "SmsSid": sid,
        "SmsStatus": "received",
        "Body": text,
        "FromCountry": "NL",
        "To": account.secrets["from"],
        "NumSegments": "1",
        "MessageSid": sid,
        "AccountSid": account.provider_account_id,
        "From": sender,
        "ApiVersion": "2010-04-01",
    }
    return twilio_form(account, base_url + _hook_path(account), fields)


BUILDERS = {
    "whatsapp": whatsapp_webhook,
    "messenger": messenger_webhook,
    "telegram": telegram_webhook,
    "sms": sms_webhook,
}


def build_webhook(
    account: ChannelAccount, customer: Customer, text: str, at: datetime, base_url: str
) -> Webhook:
    """The provider's signed webhook for a message of ``customer`` to ``account`` at ``at``,
    addressed to the server at ``base_url``."""
    sender = sender_id(customer, account.kind)
    return BUILDERS[account.kind](account, customer.name, sender, text, at, base_url.rstrip("/"))


def send_webhook(webhook: Webhook) -> tuple[int, str]:
    """POST it to the server: (status, answer); CommandError when no server answers."""
    from symfonie.connectors.demo_provider import post

    try:
        status, answer = post(webhook)
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise CommandError(
            f"cannot reach the server at {webhook.url}: {reason}. "
            "Is it running? Start it with `make run` (or `symfonie serve`), or pass --url."
        ) from None
    return status, answer.decode("utf-8", errors="replace")


# -- the command -------------------------------------------------------------------------------


def window_note(account: ChannelAccount, customer: Customer, at: datetime) -> str:
    """What the agent may answer with, where a customer-service window applies."""
    from django.db.models import Max
    from django.utils import timezone

    from symfonie.contacts.models import Message

    if account.kind not in ("whatsapp", "messenger"):
        return ""
    last = Message.objects.filter(
        channel_account=account.message_key, author="customer", contact__customer=customer
    ).aggregate(last=Max("created_at"))["last"]
    closes = max(at, last or at) + timedelta(hours=WINDOW_HOURS)
    if closes <= timezone.now():
        answer = "an approved template" if account.kind == "whatsapp" else "a message tag"
        return (
            f"The 24-hour window closed at {closes:%Y-%m-%d %H:%M} UTC: only {answer} can answer."
        )
    note = f"The 24-hour window is open until {closes:%Y-%m-%d %H:%M} UTC: free text can answer."
    if last is not None and last > at and at + timedelta(hours=WINDOW_HOURS) <= timezone.now():
        # --hours-ago was meant to close it, but she wrote on this account since
        note += (
            f" ({customer.name} wrote more recently; pick another --customer to show it closed.)"
        )
    return note


def cmd_demo_message(args: argparse.Namespace) -> int:
    if not 0 <= args.hours_ago <= MAX_HOURS_AGO:
        raise CommandError(f"--hours-ago must be between 0 and {MAX_HOURS_AGO} (a year)")
    if args.hours_ago and args.channel == "sms":
        raise CommandError("--hours-ago does not apply to SMS: Twilio's webhooks carry no time")
    setup_django()
    from django.conf import settings
    from django.utils import timezone

    from symfonie.connectors.demo import demo_account

    tenant = find_tenant(args.tenant)
    account = demo_account(tenant, args.channel)
    if account is None:
        raise CommandError(f"{tenant.slug} has no active demo {CHANNELS[args.channel]} account")
    customer = find_customer(tenant, args.customer)
    text = args.text or DEFAULT_TEXTS.get(tenant.slug, "Goedemiddag, ik heb een vraag.")
    if not text.strip():
        raise CommandError("--text must not be empty")
    at = timezone.now() - timedelta(hours=args.hours_ago)
    base_url = (args.url or settings.PUBLIC_URL).rstrip("/")
    if urllib.parse.urlsplit(base_url).scheme not in ("http", "https"):
        raise CommandError(f"--url must be an http(s) address, not {base_url!r}")
    webhook = build_webhook(account, customer, text, at, base_url)
    note = window_note(account, customer, at)  # before the server stores the message
    status, answer = send_webhook(webhook)
    ago = f" ({args.hours_ago:g} h ago)" if args.hours_ago else ""
    print(f"{CHANNELS[args.channel]} message of {customer.name} to {account.name}{ago}: {text!r}")
    print(f"POST {webhook.url} → {status} {answer[:200]}")
    if not 200 <= status < 300:
        print(f"symfonie demo-message: the server refused the webhook ({status})", file=sys.stderr)
        return 1
    print(
        f"It joins the customer's open {CHANNELS[args.channel]} contact, or becomes a new one "
        f"in queue {account.default_queue!r}, offered to an agent who is available in the "
        "workspace (/werkplek/)."
    )
    if note:
        print(note)
    return 0
