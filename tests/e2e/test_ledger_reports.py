"""A treasurer on a phone reads the reports, downloads one, sets the committee's target,
reverses an operation, closes a month and reimburses a shop; anyone reads /chiffres, also
without JavaScript. Every page is axe-checked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, expect

from governance.demo import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, check_a11y, visit
from tests.e2e.test_foundation import log_in


def _fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def test_treasurer_reads_the_reports_on_a_phone(page: Page) -> None:
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, "/budget/comptes")
    page.get_by_role("link", name="Cotisations dues et payées").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Cotisations dues et payées")
    page.get_by_role("link", name="octobre 2026").click()
    expect(page.get_by_role("heading", name="Les foyers en octobre 2026")).to_be_visible()
    expect(page.get_by_role("rowheader", name="F-00001")).to_be_visible()
    check_a11y(page)
    _fits_the_phone(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger ce rapport (CSV)").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("month,due_eur,paid_eur") and len(lines) > 1

    page.get_by_role("link", name="Part des cotisations").first.click()
    page.get_by_label("À partir du mois").fill("2026-09")
    page.get_by_label("Part des allocations couverte par les cotisations, en %").fill("150")
    page.get_by_role("button", name="Enregistrer l’objectif").click()
    expect(page.get_by_role("alert")).to_be_visible()  # the error summary, input kept
    expect(page.get_by_label("À partir du mois")).to_have_value("2026-09")
    check_a11y(page)
    page.get_by_label("Part des allocations couverte par les cotisations, en %").fill("35")
    page.get_by_role("button", name="Enregistrer l’objectif").click()
    expect(page.get_by_text("L'objectif est enregistré.")).to_be_visible()
    expect(page.get_by_role("row", name="septembre 2026")).to_contain_text("35,0\u00a0%")
    check_a11y(page)
    _fits_the_phone(page)

    page.get_by_role("link", name="Achats").first.click()
    expect(page.get_by_role("rowheader", name="Biocoop Mermoz")).to_be_visible()
    expect(page.get_by_text("Les deux plus grands points de vente")).to_be_visible()
    check_a11y(page)
    _fits_the_phone(page)
    page.get_by_role("link", name="Mois d'avance").first.click()
    expect(page.get_by_text("L’argent disponible aujourd’hui est reporté")).to_be_visible()
    check_a11y(page)
    _fits_the_phone(page)


def test_treasurer_reverses_closes_and_reimburses(page: Page) -> None:
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, "/budget/comptes")
    grant = page.locator("form[action$='/subvention']")
    grant.get_by_label("Financeur").fill("Fondation à annuler")
    grant.get_by_label("Montant en euros").fill("12")
    grant.get_by_label("Date").fill("2026-11-02")
    grant.get_by_role("button", name="Enregistrer").click()
    page.get_by_role("link", name="Opérations et annulations").click()
    check_a11y(page)
    page.get_by_role("listitem").filter(has_text="Fondation à annuler").get_by_role("link").click()
    page.get_by_role("button", name="Annuler toute l’opération").click()
    expect(page.get_by_role("alert")).to_be_visible()  # a reason is needed
    check_a11y(page)
    page.get_by_label("Pourquoi cette opération est-elle annulée ?").fill("Saisie en double")
    page.get_by_role("button", name="Annuler toute l’opération").click()
    expect(page.get_by_text("L'opération est annulée.")).to_be_visible()
    expect(page.get_by_text("Saisie en double")).to_be_visible()
    check_a11y(page)

    visit(page, "/budget/comptes/cloture")
    page.get_by_label("Mois à clôturer").fill("2025-01")
    page.get_by_role("button", name="Clôturer ce mois").click()
    expect(page.get_by_text("Le mois est clôturé.")).to_be_visible()
    check_a11y(page)

    visit(page, "/budget/comptes/remboursement")
    page.get_by_label("Point de vente").select_option(label="Biocoop Monplaisir")
    page.get_by_label("Montant en euros").fill("10")
    page.get_by_role("button", name="Enregistrer le remboursement").click()
    expect(page.get_by_text("Le remboursement est enregistré.")).to_be_visible()
    check_a11y(page)
    _fits_the_phone(page)


def test_anyone_reads_the_figures_on_a_phone(
    page: Page, browser: Browser, live_server: str
) -> None:
    visit(page, "/chiffres")
    expect(page.get_by_role("heading", level=1)).to_have_text("Les chiffres de la caisse")
    expect(page.locator("svg.chart")).to_have_count(4)
    expect(page.get_by_role("table")).to_have_count(4)
    _fits_the_phone(page)
    without_js: Any = browser.new_context(
        viewport=PHONE, java_script_enabled=False, locale="fr-FR", base_url=live_server
    )
    try:
        plain = without_js.new_page()
        response = plain.goto("/chiffres")
        assert response is not None and response.status == 200
        expect(plain.locator("svg.chart")).to_have_count(4)
        expect(plain.get_by_text("Cotisations reçues").first).to_be_visible()
        again = plain.goto("/chiffres")  # the browser revalidates: 304, same page
        assert again is not None and again.status in (200, 304)
    finally:
        without_js.close()
