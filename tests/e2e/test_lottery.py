"""An administrator runs a whole draw by lot on a phone; the public record is axe-clean too."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD
from tests.e2e.conftest import check_a11y, visit
from tests.e2e.test_foundation import log_in

HEADER = "name,adults,teens,children,income_bracket,age_band,household_kind,neighbourhood,gender\n"


def pool_csv() -> bytes:
    ages, places = ["18-34", "35-59", "60+"], ["Nord", "Sud"]
    rows = [
        f"Candidat {n},1,0,{n % 2},{n % 5},{ages[n % 3]},seule,{places[n % 2]},"
        f"{['femme', 'homme', ''][n % 3]}"
        for n in range(1, 13)
    ]
    return (HEADER + "\n".join(rows) + "\n").encode()


def test_admin_runs_a_draw_by_lot_on_a_phone(page: Page) -> None:
    log_in(page, "admin@tablee.example", DEMO_PASSWORD)
    page.get_by_role("navigation", name="Menu principal").get_by_role(
        "link", name="Tirages au sort"
    ).click()
    check_a11y(page)
    page.get_by_label("Nom du tirage").fill("Nouveaux foyers, printemps")
    page.get_by_label("Nombre de places").fill("4")
    page.get_by_role("button", name="Ouvrir le tirage").click()
    expect(page.get_by_role("heading", name="Nouveaux foyers, printemps")).to_be_visible()
    check_a11y(page)

    page.get_by_label("Fichier CSV des candidats").set_input_files(
        {"name": "candidats.csv", "mimeType": "text/csv", "buffer": pool_csv()}
    )
    page.get_by_role("button", name="Importer les candidats").click()
    expect(page.get_by_text("12 candidats dans la liste.")).to_be_visible()
    check_a11y(page)

    # A quota that cannot be met comes back with the reason, before anything is drawn.
    page.get_by_role("checkbox", name="Tranche d'âge").check()
    for row in page.locator("fieldset", has_text="Tranche d'âge").locator("tbody tr").all():
        row.locator("input").nth(0).fill("2")
    page.get_by_role("button", name="Enregistrer les quotas").click()
    page.get_by_role("button", name="Vérifier les quotas et calculer les chances").click()
    # The check runs in the background: its page gives the outcome, then leads back.
    expect(page.get_by_role("alert")).to_contain_text("plus que les 4 places")
    check_a11y(page)
    page.get_by_role("link", name="Retour").click()

    for row in page.locator("fieldset", has_text="Tranche d'âge").locator("tbody tr").all():
        row.locator("input").nth(0).fill("1")
        row.locator("input").nth(1).fill("2")
    page.get_by_role("button", name="Enregistrer les quotas").click()
    page.get_by_role("button", name="Vérifier les quotas et calculer les chances").click()
    expect(page.get_by_text("Les quotas peuvent être respectés")).to_be_visible()
    page.get_by_role("link", name="Retour").click()
    page.get_by_text("Voir la chance de chaque candidat").click()
    expect(page.get_by_role("region", name="Chances")).to_contain_text("Candidat 12")
    check_a11y(page)

    page.get_by_role("button", name="Publier l'empreinte").click()
    fingerprint = page.locator("code.hash").first.inner_text()
    assert len(fingerprint) == 64
    check_a11y(page)
    page.get_by_role("button", name="Tirer au sort maintenant").click()
    expect(page.get_by_role("heading", name="4 tirés au sort")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Confirmer et inscrire les personnes tirées au sort").click()
    expect(
        page.get_by_text("Confirmé : les personnes tirées au sort sont inscrites.")
    ).to_be_visible()
    check_a11y(page)

    page.get_by_role("link", name="Registre public de ce tirage").click()
    expect(page.get_by_text(fingerprint)).to_be_visible()
    expect(page.get_by_role("main")).not_to_contain_text("Candidat 1")
    check_a11y(page)
    visit(page, "/tirages/registre")
