"""Controls on a phone: removing an agenda item asks once, and the wide tables of the treasurer
become cards that fit the screen."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Flask
from playwright.sync_api import Dialog, expect

from governance.budget import services as budget
from governance.budget.models import HouseholdStatus
from governance.demo import DEMO_PASSWORD
from tests.e2e.conftest import check_a11y, seed
from tests.e2e.test_foundation import log_in


def test_removing_an_agenda_item_asks_once(phone: Any) -> None:
    page = phone()
    log_in(page, "calim@tablee.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Séances").first.click()
    page.locator("main a[href^='/seances/']").filter(has_text="Comité local").first.click()
    title = "Point à retirer ensuite"
    page.get_by_label("Titre du point").fill(title)
    page.get_by_label("Temps prévu, en minutes").fill("5")
    page.get_by_role("button", name="Ajouter à l'ordre du jour").click()
    item = page.locator("#agenda li").filter(has_text=title)
    expect(item).to_have_count(1)
    remove = item.get_by_role("button", name=f"Retirer : {title}")
    box = remove.bounding_box()
    assert box is not None and box["height"] >= 44 and box["width"] >= 44

    questions: list[str] = []

    def answer(dialog: Dialog, accept: bool) -> None:
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    page.once("dialog", lambda dialog: answer(dialog, accept=False))
    remove.click()
    expect(item).to_have_count(1)  # "Annuler": nothing removed
    page.once("dialog", lambda dialog: answer(dialog, accept=True))
    remove.click()
    expect(item).to_have_count(0)
    assert questions == [f"Retirer « {title} » de l'ordre du jour ?"] * 2
    check_a11y(page)


def test_the_households_fit_a_phone_as_cards(phone: Any) -> None:
    page = phone()
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    page.goto("/budget/foyers")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    card = page.locator("table.cards-on-phone tbody tr").first
    expect(card.locator("td").first).to_have_attribute("data-label", "Personnes")
    expect(card.locator("td").nth(2)).to_have_attribute("data-label", "Cotisation")
    box = card.bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    check_a11y(page)


def _household(app: Flask) -> tuple[int, str]:
    """A household of its own, contributing 10 € a month: the demo's stay as they are."""

    def build() -> tuple[int, str]:
        household = budget.save_household(
            None,
            adults=2,
            teens=0,
            children=1,
            income_bracket=2,
            contribution_cents=1000,
            starts_on=date.today(),
            status=HouseholdStatus.ACTIVE,
        )
        return household.id, household.reference

    return seed(app, build)


def test_an_amount_is_typed_the_french_way(phone: Any, live_app: Flask) -> None:
    household_id, reference = _household(live_app)
    page = phone()
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    page.goto(f"/budget/foyers/{household_id}")
    amount = page.get_by_label("Cotisation choisie par le foyer, en euros")
    expect(amount).to_have_value("10,00")  # shown the French way
    amount.fill("12,50")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text(reference)
    expect(amount).to_have_value("12,50")
    check_a11y(page)
    page.goto("/budget/foyers")
    expect(page.get_by_role("row", name=reference)).to_contain_text("12,50\u00a0€")
