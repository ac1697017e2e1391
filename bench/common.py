"""Shared set-up of the benchmarks: a fresh database per run, and percentiles."""

from __future__ import annotations

import os
import tempfile


def percentile(samples: list[float], q: float) -> float:
    """The q-quantile (0–1) by nearest rank."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def fresh_database(database: str) -> str:
    """Point Django at a new empty database ("sqlite" = a temporary file, else a PostgreSQL URL
    whose database is dropped and created), migrate it, and return the engine's name."""
    data_dir = tempfile.mkdtemp(prefix="symfonie-bench-")
    os.environ["SYMFONIE_DATA_DIR"] = data_dir
    if database == "sqlite":
        os.environ["DATABASE_URL"] = f"sqlite:///{data_dir}/bench.sqlite3"
    else:
        import psycopg

        admin_url = database.rsplit("/", 1)[0] + "/postgres"
        name = database.rsplit("/", 1)[1]
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = database
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "symfonie.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    return "sqlite" if database == "sqlite" else "postgresql"
