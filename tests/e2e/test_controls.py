"""Controls on a phone: removing an agenda item asks once, and the wide tables of the treasurer
become cards that fit the screen."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Dialog, expect

from governance.demo import DEMO_PASSWORD
from tests.e2e.conftest import check_a11y
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


def test_an_amount_is_typed_the_french_way(phone: Any) -> None:
    page = phone()
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    page.goto("/budget/foyers/1")
    amount = page.get_by_label("Cotisation choisie par le foyer, en euros")
    before = amount.input_value()
    assert "," in before and "." not in before  # shown the French way, e.g. "10,00"
    amount.fill("12,50")
    page.get_by_role("button", name="Enregistrer").click()
    expect(page.locator(".messages")).to_contain_text("F-00001")
    expect(amount).to_have_value("12,50")
    check_a11y(page)
    page.goto("/budget/foyers")
    expect(page.get_by_role("row", name="F-00001")).to_contain_text("12,50\u00a0€")
    page.goto("/budget/foyers/1")
    amount.fill(before)  # the demo's household as it was, for the other tests
    page.get_by_role("button", name="Enregistrer").click()
    expect(amount).to_have_value(before)
