"""Provider credentials encrypted at rest: ``EncryptedJSONField`` and its keys.

The column holds a Fernet token (AES-128-CBC + HMAC-SHA256, cryptography.io/en/latest/fernet/)
of the JSON text, so a database dump or backup shows no bot token or app secret. The keys come
from ``settings.SECRETS_KEYS`` (``SYMFONIE_SECRETS_KEY``: one Fernet key, or several
comma-separated, newest first). The first key encrypts; every key decrypts (MultiFernet), so a
new key is rolled out by putting it in front, re-encrypting with ``reencrypt_all`` and dropping
the old key afterwards, without downtime. Keys derived from Django's ``SECRET_KEY`` (and its
``SECRET_KEY_FALLBACKS``) by HKDF-SHA256 always decrypt too, and encrypt when no key is
configured: an installation works out of the box and can move to a dedicated key later.

A token that no key opens raises ``SecretsKeyError`` when the row is loaded: never a silent
empty dict that would make every webhook signature fail for no visible reason.
"""

from __future__ import annotations

import base64
import functools
import json
import os
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django import forms
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models, transaction
from django.dispatch import receiver

ENVIRONMENT_VARIABLE = "SYMFONIE_SECRETS_KEY"
# the HKDF "info": a key derived for this purpose is useless for any other use of SECRET_KEY
DERIVATION_INFO = b"symfonie.connectors.secrets/v1"
KEY_SETTINGS = frozenset({"SECRETS_KEYS", "SECRET_KEY", "SECRET_KEY_FALLBACKS"})


class SecretsKeyError(ImproperlyConfigured):
    """The stored secrets cannot be decrypted with any configured key."""


def configured_keys() -> list[str]:
    """The Fernet keys of ``settings.SECRETS_KEYS`` (a list, or a comma-separated string),
    newest first; read from the environment while settings.py does not define it."""
    keys = getattr(settings, "SECRETS_KEYS", None)
    if keys is None:
        keys = os.environ.get(ENVIRONMENT_VARIABLE, "")
    if isinstance(keys, str):
        keys = keys.split(",")
    return [key.strip() for key in keys if key and key.strip()]


def derived_key(secret: str) -> bytes:
    """A Fernet key from Django's ``SECRET_KEY``: HKDF-SHA256 (RFC 5869), 32 bytes."""
    material = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=DERIVATION_INFO)
    return base64.urlsafe_b64encode(material.derive(secret.encode()))


@functools.cache
def fernet() -> MultiFernet:
    """The keys in use: configured keys first (the first one encrypts), then the keys derived
    from ``SECRET_KEY`` and its fallbacks. Cached; reset when a test changes the settings."""
    keys: list[Fernet] = []
    for n, key in enumerate(configured_keys(), start=1):
        try:
            keys.append(Fernet(key))
        except (ValueError, TypeError):
            # never the key itself in the message
            raise ImproperlyConfigured(
                f"{ENVIRONMENT_VARIABLE}: key {n} is not a Fernet key (32 url-safe base64 "
                'bytes; make one with `python -c "from cryptography.fernet import Fernet; '
                'print(Fernet.generate_key().decode())"`)'
            ) from None
    fallbacks = list(getattr(settings, "SECRET_KEY_FALLBACKS", []) or [])
    for secret in [settings.SECRET_KEY, *fallbacks]:
        if secret:
            keys.append(Fernet(derived_key(str(secret))))
    return MultiFernet(keys)


@receiver(setting_changed)
def _keys_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in KEY_SETTINGS:
        fernet.cache_clear()


def encrypt(value: Any) -> str:
    """A Fernet token of the JSON of ``value``, with the newest key."""
    return fernet().encrypt(json.dumps(value, sort_keys=True).encode()).decode("ascii")


def decrypt(token: str) -> Any:
    try:
        plain = fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        raise SecretsKeyError(
            "stored channel secrets cannot be decrypted with the configured keys: "
            f"{ENVIRONMENT_VARIABLE} or SECRET_KEY changed without keeping the old key "
            f"({ENVIRONMENT_VARIABLE}=new,old, or SECRET_KEY_FALLBACKS) until `reencrypt_all` "
            "has run"
        ) from None
    return json.loads(plain)


class EncryptedJSONField(models.TextField):
    """A JSON value (a dict of secrets) stored as a Fernet token in a text column.

    Reads give the dict back; each save writes a fresh token with the newest key (Fernet tokens
    are randomised, so equality lookups on the column are meaningless). Serialised (dumpdata)
    as the token, so fixtures and dumps carry no plaintext; ``to_python`` accepts both.
    """

    description = "JSON, encrypted at rest"

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> Any:
        return None if value is None else decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        return None if value is None else encrypt(value)

    def to_python(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        try:
            return json.loads(value)  # a form's JSON text
        except ValueError:
            return decrypt(value)  # a serialised token

    def value_to_string(self, obj: models.Model) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else encrypt(value)

    def formfield(self, **kwargs: Any) -> Any:
        return super().formfield(**{"form_class": forms.JSONField, **kwargs})


def reencrypt_all() -> int:
    """Rewrite every channel account's secrets with the newest key (after a key was put in
    front of ``SYMFONIE_SECRETS_KEY``); the number of accounts. Each row under its own lock, so
    a concurrent ``rotate_secret`` is neither lost nor overwritten."""
    from symfonie.connectors.models import ChannelAccount

    fields = [f.name for f in ChannelAccount._meta.fields if isinstance(f, EncryptedJSONField)]
    done = 0
    for pk in ChannelAccount.objects.order_by("pk").values_list("pk", flat=True):
        with transaction.atomic():
            account = ChannelAccount.objects.select_for_update().filter(pk=pk).first()
            if account is not None:
                account.save(update_fields=fields)
                done += 1
    return done
