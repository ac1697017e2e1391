"""Encrypt ``ChannelAccount.secrets`` and ``previous_secrets`` at rest.

Three steps, each reversible: the JSON columns become plain text (PostgreSQL: ``jsonb::text``;
SQLite drops the JSON_VALID check), every row's JSON text is replaced by a Fernet token, and the
fields become ``EncryptedJSONField`` (no schema change: both are text). Going back decrypts the
tokens and restores the JSON columns (PostgreSQL: ``text::jsonb``). The tokens are made with the
keys configured when the migration runs (``connectors/secrets.py``).
"""

import json

from django.db import migrations, models

import symfonie.connectors.secrets

FIELDS = ("secrets", "previous_secrets")


def encrypt_rows(apps, schema_editor):
    from symfonie.connectors.secrets import encrypt

    ChannelAccount = apps.get_model("connectors", "ChannelAccount")
    rows = ChannelAccount.objects.using(schema_editor.connection.alias).values_list("pk", *FIELDS)
    for pk, *values in rows.iterator():
        ChannelAccount.objects.using(schema_editor.connection.alias).filter(pk=pk).update(
            **{
                name: encrypt(json.loads(text or "{}"))
                for name, text in zip(FIELDS, values, strict=True)
            }
        )


def decrypt_rows(apps, schema_editor):
    from symfonie.connectors.secrets import decrypt

    ChannelAccount = apps.get_model("connectors", "ChannelAccount")
    rows = ChannelAccount.objects.using(schema_editor.connection.alias).values_list("pk", *FIELDS)
    for pk, *values in rows.iterator():
        ChannelAccount.objects.using(schema_editor.connection.alias).filter(pk=pk).update(
            **{
                name: json.dumps(decrypt(token) if token else {})
                for name, token in zip(FIELDS, values, strict=True)
            }
        )


class Migration(migrations.Migration):
    dependencies = [
        ("connectors", "0003_more_kinds"),
    ]

    operations = [
        migrations.AlterField(
            model_name="channelaccount",
            name="secrets",
            field=models.TextField(blank=True, default="{}", verbose_name="secrets"),
        ),
        migrations.AlterField(
            model_name="channelaccount",
            name="previous_secrets",
            field=models.TextField(blank=True, default="{}", verbose_name="previous secrets"),
        ),
        migrations.RunPython(encrypt_rows, decrypt_rows, elidable=False),
        migrations.AlterField(
            model_name="channelaccount",
            name="secrets",
            field=symfonie.connectors.secrets.EncryptedJSONField(
                blank=True, default=dict, verbose_name="secrets"
            ),
        ),
        migrations.AlterField(
            model_name="channelaccount",
            name="previous_secrets",
            field=symfonie.connectors.secrets.EncryptedJSONField(
                blank=True, default=dict, verbose_name="previous secrets"
            ),
        ),
    ]
