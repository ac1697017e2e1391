"""The ``symfonie`` command line: in process through ``symfonie.cli.main``, and once as a program."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from symfonie.cli import main
from symfonie.contacts.models import Contact, Customer
from symfonie.demo.loader import load_demo
from symfonie.events.models import Event
from symfonie.tenants.models import Membership, Tenant, User

SYMFONIE = Path(sys.executable).with_name("symfonie")


def test_createuser_names_an_unknown_tenant(tenant, capsys):
    assert main(["createuser", "x@y.nl", "--role", "agent", "--tenant", "nope"]) == 2
    err = capsys.readouterr().err
    assert "'nope'" in err
    assert "woonstad" in err  # the known tenants, to pick from
    assert "Traceback" not in err
    assert not User.objects.filter(email="x@y.nl").exists()


def test_createuser_refuses_an_invalid_email_address(tenant, capsys):
    assert main(["createuser", "not-an-address", "--role", "agent", "--tenant", "woonstad"]) == 2
    assert "not a valid e-mail address" in capsys.readouterr().err
    assert not User.objects.filter(email="not-an-address").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["createuser", "x@y.nl", "--tenant", "woonstad"],  # --role is required
        ["createuser", "x@y.nl", "--role", "king", "--tenant", "woonstad"],
        [],
    ],
)
def test_usage_errors_exit_with_code_2(argv, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    assert "usage: symfonie" in capsys.readouterr().err


def test_createuser_creates_the_user_with_a_role_in_the_tenant(tenant, capsys):
    assert main(["createuser", " Piet@Example.NL ", "--role", "agent", "--tenant", "woonstad"]) == 0
    out = capsys.readouterr().out
    assert "created piet@example.nl: agent at woonstad" in out
    password = out.split("password: ", 1)[1].strip()
    user = User.objects.get(email="piet@example.nl")
    assert user.check_password(password)
    assert not user.is_staff
    assert list(Membership.objects.filter(user=user).values_list("tenant__slug", "role")) == [
        ("woonstad", "agent")
    ]

    # again, with another role: the membership changes, no new password is printed
    argv = ["createuser", "piet@example.nl", "--role", "supervisor", "--tenant", "woonstad"]
    assert main([*argv, "--superuser"]) == 0
    out = capsys.readouterr().out
    assert "updated piet@example.nl: supervisor at woonstad" in out
    assert "password" not in out
    user.refresh_from_db()
    assert user.check_password(password)
    assert user.is_staff and user.is_superuser
    assert Membership.objects.get(user=user).role == "supervisor"


def test_token_authenticates_the_api(tenant, capsys):
    argv = ["createuser", "piet@example.nl", "--role", "agent", "--tenant", "woonstad"]
    assert main([*argv, "--password", "correct horse battery"]) == 0
    capsys.readouterr()

    assert main(["token", "piet@example.nl", "--tenant", "woonstad"]) == 0
    raw = capsys.readouterr().out.strip()
    assert raw and "\n" not in raw

    response = Client().get("/api/v1/customers", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 200, response.content
    wrong = Client().get("/api/v1/customers", headers={"Authorization": f"Bearer {raw}x"})
    assert wrong.status_code == 401


def test_token_refuses_a_user_without_a_role_in_the_tenant(tenant, other_tenant, capsys):
    main(["createuser", "piet@example.nl", "--role", "agent", "--tenant", "woonstad"])
    capsys.readouterr()
    assert main(["token", "piet@example.nl", "--tenant", "ovregio"]) == 2
    assert "'ovregio'" in capsys.readouterr().err


def test_demo_loads_once(db, capsys, monkeypatch, tmp_path):
    def counts():
        models = (Tenant, User, Customer, Contact, Event)
        return {model.__name__: model.objects.count() for model in models}

    first = load_demo(scale=0.02)
    assert first.created
    loaded = counts()
    assert all(n > 0 for n in loaded.values()), loaded

    assert load_demo(scale=0.02).created is False
    assert counts() == loaded

    # the command says so and changes nothing either (without the bank file beside it, it also
    # leaves out the Anonymous Bank tenant: tests/reporting imports that file themselves)
    monkeypatch.setenv("SYMFONIE_SHARED_DATA", str(tmp_path))
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "already loaded" in out
    assert "Anonymous Bank demo tenant is left out" in out
    assert "symfonie-demo" in out
    assert counts() == loaded


@pytest.mark.slow
def test_the_installed_program_exits_2_without_a_traceback(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("SYMFONIE_")}
    env |= {
        "SYMFONIE_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "symfonie.settings",
    }

    def symfonie(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SYMFONIE), *argv], env=env, cwd=tmp_path, capture_output=True, text=True
        )

    migrated = symfonie("migrate")
    assert migrated.returncode == 0, migrated.stderr

    result = symfonie("createuser", "x@y.nl", "--role", "agent", "--tenant", "nope")
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "symfonie createuser: no tenant with slug 'nope'" in result.stderr

    usage = symfonie("createuser", "x@y.nl", "--tenant", "nope")
    assert usage.returncode == 2
    assert "--role" in usage.stderr
    assert "Traceback" not in usage.stderr


@pytest.mark.slow
def test_a_configuration_error_is_a_message_not_a_traceback(tmp_path):
    env = {**os.environ, "SYMFONIE_ENV": "production", "SYMFONIE_DATA_DIR": str(tmp_path)}
    env.pop("SYMFONIE_SECRET_KEY", None)
    result = subprocess.run(
        [str(SYMFONIE), "migrate"], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "SYMFONIE_SECRET_KEY" in result.stderr and "Traceback" not in result.stderr
