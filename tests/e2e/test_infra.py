"""The end-to-end machinery itself: a real server process, a real browser, a real sign-in."""

from __future__ import annotations

import signal
import socket

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.server import ServerProcess, run_cli

PASSWORD = "correct horse battery"


def create_anna(data_dir) -> None:
    run_cli(data_dir, "createtenant", "woonstad", "--name", "Woonstad")
    run_cli(
        data_dir,
        "createuser",
        "anna@example.nl",
        "--role",
        "agent",
        "--tenant",
        "woonstad",
        "--password",
        PASSWORD,
    )


def sign_in(page: Page, server: ServerProcess, email: str, password: str) -> None:
    page.goto(f"{server.url}/login/")
    page.locator('main form input[name="username"]').fill(email)
    page.locator('main form input[name="password"]').fill(password)
    page.locator("main form button").click()
    page.wait_for_load_state()


def expect_home_of_anna(page: Page, server: ServerProcess) -> None:
    expect(page).to_have_url(f"{server.url}/")
    expect(page.locator("header .who")).to_contain_text("anna@example.nl · agent")
    expect(page.locator("header .tenant")).to_have_text("Woonstad")
    expect(page.locator('main input[name="q"]')).to_be_visible()


def test_an_agent_signs_in_through_the_real_form(server_data_dir, page):
    create_anna(server_data_dir)
    with ServerProcess(server_data_dir) as server:
        sign_in(page, server, "anna@example.nl", "not the password")
        expect(page).to_have_url(f"{server.url}/login/")
        expect(page.locator("main .flash.error")).to_be_visible()
        expect(page.locator("header .who")).to_have_count(0)

        sign_in(page, server, "anna@example.nl", PASSWORD)
        expect_home_of_anna(page, server)


def test_the_database_survives_a_killed_server(server_data_dir, browser):
    create_anna(server_data_dir)
    first = ServerProcess(server_data_dir).start()
    context = browser.new_context()
    try:
        page = context.new_page()
        sign_in(page, first, "anna@example.nl", PASSWORD)
        expect_home_of_anna(page, first)

        first.kill()
        assert first.process is not None and first.process.returncode == -signal.SIGKILL
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", first.port), timeout=5).close()

        with ServerProcess(server_data_dir) as second:
            assert second.port != first.port
            # The session the killed server wrote is still there (cookies ignore the port)...
            page.goto(f"{second.url}/")
            expect_home_of_anna(page, second)
            # ...and a fresh sign-in works against the same database.
            fresh = browser.new_context()
            try:
                fresh_page = fresh.new_page()
                sign_in(fresh_page, second, "anna@example.nl", PASSWORD)
                expect_home_of_anna(fresh_page, second)
            finally:
                fresh.close()
    finally:
        context.close()
        first.stop()


def test_an_anonymous_visitor_is_sent_to_the_sign_in_page(live_server_process, page):
    page.goto(f"{live_server_process.url}/")
    expect(page).to_have_url(f"{live_server_process.url}/login/?next=/")
    expect(page.locator('main form input[name="username"]')).to_be_visible()
