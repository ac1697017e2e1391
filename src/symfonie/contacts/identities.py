"""Normalise identity values, so that one customer is found the same way on every channel.

Exact, normalised identifiers link automatically; the weaker ``match_key`` only ever produces a
merge suggestion. Phone numbers use Google's libphonenumber rules (``phonenumbers``).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from symfonie.contacts.models import IdentityKind
from symfonie.problems import InvalidInput

SUPPORTED_REGIONS = ("NL", "BE")
NL_POSTCODE = re.compile(r"^([1-9][0-9]{3})\s*([A-Za-z]{2})$")
BE_POSTCODE = re.compile(r"^([1-9][0-9]{3})$")
HOUSE_NUMBER = re.compile(r"^([0-9]{1,5})\s*[-/ ]?\s*([A-Za-z0-9]{0,6})$")
GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})


@dataclass(frozen=True)
class NormalisedIdentity:
    kind: str
    value: str
    display_value: str
    match_key: str


def normalise_phone(raw: str, region: str = "NL", field: str = "value") -> str:
    """E.164 form (``+31612345678``); numbers without a country code use ``region``."""
    try:
        number = phonenumbers.parse(raw, region)
    except phonenumbers.NumberParseException as exc:
        raise InvalidInput(f"not a phone number: {raw!r}", field=field) from exc
    if not phonenumbers.is_valid_number(number):
        raise InvalidInput(f"not a valid phone number: {raw!r}", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str, field: str = "value") -> str:
    """Lower-cased, trimmed, with an IDNA (punycode) domain; validated by Django's rules."""
    candidate = raw.strip()
    local, _, domain = candidate.rpartition("@")
    try:
        domain = domain.encode("idna").decode("ascii").lower()
    except UnicodeError as exc:
        raise InvalidInput(f"not a valid e-mail address: {raw!r}", field=field) from exc
    candidate = f"{local}@{domain}".lower()
    try:
        validate_email(candidate)
    except ValidationError as exc:
        raise InvalidInput(f"not a valid e-mail address: {raw!r}", field=field) from exc
    return candidate


def email_match_key(email: str) -> str:
    """The address without ``+tag`` (and without dots for Gmail): weak evidence only."""
    local, _, domain = email.partition("@")
    local = local.split("+", 1)[0]
    if domain in GMAIL_DOMAINS:
        local = local.replace(".", "")
        domain = "gmail.com"
    return f"{local}@{domain}"


def normalise_postal(raw: str, field: str = "value") -> tuple[str, str]:
    """``"1234 ab, 12-a"`` → (``"1234AB 12A"``, postcode ``"1234AB"``). NL or BE postcodes."""
    parts = [p.strip() for p in re.split(r"[,;]", raw, maxsplit=1)]
    if len(parts) != 2 or not parts[1]:
        raise InvalidInput(
            "a postal address is 'postcode, house number', e.g. '1234 AB, 12'", field=field
        )
    postcode_raw, house_raw = parts
    nl = NL_POSTCODE.match(postcode_raw)
    be = BE_POSTCODE.match(postcode_raw)
    if nl:
        postcode = f"{nl.group(1)}{nl.group(2).upper()}"
    elif be:
        postcode = be.group(1)
    else:
        raise InvalidInput(f"not a Dutch or Belgian postcode: {postcode_raw!r}", field=field)
    house = HOUSE_NUMBER.match(house_raw)
    if not house:
        raise InvalidInput(f"not a house number: {house_raw!r}", field=field)
    number = house.group(1).lstrip("0") or "0"
    return f"{postcode} {number}{house.group(2).upper()}", postcode


def _digits(raw: str, kind: str, field: str) -> str:
    value = raw.strip()
    if not value.isdigit() or len(value) > 64:
        raise InvalidInput(f"a {kind} id consists of digits only: {raw!r}", field=field)
    return value


def normalise(kind: str, raw: str, region: str = "NL", field: str = "value") -> NormalisedIdentity:
    """Normalise ``raw`` for ``kind``; raise ``InvalidInput`` naming ``field`` when it is invalid."""
    if not isinstance(raw, str) or not raw.strip():
        raise InvalidInput("must not be empty", field=field)
    if len(raw) > 255:
        raise InvalidInput("at most 255 characters", field=field)
    display = raw.strip()
    if kind == IdentityKind.PHONE:
        value = normalise_phone(raw, region, field)
        return NormalisedIdentity(kind, value, display, value[-9:])
    if kind == IdentityKind.EMAIL:
        value = normalise_email(raw, field)
        return NormalisedIdentity(kind, value, display, email_match_key(value))
    if kind == IdentityKind.WHATSAPP:
        # WhatsApp ids are the phone number in international form without '+'
        value = _digits(raw.lstrip("+"), "WhatsApp", field)
        return NormalisedIdentity(kind, value, display, value[-9:])
    if kind in (IdentityKind.MESSENGER, IdentityKind.INSTAGRAM, IdentityKind.TELEGRAM):
        value = _digits(raw, str(kind), field)
        return NormalisedIdentity(kind, value, display, "")
    if kind == IdentityKind.SOCIAL:
        platform, sep, handle = display.partition(":")
        handle = handle.strip().lstrip("@").lower()
        if not sep or not platform.strip() or not handle:
            raise InvalidInput(
                "a social handle is 'platform:handle', e.g. 'x:@jansen'", field=field
            )
        return NormalisedIdentity(kind, f"{platform.strip().lower()}:{handle}", display, "")
    if kind == IdentityKind.CUSTOMER_NUMBER:
        value = unicodedata.normalize("NFKC", display).upper().replace(" ", "")
        return NormalisedIdentity(kind, value, display, "")
    if kind == IdentityKind.POSTAL:
        value, postcode = normalise_postal(display, field)
        return NormalisedIdentity(kind, value, display, postcode)
    raise InvalidInput(f"unknown identity kind {kind!r}", field="kind")


def name_key(name: str) -> str:
    """Casefolded, accents stripped, whitespace collapsed: 'José  de Vries' → 'jose de vries'."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(stripped.casefold().split())
