"""Who may do what, walked on phones: the scale's agenda belongs to the citizen committee, login
cards only for members without a password, a promotion asks for the second factor at once."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD
from tests.e2e.conftest import check_a11y, visit
from tests.e2e.test_foundation import log_in

SHOTS = Path(tempfile.gettempdir()) / "tablee-access-shots"  # looked at by hand


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _english(page: Page) -> None:
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")


def _back_to_french(page: Page) -> None:
    """The switch is kept on the account: leave it as the demo had it for the other tests."""
    page.get_by_role("button", name="Français").click()
    page.wait_for_load_state("load")


def _a_draft_scale(page: Page) -> str:
    visit(page, "/budget/baremes")
    link = page.locator("main a[href*='/budget/baremes/']").first
    href = link.get_attribute("href")
    assert href
    return href


def test_only_the_committee_puts_a_scale_on_its_agenda(phone: Any) -> None:
    local = phone()
    log_in(local, "calim@tablee.example", DEMO_PASSWORD)
    scale = _a_draft_scale(local)
    visit(local, scale)
    expect(local.get_by_role("button", name="Ajouter à l'ordre du jour")).to_have_count(0)
    _shot(local, "scale-local-facilitator-fr")
    _english(local)
    expect(local.get_by_role("button", name="Add to the agenda")).to_have_count(0)
    _shot(local, "scale-local-facilitator-en")
    _back_to_french(local)

    committee = phone()
    log_in(committee, "animation@tablee.example", DEMO_PASSWORD)
    visit(committee, scale)
    meetings = committee.get_by_label("Séance")
    expect(meetings).to_be_visible()
    options = meetings.locator("option").all_inner_texts()
    assert options and not any("CALIM" in o for o in options), options
    _shot(committee, "scale-committee-facilitator-fr")


def test_a_card_only_for_a_member_without_a_password(page: Page) -> None:
    log_in(page, "animation@tablee.example", DEMO_PASSWORD)
    visit(page, "/admin/personnes?q=Fatou")
    page.get_by_role("link", name="Fatou Diallo").click()
    check_a11y(page)
    expect(
        page.get_by_role("button", name="Imprimer une nouvelle carte de connexion")
    ).to_have_count(0)
    _shot(page, "person-with-password-fr")
    visit(page, "/admin/personnes?q=Ahmed")
    page.get_by_role("link", name="Ahmed Benali").click()
    check_a11y(page)
    expect(
        page.get_by_role("button", name="Imprimer une nouvelle carte de connexion")
    ).to_be_visible()
    _shot(page, "person-with-pin-fr")


def test_a_member_made_treasurer_sets_up_the_second_factor_at_once(phone: Any) -> None:
    admin = phone()
    log_in(admin, "admin@tablee.example", DEMO_PASSWORD)
    visit(admin, "/admin/personnes/nouvelle")
    admin.get_by_label("Nom", exact=True).fill("Nadia Promue")
    admin.get_by_label("Identifiant", exact=True).fill("nadia.promue")
    admin.get_by_label("Nouveau mot de passe (facultatif)").fill(DEMO_PASSWORD)
    admin.get_by_role("button", name="Enregistrer").click()
    admin.wait_for_load_state("load")

    nadia = phone()
    log_in(nadia, "nadia.promue", DEMO_PASSWORD)
    visit(nadia, "/seances/")

    visit(admin, "/admin/groupes")
    admin.get_by_role("link", name="Comité citoyen", exact=False).first.click()
    form = admin.locator("#membership-form")
    form.get_by_label("Personne").select_option(label="Nadia Promue (nadia.promue)")
    form.get_by_label("Rôle").select_option(value="treasurer")
    form.get_by_role("button", name="Ajouter").click()
    expect(admin.get_by_text("Nadia Promue fait maintenant partie du groupe").first).to_be_visible()

    nadia.get_by_role("link", name="Séances").first.click()
    nadia.wait_for_load_state("load")
    assert "/compte/double-verification" in nadia.url
    check_a11y(nadia)
    _shot(nadia, "promoted-setup-fr")
    _english(nadia)
    assert "/compte/double-verification" in nadia.url
    _shot(nadia, "promoted-setup-en")
