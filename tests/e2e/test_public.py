"""The public portal on a phone, as a visitor without an account: every page axe-checked,
the register searched with and without JavaScript, the points of sale filtered. (axe-core
needs JavaScript: the pages the no-JavaScript phone sees are checked by the tests above.)"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, check_a11y, visit


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/decisions",
        "/decisions?q=biocoop",
        "/decisions/verifier",
        "/points-de-vente",
        "/api",
        "/seances/comptes-rendus",
    ],
)
def test_each_public_page_on_a_phone(page: Page, path: str) -> None:
    visit(page, path)
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    assert page.context.cookies() == []


def test_a_decision_from_the_home_page_is_citable(page: Page) -> None:
    visit(page, "/")
    page.get_by_role("link", name=re.compile("Conventionnement de la Biocoop")).first.click()
    expect(
        page.get_by_role("heading", name="Conventionnement de la Biocoop Les Arceaux")
    ).to_be_visible()
    check_a11y(page)
    expect(page.get_by_role("heading", name="Pour citer cette décision")).to_be_visible()
    expect(page.locator(".citation a")).to_have_text(re.compile(r"/decisions/CCA-2026-\d{3}$"))
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.locator(".citation")).to_be_visible()


def test_search_the_register_without_javascript(no_js: Page) -> None:
    # Other browser tests add decisions to the shared demo: no exact counts here.
    page = no_js
    page.goto("/decisions")
    page.get_by_label("Mots à chercher").fill("marchés")
    page.get_by_role("button", name="Chercher").click()
    expect(page).to_have_url(re.compile(r"q=march"))
    results = page.locator("#results")
    expect(results.get_by_role("status")).to_have_text(re.compile(r"\d+ décisions? trouvées?"))
    expect(results.get_by_role("link", name=re.compile("Un deuxième marché")).first).to_be_visible()
    expect(results.get_by_role("link", name=re.compile("Biocoop"))).to_have_count(0)
    page.get_by_text("Filtrer par groupe, type, année ou issue").click()
    page.get_by_label("Type").select_option("conventionnement")
    page.get_by_role("button", name="Appliquer les filtres").click()
    expect(page).to_have_url(re.compile(r"kind=conventionnement"))
    expect(results.get_by_role("link", name=re.compile("deuxième marché"))).to_have_count(0)
    page.get_by_role("link", name="Voir toutes les décisions").click()
    expect(results.get_by_role("status")).to_have_text(re.compile(r"\d+ décisions au registre"))
    results.get_by_role("link", name=re.compile("Conventionnement de la Biocoop")).first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Conventionnement de la Biocoop Les Arceaux"
    )


def test_search_updates_the_results_in_place_with_javascript(page: Page) -> None:
    visit(page, "/decisions")
    page.evaluate("window.samePage = true")  # gone if the browser loaded a new page
    page.get_by_label("Mots à chercher").fill("biocoop")
    page.get_by_role("button", name="Chercher").click()
    expect(page).to_have_url(re.compile(r"q=biocoop"))
    results = page.locator("#results")
    expect(results.get_by_role("status")).to_have_text(re.compile(r"\d+ décisions? trouvées?"))
    expect(results.get_by_role("link", name=re.compile("Biocoop")).first).to_be_visible()
    expect(results.get_by_role("link", name=re.compile("deuxième marché"))).to_have_count(0)
    assert page.evaluate("window.samePage") is True  # htmx swapped the results in place
    check_a11y(page)


def test_points_of_sale_filtered_without_javascript(no_js: Page) -> None:
    page = no_js
    page.goto("/points-de-vente")
    expect(page.get_by_role("heading", name="Commerce")).to_be_visible()
    page.get_by_label("Quartier").select_option("Arceaux")
    page.get_by_role("button", name="Afficher").click()
    expect(page.get_by_text("Biocoop Les Arceaux")).to_be_visible()
    page.get_by_role("link", name=re.compile(r"CCA-2026-\d{3}")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Biocoop"))
