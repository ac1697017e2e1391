"""The issue's browser test: a customer's chat reaches an agent's offer in another browser;
the agent accepts, they exchange messages both ways, the agent wraps up with a topic, and the
supervisor's wallboard counts the handled chat live (no reload)."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.e2e.routing_setup import PASSWORD, set_up_routing
from tests.e2e.server import ServerProcess

WAIT_MS = 15_000


def signed_in(browser: Browser, server: ServerProcess, email: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{server.url}/login/")
    page.locator('main form input[name="username"]').fill(email)
    page.locator('main form input[name="password"]').fill(PASSWORD)
    page.locator("main form button").click()
    page.wait_for_load_state()
    return page


def test_a_chat_from_the_website_is_routed_handled_and_counted(server_data_dir, browser):
    set_up_routing(server_data_dir)
    with ServerProcess(server_data_dir) as server:
        agent = signed_in(browser, server, "anna@example.nl")
        agent.goto(f"{server.url}/werkplek/")
        expect(agent.locator("#live-status")).to_have_attribute("data-live", "up", timeout=WAIT_MS)
        agent.locator('#presence-form button[data-presence="available"]').click()
        expect(agent.locator("#presence-current")).to_have_attribute(
            "data-presence", "available", timeout=WAIT_MS
        )

        supervisor = signed_in(browser, server, "bram@example.nl")
        supervisor.goto(f"{server.url}/wallboard/")
        row = supervisor.locator('table#queues tr[data-queue="woning-chat"]')
        expect(row.locator(".handled")).to_have_text("0")
        expect(supervisor.locator("#wb-status")).to_have_attribute(
            "data-state", "live", timeout=WAIT_MS
        )

        customer = browser.new_context().new_page()
        customer.goto(f"{server.url}/chat/woonstad/")
        form = customer.locator("form#chat-start")
        form.locator('input[name="name"]').fill("Geertje Jansen")
        form.locator('input[name="email"]').fill("geertje@example.nl")
        form.locator('textarea[name="question"]').fill("Kan ik een betalingsregeling krijgen?")
        form.locator('button[type="submit"]').click()
        expect(customer.locator("#chat-status")).to_be_visible()

        offer = agent.locator("#offer")
        expect(offer).to_be_visible(timeout=WAIT_MS)
        offer.locator("[data-action=accept]").click()
        tab = agent.locator("#tabs .tab[data-contact-id]")
        expect(tab).to_have_count(1, timeout=WAIT_MS)
        conversation = agent.locator(".conversation:visible")
        expect(conversation.locator('.messages .message[data-author="customer"]')).to_contain_text(
            "betalingsregeling", timeout=WAIT_MS
        )

        conversation.locator('textarea[name="reply"]').fill("Zeker, ik regel het voor u.")
        conversation.locator("[data-action=send]").click()
        expect(customer.locator('#messages .message[data-author="agent"]')).to_contain_text(
            "ik regel het", timeout=WAIT_MS
        )
        customer.locator("textarea#chat-input").fill("Dank u wel!")
        customer.locator("button#chat-send").click()
        expect(
            conversation.locator('.messages .message[data-author="customer"]').last
        ).to_contain_text("Dank u wel", timeout=WAIT_MS)

        conversation.locator("[data-action=end]").click()
        wrap_up = conversation.locator("form.wrap-up")
        expect(wrap_up).to_be_visible(timeout=WAIT_MS)
        wrap_up.locator('select[name="topics"]').select_option("betalingsregeling")
        wrap_up.locator('select[name="outcome"]').select_option("resolved")
        wrap_up.locator("[data-action=finish-wrap-up]").click()
        expect(agent.locator("#tabs .tab[data-contact-id]")).to_have_count(0, timeout=WAIT_MS)

        # the wallboard, open all along, counts it without a reload
        expect(row.locator(".handled")).to_have_text("1", timeout=WAIT_MS)
