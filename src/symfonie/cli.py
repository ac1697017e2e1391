"""The ``symfonie`` command line.

Built-in subcommands run Django management commands; later capabilities add their own by
appending a module to ``COMMAND_MODULES``: each such module has ``register(subparsers)`` that adds
its parser and sets ``func(args) -> int`` as the parser default. Bad input exits with code 2 and a
message on stderr (argparse does the same for usage errors), never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from django.core.exceptions import ImproperlyConfigured

COMMAND_MODULES: list[str] = [
    "symfonie.tenants.cli",
    "symfonie.wfm.cli",
    "symfonie.reporting.cli",
    "symfonie.connectors.demo_cli",
]


class CommandError(Exception):
    """Bad input on the command line: printed without a traceback, exit code 2."""


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symfonie.settings")
    import django

    django.setup()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="symfonie", description="Symfonie contact-center platform"
    )
    subparsers = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (CommandError, ImproperlyConfigured) as exc:
        print(f"symfonie {args.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
