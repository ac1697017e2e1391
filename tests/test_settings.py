"""Settings refuse unsafe production configurations; the docs name every setting and command."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from symfonie.cli import build_parser

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "src" / "symfonie" / "settings.py"


def import_settings(tmp_path: Path, code: str = "", **variables: str):
    """Import ``symfonie.settings`` in a fresh interpreter with only the given SYMFONIE_* set."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYMFONIE_")}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    env |= {"SYMFONIE_DATA_DIR": str(tmp_path / "data"), **variables}
    return subprocess.run(
        [sys.executable, "-c", f"import symfonie.settings as s\n{code}"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = import_settings(tmp_path, SYMFONIE_ENV="production")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SYMFONIE_SECRET_KEY" in result.stderr
    assert not (tmp_path / "data" / "secret_key").exists(), "no key is generated in production"


@pytest.mark.parametrize("debug", ["1", "true", "on"])
def test_production_refuses_debug(tmp_path, debug):
    result = import_settings(
        tmp_path, SYMFONIE_ENV="production", SYMFONIE_SECRET_KEY="k" * 50, SYMFONIE_DEBUG=debug
    )
    assert result.returncode != 0
    assert "SYMFONIE_DEBUG must be off" in result.stderr


def test_production_starts_with_a_key_and_debug_off(tmp_path):
    result = import_settings(
        tmp_path,
        "print(s.DEBUG, s.SECRET_KEY == 'k' * 50, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE)",
        SYMFONIE_ENV="production",
        SYMFONIE_SECRET_KEY="k" * 50,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True", "True", "True"]


def test_development_generates_one_secret_key_and_keeps_it(tmp_path):
    code = "print(s.DEBUG, s.SECRET_KEY)"
    first, second = import_settings(tmp_path, code), import_settings(tmp_path, code)
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    debug, key = first.stdout.split()
    assert debug == "True"
    key_file = tmp_path / "data" / "secret_key"
    assert key_file.read_text().strip() == key
    assert key_file.stat().st_mode & 0o777 == 0o600


def environment_variables() -> set[str]:
    source = SETTINGS.read_text()
    patterns = (
        r"\benv(?:_bool)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
        r"os\.environ(?:\.get)?[(\[]\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
        r"os\.getenv\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']",
    )
    return {name for pattern in patterns for name in re.findall(pattern, source)}


def test_every_environment_variable_is_documented():
    names = environment_variables()
    # the scan itself works: these are certainly read
    assert {"SYMFONIE_SECRET_KEY", "SYMFONIE_DEBUG", "DATABASE_URL", "REDIS_URL"} <= names
    documented = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(n for n in names if not re.search(rf"`{n}`", documented))
    assert not missing, f"not in docs/configuration.md: {missing}"


def commands(parser: argparse.ArgumentParser, prefix: str = "") -> list[str]:
    """Every leaf command, nested ones as ``"wfm staff"``."""
    found = []
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                found.extend(commands(subparser, f"{prefix}{name} ") or [prefix + name])
    return found


def test_every_command_is_documented():
    names = commands(build_parser())
    assert {"serve", "migrate", "createuser", "token"} <= set(names)
    docs = [ROOT / "README.md", ROOT / "docs" / "cli.md"]
    text = "\n".join(path.read_text() for path in docs if path.exists())
    # written as code: `symfonie serve …` or `serve`
    missing = [n for n in names if not re.search(rf"`(?:symfonie )?{re.escape(n)}(?:[ `])", text)]
    assert not missing, f"not in README.md or docs/cli.md: {missing}"
