"""A treasurer on a phone compares scale proposals in the simulator and reads a household."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD
from governance.extensions import db
from tests.e2e.conftest import check_a11y, seed, visit
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


def test_treasurer_previews_a_large_purchase_file(page: Page, live_app: Flask) -> None:
    """Thousands of lines, a few refused: the phone shows a short summary, never a page wider
    than the screen, and no button to import a file that has refused lines."""
    from sqlalchemy import select

    from governance.conventionnement.models import PointOfSale, PosStatus

    shop_id = seed(
        live_app,
        lambda: db.session.scalar(
            select(PointOfSale.id).where(PointOfSale.status == PosStatus.APPROVED).limit(1)
        ),
    )
    rows = [f"2026-11-05,e2e-{n},F-00001,{shop_id},0.01" for n in range(2000)]
    rows += [f"2026-11-05,e2e-bad-{n},F-99999,{shop_id},0.01" for n in range(60)]
    content = "date,operator_id,household,point_of_sale,amount\n" + "\n".join(rows) + "\n"
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, "/budget/comptes/achats")
    page.get_by_label("L'export de l'opérateur de paiement (CSV)").set_input_files(
        {"name": "achats.csv", "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.get_by_role("button", name="Aperçu").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("2\u202f060 lignes")
    expect(page.get_by_text("et 40 autres lignes refusées")).to_be_visible()
    expect(page.locator("li.field-error")).to_have_count(20)
    expect(page.get_by_role("button", name="Confirmer l'import")).to_have_count(0)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width}px"
    check_a11y(page)
