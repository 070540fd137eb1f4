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
    status = page.locator("#job-status")  # the job's page: done, with its figures
    expect(status).to_contain_text("Terminé")
    expect(status).to_contain_text("foyers crédités")
    check_a11y(page)
    status.get_by_role("link", name="Retour").click()
    expect(page.get_by_role("heading", name="Derniers lancements")).to_be_visible()


def test_treasurer_imports_purchases_and_reads_the_refusal(page: Page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, "/budget/comptes/achats")
    csv = tmp_path / "achats.csv"
    csv.write_text(
        "date,operator_id,household,point_of_sale,amount\n2026-11-05,e2e-1,F-404,1,3.50\n"
    )
    page.get_by_label("L'export de l'opérateur (CSV ou Excel)").set_input_files(str(csv))
    page.get_by_role("button", name="Lire le fichier").click()
    # The preview says it before anything is written, and offers no confirmation.
    refusal = page.get_by_role("alert")
    expect(refusal).to_contain_text("1 ligne est refusée : rien ne peut être importé")
    expect(refusal).to_contain_text("Ligne 2 : Foyer inconnu.")
    expect(page.get_by_role("button", name="Confirmer l'import")).to_have_count(0)
    check_a11y(page)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
