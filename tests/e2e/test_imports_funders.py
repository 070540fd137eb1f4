"""A treasurer on a phone imports a French spreadsheet's CSV that names its shop, reads the
preview, confirms, and sees the same file recognised when sent again; then records a funder,
its pledge and an operating cost. Every page is axe-checked and fits the phone."""

from __future__ import annotations

import csv
import io
import os
from datetime import date
from pathlib import Path

from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, check_a11y, seed, visit
from tests.e2e.test_foundation import log_in

SHOTS = os.environ.get("TABLEE_SHOTS")  # a folder: the pages' screenshots, to look at them


def _fits_the_phone(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width}px wide"


def _shot(page: Page, name: str) -> None:
    if SHOTS:
        Path(SHOTS).mkdir(exist_ok=True)
        page.screenshot(path=str(Path(SHOTS) / f"{name}.png"), full_page=True)


def _shop_and_household(live_app) -> None:  # type: ignore[no-untyped-def]
    from governance.budget import ledger, services
    from governance.budget.models import AccountKind, Currency, TransactionKind
    from governance.conventionnement.models import PointOfSale, PosKind, PosStatus
    from governance.extensions import db
    from governance.people.models import Group

    def build() -> None:
        group = db.session.query(Group).first()
        db.session.add(
            PointOfSale(
                name="Épicerie du Moulin",
                kind=PosKind.SHOP,
                group=group,
                status=PosStatus.APPROVED,
                approved_since=date(2026, 1, 1),
            )
        )
        household = services.save_household(
            None,
            reference="E2E-1",
            adults=1,
            teens=0,
            children=0,
            income_bracket=1,
            contribution_cents=500,
            starts_on=date(2026, 1, 1),
        )
        issuance = ledger.account(ledger.ISSUANCE, "MonA", Currency.MONA, AccountKind.ISSUANCE)
        ledger.post(
            TransactionKind.ALLOCATION,
            date.today(),
            [(ledger.wallet(household), 100_00), (issuance, -100_00)],
            "e2e-allocation",
        )

    seed(live_app, build)


def _french_csv(path: Path) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(["Date", "N° de transaction", "Foyer", "Commerçant", "Montant (€)"])
    writer.writerow(
        [date.today().strftime("%d/%m/%Y"), "E2E-T1", "E2E-1", "Épicerie du Moulin", "12,50"]
    )
    path.write_bytes(out.getvalue().encode("cp1252"))
    return path


def test_treasurer_imports_a_french_csv_then_records_a_funder(
    page: Page, live_app, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    _shop_and_household(live_app)
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, "/budget/comptes")
    page.get_by_role("link", name="Importer les achats").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Importer les achats")
    check_a11y(page)
    _fits_the_phone(page)
    _shot(page, "import-form")
    file = _french_csv(tmp_path / "achats.csv")
    page.get_by_label("L'export de l'opérateur (CSV ou Excel)").set_input_files(str(file))
    page.get_by_role("button", name="Lire le fichier").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Vérifier avant d'importer")
    expect(page.get_by_text("1 nouvel achat à enregistrer")).to_be_visible()
    expect(page.get_by_role("cell", name="Épicerie du Moulin")).to_be_visible()
    check_a11y(page)
    _fits_the_phone(page)
    _shot(page, "import-preview")
    page.get_by_role("button", name="Confirmer l'import").click()
    expect(page.get_by_text("1 achat enregistré.")).to_be_visible()
    check_a11y(page)
    # The same file again: said at once, before anything.
    visit(page, "/budget/comptes/achats")
    page.get_by_label("L'export de l'opérateur (CSV ou Excel)").set_input_files(str(file))
    page.get_by_role("button", name="Lire le fichier").click()
    expect(page.get_by_text("Ce fichier a déjà été importé le")).to_be_visible()
    expect(page.get_by_role("button", name="Confirmer l'import")).to_have_count(0)
    check_a11y(page)
    _fits_the_phone(page)
    _shot(page, "import-again")

    visit(page, "/budget/financeurs")
    page.get_by_label("Nom du financeur").fill("Fondation du Moulin")
    page.get_by_label("Fondation ou entreprise").check()
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Fondation du Moulin")
    page.get_by_label("Montant de l'engagement, en euros").fill("12 000")
    page.get_by_label("Premier mois").fill("2026-01")
    page.get_by_label("Dernier mois (compris)").fill("2026-12")
    page.get_by_label("Échéancier des versements").select_option("monthly")
    page.get_by_role("button", name="Enregistrer l'engagement").click()
    expect(page.get_by_text("L'engagement est enregistré.")).to_be_visible()
    expect(page.locator("td", has_text="Chaque mois")).to_be_visible()
    check_a11y(page)
    _fits_the_phone(page)
    _shot(page, "funder")
    visit(page, "/budget/financeurs")
    expect(page.get_by_role("link", name="Fondation du Moulin")).to_be_visible()
    _fits_the_phone(page)
    _shot(page, "funders")
    visit(page, "/budget/couts")
    page.get_by_label("Quoi").fill("Salaire coordination")
    page.get_by_label("Mois", exact=True).fill("2026-12")
    page.get_by_label("Prévision, en euros").fill("2 800")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_text("Le coût est enregistré.")).to_be_visible()
    check_a11y(page)
    _fits_the_phone(page)
    _shot(page, "costs")


def test_treasurer_projects_a_scenario(page: Page) -> None:
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, "/budget/scenarios")
    # Three scenarios side by side ask the same questions: the first one's, by their ids.
    page.locator("#a-name").fill("Montée à 200")
    page.locator("#a-households_from").fill("108")
    page.locator("#a-households_to").fill("200")
    page.locator("#a-share").fill("30")
    page.get_by_role("button", name="Projeter").click()
    expect(page.get_by_role("rowheader", name="Reste à trouver")).to_be_visible()
    expect(page.get_by_role("columnheader", name="Montée à 200")).to_be_visible()
    expect(page.locator("#a-households_from")).to_have_value("108")  # the inputs stay
    check_a11y(page)
    _fits_the_phone(page)
    _shot(page, "scenarios")
