"""Before the session: the facilitator attaches a proposal while preparing the agenda, a member
reads it on her phone and suggests an item, the facilitator takes the suggestion; after logging
in, each person lands on what is next for them."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD, DEMO_PIN, DEMO_PIN_USER
from tests.e2e.conftest import check_a11y, visit
from tests.e2e.test_foundation import log_in

TITLE = "Séance de préparation de janvier"
ITEM = "Horaires du marché de producteurs"
PROPOSAL = "Le marché de producteurs ouvre de 8 h à 13 h le samedi, place Carnot."
SUGGESTION = "Une navette pour les personnes âgées"
SHOTS = Path(os.environ.get("TABLEE_SHOTS", "")) if os.environ.get("TABLEE_SHOTS") else None


def shoot(page: Page, name: str, part: Any = None) -> None:
    """Screenshots to look at, when TABLEE_SHOTS names a folder: the page, or one part."""
    if SHOTS is not None:
        SHOTS.mkdir(parents=True, exist_ok=True)
        if part is not None:
            part.screenshot(path=str(SHOTS / f"{name}.png"))
        else:
            page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def button(page: Page, name: str) -> Any:
    return page.get_by_role("button", name=name, exact=True)


def _prepare_meeting(karim: Page) -> str:
    """A new meeting with a decision item, as the facilitator builds it: its address."""
    visit(karim, "/seances/")
    karim.get_by_role("link", name="Nouvelle séance").click()
    karim.locator("#group_id").select_option(label="Comité citoyen de l'alimentation")
    karim.locator("#title").fill(TITLE)
    karim.locator("#day").fill("2027-01-09")
    karim.locator("#time").fill("09:30")
    karim.locator("#duration_minutes").fill("120")
    button(karim, "Enregistrer").click()
    karim.locator("#item-form #kind").select_option(label="Décision")
    karim.locator("#item-form #title").fill(ITEM)
    karim.locator("#item-form #timebox_minutes").fill("30")
    button(karim, "Ajouter à l'ordre du jour").click()
    expect(karim.locator("#agenda li", has_text=ITEM)).to_be_visible()
    return karim.url.split("#")[0]


def test_a_proposal_read_before_the_session_and_a_suggestion_taken(phone: Any) -> None:
    karim = phone()
    log_in(karim, "animation@tablee.example", DEMO_PASSWORD)
    expect(karim).to_have_url(re.compile("/pour-moi$"))
    check_a11y(karim)
    meeting_url = _prepare_meeting(karim)

    karim.locator("#agenda li", has_text=ITEM).get_by_role(
        "link", name=re.compile("Joindre une proposition")
    ).click()
    check_a11y(karim)
    karim.get_by_label("Texte de la proposition").fill(PROPOSAL)
    karim.get_by_label("Effet, une fois adoptée (facultatif)").fill("Dès le premier samedi.")
    shoot(karim, "1-facilitator-attaches")
    button(karim, "Enregistrer").click()
    # Back on the agenda, at the item, the proposal under it.
    expect(karim).to_have_url(re.compile(r"/seances/\d+#item-\d+$"))
    item = karim.locator("#agenda li", has_text=ITEM)
    expect(item.get_by_role("link", name=ITEM, exact=True)).to_be_visible()
    expect(item.get_by_role("link", name=re.compile("Modifier la proposition"))).to_be_visible()
    check_a11y(karim)
    button(karim, "Convoquer les membres").click()
    expect(karim.locator(".message").first).to_contain_text("convocation est faite")
    shoot(karim, "2-facilitator-agenda", karim.locator("#agenda li", has_text=ITEM))

    fatou = phone()
    log_in(fatou, "membre@tablee.example", DEMO_PASSWORD)
    expect(fatou).to_have_url(re.compile("/pour-moi$"))
    expect(fatou.get_by_role("heading", name="Bonjour Fatou Diallo")).to_be_visible()
    expect(fatou.get_by_role("heading", name="Mon foyer")).to_be_visible()
    check_a11y(fatou)
    shoot(fatou, "3-member-next-for-me")
    fatou.get_by_role("link", name=ITEM, exact=True).click()  # the proposal, from her landing
    expect(fatou.get_by_text(PROPOSAL)).to_be_visible()
    expect(fatou.get_by_text("Dès le premier samedi.")).to_be_visible()
    check_a11y(fatou)
    shoot(fatou, "4-member-reads-proposal")

    fatou.goto(meeting_url)
    item = fatou.locator("#agenda li", has_text=ITEM)
    expect(item.get_by_text(PROPOSAL)).to_be_hidden()  # folded until she opens it
    item.get_by_text("Lire le texte").click()
    expect(item.get_by_text(PROPOSAL)).to_be_visible()
    expect(fatou.get_by_role("link", name=re.compile("Modifier la proposition"))).to_have_count(0)
    check_a11y(fatou)
    shoot(fatou, "4b-member-opens-the-text", item)

    fatou.get_by_role("link", name="Suggérer un point").click()
    check_a11y(fatou)
    fatou.get_by_label("Le point que vous suggérez").fill(SUGGESTION)
    button(fatou, "Envoyer ma suggestion").click()
    expect(fatou.get_by_role("alert")).to_be_visible()  # the reason is missing
    expect(fatou.get_by_label("Le point que vous suggérez")).to_have_value(SUGGESTION)
    check_a11y(fatou)
    fatou.get_by_label("Pourquoi c'est important").fill("Trois membres ne peuvent plus venir.")
    button(fatou, "Envoyer ma suggestion").click()
    suggestions = fatou.locator("#suggestions")
    expect(suggestions).to_contain_text(SUGGESTION)
    expect(suggestions).to_contain_text("en attente de réponse")
    shoot(fatou, "5-member-suggested", suggestions)

    karim.goto(meeting_url)
    karim.locator("#suggestions").get_by_role("link", name=re.compile("Répondre")).click()
    check_a11y(karim)
    karim.get_by_label("Temps prévu, en minutes").fill("10")
    shoot(karim, "6-facilitator-answers")
    button(karim, "Ajouter à l'ordre du jour").click()
    expect(karim.locator("#agenda li", has_text=SUGGESTION)).to_contain_text("Fatou Diallo")
    check_a11y(karim)

    fatou.reload()
    expect(fatou.locator("#suggestions")).to_contain_text("à l'ordre du jour")
    expect(fatou.locator("#agenda")).to_contain_text(SUGGESTION)
    fatou.get_by_role("link", name="Pour moi").click()
    fatou.get_by_role("link", name="Voir le compte de mon foyer").click()
    expect(fatou.get_by_role("heading", name="Mon foyer")).to_be_visible()
    check_a11y(fatou)
    shoot(fatou, "7-member-household")

    # In English too.
    fatou.get_by_role("link", name="Pour moi").click()
    fatou.get_by_role("button", name="English").click()
    expect(fatou.get_by_role("heading", name="Hello Fatou Diallo")).to_be_visible()
    expect(fatou.get_by_role("heading", name="My next meetings")).to_be_visible()
    check_a11y(fatou)
    shoot(fatou, "8-member-next-for-me-en")
    fatou.get_by_role("link", name=ITEM, exact=True).click()
    expect(fatou.get_by_text("Effect, once adopted")).to_be_visible()
    check_a11y(fatou)
    shoot(fatou, "8b-member-reads-proposal-en")
    fatou.goto(meeting_url)
    expect(fatou.get_by_role("heading", name="Your suggestions")).to_be_visible()
    expect(fatou.locator("#suggestions")).to_contain_text("on the agenda")
    fatou.locator("#agenda li", has_text=ITEM).get_by_text("Read the text").click()
    check_a11y(fatou)
    shoot(fatou, "8c-member-meeting-en", fatou.locator("#agenda li", has_text=ITEM))
    fatou.get_by_role("button", name="Français").click()


def test_a_member_without_email_lands_on_what_is_next(phone: Any) -> None:
    ahmed = phone()
    log_in(ahmed, DEMO_PIN_USER, DEMO_PIN)
    expect(ahmed).to_have_url(re.compile("/pour-moi$"))
    expect(ahmed.get_by_role("heading", name="Bonjour Ahmed Benali")).to_be_visible()
    expect(ahmed.get_by_role("heading", name="Mes prochaines séances")).to_be_visible()
    expect(ahmed.get_by_text("application d'authentification")).to_have_count(0)
    check_a11y(ahmed)
    shoot(ahmed, "9-pin-member-next-for-me")
