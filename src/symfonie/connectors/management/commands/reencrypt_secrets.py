"""Rewrite every channel account's secrets with the newest ``SYMFONIE_SECRETS_KEY`` key."""

from django.core.management.base import BaseCommand

from symfonie.connectors.secrets import reencrypt_all


class Command(BaseCommand):
    help = "Rewrite every channel account's secrets with the newest SYMFONIE_SECRETS_KEY key."

    def handle(self, *args: object, **options: object) -> None:
        self.stdout.write(f"{reencrypt_all()} channel accounts re-encrypted")
