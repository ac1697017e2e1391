"""End-to-end fixtures: a real ``symfonie serve`` process and a real headless chromium.

The server process owns its database (SQLite in its data directory), so these tests never use
pytest-django's ``db`` fixture: set up data with ``run_cli`` before ``start()``, or through the
browser. Every test under ``tests/e2e`` is marked ``slow``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from tests.e2e.server import ServerProcess, run_cli

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

CHROMIUM = Path("/usr/bin/chromium")  # Debian's package; `playwright install` is never used
SQLITE_NAME = "symfonie.sqlite3"  # where settings.py puts it in SYMFONIE_DATA_DIR
E2E_DIR = Path(__file__).resolve().parent


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if E2E_DIR in item.path.resolve().parents:
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def _allow_sync_django_beside_playwright(monkeypatch: pytest.MonkeyPatch) -> None:
    # Playwright's sync API drives an event loop in this thread, and Django refuses ORM calls
    # while one runs (SynchronousOnlyOperation). The e2e tests do not use the ORM; this only
    # keeps a stray call (a settings fixture, a signal) from failing for the wrong reason. Set
    # per test, so the other tests of the same xdist worker keep Django's check.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def _migrated_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One ``symfonie migrate`` per test process (it takes seconds); tests get copies."""
    data_dir = tmp_path_factory.mktemp("migrated")
    run_cli(data_dir, "migrate")
    return data_dir / SQLITE_NAME


@pytest.fixture
def server_data_dir(tmp_path: Path, _migrated_database: Path) -> Path:
    """A fresh data directory with a migrated SQLite database of its own."""
    data_dir = tmp_path / "server"
    data_dir.mkdir()
    # SQLite's backup API, not a file copy: it is consistent whatever sits in the -wal file.
    with (
        closing(sqlite3.connect(_migrated_database)) as source,
        closing(sqlite3.connect(data_dir / SQLITE_NAME)) as target,
    ):
        source.backup(target)
    return data_dir


@pytest.fixture
def live_server_process(server_data_dir: Path) -> Iterator[ServerProcess]:
    """A started ``symfonie serve`` on ``server_data_dir``; stopped after the test."""
    server = ServerProcess(server_data_dir)
    try:
        yield server.start()
    finally:
        server.stop()


# Module scope, not session: while Playwright's sync API lives, this thread has a *running*
# asyncio loop, so any later test in the same process that calls asyncio.run(), async_to_sync()
# or the ORM would fail. pytest tears a module fixture down before the next module's tests, so
# the loop never outlives the e2e module, whatever order pytest-django or xdist choose.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the end-to-end tests need Debian's chromium"
            " (`apt-get install -y chromium`; .ci/run installs it). Failing, not skipping.",
            pytrace=False,
        )
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()
    finally:
        playwright.stop()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context: no cookies from another test."""
    context = browser.new_context()
    try:
        yield context.new_page()
    finally:
        context.close()
