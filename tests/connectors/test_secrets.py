"""Channel secrets encrypted at rest: nothing readable in the column, plain dicts in code,
key rotation (MultiFernet) and secret rotation without downtime, a clear error for a wrong key,
and the migration that encrypts existing rows (and decrypts them again going back)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core import serializers
from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.forms import modelform_factory
from django.utils import timezone

from symfonie.connectors.models import ChannelAccount, InboundEvent
from symfonie.connectors.secrets import SecretsKeyError, reencrypt_all
from tests.connectors.conftest import APP_SECRET, TOKEN, fixture

SECRETS = {"app_secret": APP_SECRET, "verify_token": "verify-me", "access_token": TOKEN}


def raw_columns(account: ChannelAccount) -> tuple[str, str]:
    table = connection.ops.quote_name(ChannelAccount._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT CAST(secrets AS TEXT), CAST(previous_secrets AS TEXT) FROM {table} WHERE id = %s",
            [account.pk],
        )
        return cursor.fetchone()


def new_account(tenant, **secrets: str) -> ChannelAccount:
    return ChannelAccount.objects.create(
        tenant=tenant,
        kind="whatsapp",
        name="Woonstad WhatsApp",
        provider_account_id="106540352242922",
        secrets=secrets or SECRETS,
    )


def test_the_column_holds_no_secret_text(tenant):
    account = new_account(tenant)
    account.rotate_secret("app_secret", "app-secret-2", grace=timedelta(hours=1))
    stored = raw_columns(account)
    for column in stored:
        assert column.startswith("gAAAAA")  # a Fernet token (version byte 0x80)
        for secret in (APP_SECRET, "app-secret-2", "verify-me", TOKEN, "app_secret"):
            assert secret not in column
    # tokens are randomised: saving the same secrets again writes a different token
    account.save()
    assert raw_columns(account)[0] != stored[0]


def test_secrets_read_back_as_the_dict_written(tenant):
    values = {"bot_token": "123456:ABC-DEF", "nested": {"n": 1, "list": ["ä", "😀"]}}
    account = new_account(tenant, **values)
    loaded = ChannelAccount.objects.get(pk=account.pk)
    assert loaded.secrets == values
    assert loaded.previous_secrets == {}
    assert loaded.secrets["bot_token"] == "123456:ABC-DEF"
    # a dump carries the token, never the plaintext, and loads back
    dumped = serializers.serialize("json", [loaded])
    assert "ABC-DEF" not in dumped
    (restored,) = serializers.deserialize("json", dumped)
    assert restored.object.secrets == values
    # a model form takes and gives JSON
    form_class = modelform_factory(ChannelAccount, fields=["secrets"])
    form = form_class({"secrets": '{"bot_token": "2:XYZ"}'}, instance=loaded)
    assert form.is_valid(), form.errors
    form.save()
    assert ChannelAccount.objects.get(pk=account.pk).secrets == {"bot_token": "2:XYZ"}


def test_rotated_secret_is_accepted_during_the_grace_period_after_a_reload(tenant):
    new_account(tenant).rotate_secret("app_secret", "app-secret-2", grace=timedelta(hours=1))
    loaded = ChannelAccount.objects.get()
    assert loaded.accepted_secrets("app_secret") == ["app-secret-2", APP_SECRET]
    later = timezone.now() + timedelta(hours=2)
    assert loaded.accepted_secrets("app_secret", now=later) == ["app-secret-2"]
    assert loaded.secrets["access_token"] == TOKEN


def test_a_wrong_key_is_a_clear_error(tenant, settings):
    settings.SECRETS_KEYS = [Fernet.generate_key().decode()]
    account = new_account(tenant)
    settings.SECRETS_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(SecretsKeyError, match="cannot be decrypted with the configured keys"):
        ChannelAccount.objects.get(pk=account.pk)
    assert issubclass(SecretsKeyError, ImproperlyConfigured)


def test_changing_secret_key_needs_the_old_one_as_a_fallback(tenant, settings):
    old = settings.SECRET_KEY
    account = new_account(tenant)  # no SECRETS_KEYS: a key derived from SECRET_KEY
    settings.SECRET_KEY = "a-new-django-secret-key-" + "x" * 40
    with pytest.raises(SecretsKeyError):
        ChannelAccount.objects.get(pk=account.pk)
    settings.SECRET_KEY_FALLBACKS = [old]
    assert ChannelAccount.objects.get(pk=account.pk).secrets == SECRETS


def test_a_malformed_key_is_refused_without_showing_it(tenant, settings):
    settings.SECRETS_KEYS = ["not-a-fernet-key-but-a-secret-phrase"]
    with pytest.raises(ImproperlyConfigured, match="SYMFONIE_SECRETS_KEY: key 1") as refused:
        new_account(tenant)
    assert "secret-phrase" not in str(refused.value)


def test_key_rotation_old_key_decrypts_new_writes_use_the_new_key(tenant, settings):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    settings.SECRETS_KEYS = f"{old.decode()}"  # the environment's comma-separated form
    first, second = new_account(tenant), new_account(tenant)

    settings.SECRETS_KEYS = f"{new.decode()}, {old.decode()}"
    assert ChannelAccount.objects.get(pk=first.pk).secrets == SECRETS  # the old key still opens
    first.rotate_secret("app_secret", "app-secret-2", grace=timedelta(hours=1))
    for token in raw_columns(first):
        assert json.loads(Fernet(new).decrypt(token.encode()))  # written with the new key
        with pytest.raises(InvalidToken):
            Fernet(old).decrypt(token.encode())
    with pytest.raises(InvalidToken):
        Fernet(new).decrypt(raw_columns(second)[0].encode())  # not rewritten yet

    assert reencrypt_all() == 2
    settings.SECRETS_KEYS = [new.decode()]  # the old key retired
    assert ChannelAccount.objects.get(pk=second.pk).secrets == SECRETS
    assert ChannelAccount.objects.get(pk=first.pk).accepted_secrets("app_secret") == [
        "app-secret-2",
        APP_SECRET,
    ]


def test_webhooks_keep_working_through_a_key_and_a_secret_rotation(hooks, account, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.SECRETS_KEYS = [old]
    reencrypt_all()  # the account fixture was written with the derived key
    assert hooks.post(fixture("text", id="wamid.1")).status_code == 200
    settings.SECRETS_KEYS = [new, old]
    assert hooks.post(fixture("text", id="wamid.2")).status_code == 200
    account.rotate_secret("app_secret", "app-secret-2", grace=timedelta(hours=1))
    reencrypt_all()
    settings.SECRETS_KEYS = [new]
    assert hooks.post(fixture("text", id="wamid.3"), secret=APP_SECRET).status_code == 200
    assert hooks.post(fixture("text", id="wamid.4"), secret="app-secret-2").status_code == 200
    assert hooks.post(fixture("text", id="wamid.5"), secret="wrong").status_code == 401
    assert InboundEvent.objects.count() == 4


@pytest.mark.django_db(transaction=True)
def test_the_migration_encrypts_existing_rows_and_back(tenant):
    before, after = [("connectors", "0003_more_kinds")], [("connectors", "0004_encrypt_secrets")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        old_apps = executor.loader.project_state(before).apps
        OldAccount = old_apps.get_model("connectors", "ChannelAccount")
        row = OldAccount.objects.create(
            tenant_id=tenant.pk,
            kind="telegram",
            name="Bot",
            provider_account_id="1",
            secrets={"bot_token": "123456:PLAIN", "secret_token": "s"},
            previous_secrets={"secret_token": "old"},
        )
        assert "123456:PLAIN" in raw_columns(row)[0]

        executor = MigrationExecutor(connection)
        executor.migrate(after)
        stored = raw_columns(row)
        assert "PLAIN" not in stored[0] and "old" not in stored[1]
        account = ChannelAccount.objects.get(pk=row.pk)
        assert account.secrets == {"bot_token": "123456:PLAIN", "secret_token": "s"}
        assert account.previous_secrets == {"secret_token": "old"}

        executor = MigrationExecutor(connection)
        executor.migrate(before)
        plain = raw_columns(row)
        assert json.loads(plain[0]) == {"bot_token": "123456:PLAIN", "secret_token": "s"}
        assert json.loads(plain[1]) == {"secret_token": "old"}
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
