"""A treasurer on a phone attaches scenarios to a proposal of the coming session; the
proposal's page shows them as plain tables that fit the phone. Pages axe-checked."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, check_a11y, visit
from tests.e2e.test_foundation import log_in

QUERY = (
    "/budget/scenarios?a-name=Lent&a-households_from=108&a-households_to=200"
    "&a-ramp_months=6&a-months=12&a-scale=0&a-share=30"
)


def test_treasurer_attaches_scenarios_to_a_proposal(page: Page) -> None:
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, QUERY)
    expect(page.get_by_role("heading", name="Joindre à une proposition")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Joindre à").first.click()
    expect(page.get_by_role("heading", name="Les scénarios d’élargissement joints")).to_be_visible()
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator(".frozen-scenarios table").first).to_be_visible()
