"""A treasurer on a phone compares scale proposals in the simulator and reads a household."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD
from tests.e2e.conftest import check_a11y, visit
from tests.e2e.test_foundation import log_in


def test_treasurer_compares_proposals(page: Page) -> None:
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, "/budget/simulateur")
    for box in page.locator("input[name=bareme]").all()[:3]:
        box.check()
    page.get_by_label("Argent dans la caisse aujourd'hui, en euros").fill("370000")
    page.get_by_role("button", name="Comparer", exact=True).click()
    expect(page.get_by_role("table").first).to_contain_text("Barème 2026 (Lyon 8e)")
    expect(page.locator("svg.chart")).to_have_count(2)
    check_a11y(page)
    visit(page, "/budget/foyers")
    page.get_by_role("link", name="F-00001").click()
    expect(page.get_by_text("cotisation indicative").first).to_be_visible()
    check_a11y(page)


def test_treasurer_runs_the_month_on_a_phone(page: Page) -> None:
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, "/budget/comptes")
    visit(page, "/budget/comptes/mois?month=2026-11-01")
    page.get_by_role("button", name="Confirmer et créditer les porte-monnaie").click()
    expect(page.get_by_text("Le mois est versé")).to_be_visible()
    expect(page.locator("[role=status]").last).to_contain_text("les comptes sont équilibrés")
    check_a11y(page)
