"""A facilitator prepares and runs a meeting; two members follow it on their phones."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD, DEMO_PIN, DEMO_PIN_USER
from tests.e2e.conftest import check_a11y, visit
from tests.e2e.test_foundation import log_in

LABELS: dict[str, str] = {}


def button(page: Page, name: str) -> Any:
    return page.get_by_role("button", name=name, exact=True)


def test_facilitator_runs_a_meeting_followed_on_two_phones(phone: Any) -> None:
    facilitator = phone()
    log_in(facilitator, "animation@tablee.example", DEMO_PASSWORD)
    visit(facilitator, "/seances/")
    facilitator.get_by_role("link", name="Nouvelle séance").click()
    check_a11y(facilitator)
    facilitator.locator("#group_id").select_option(label="Comité citoyen de l'alimentation")
    facilitator.locator("#title").fill("Séance extraordinaire")
    # Today: a meeting opens only on its own day.
    facilitator.locator("#day").fill(datetime.now(ZoneInfo("Europe/Paris")).date().isoformat())
    facilitator.locator("#time").fill("10:00")
    facilitator.locator("#duration_minutes").fill("60")
    facilitator.locator("#place").fill("Salle des fêtes")
    button(facilitator, "Enregistrer").click()
    expect(facilitator.get_by_role("heading", name="Séance extraordinaire")).to_be_visible()
    check_a11y(facilitator)

    for title, minutes in (("Accueil et météo", "10"), ("Choix du lieu du marché", "40")):
        facilitator.locator("#item-form #title").fill(title)
        facilitator.locator("#item-form #timebox_minutes").fill(minutes)
        button(facilitator, "Ajouter à l'ordre du jour").click()
        expect(facilitator.locator("#agenda li", has_text=title)).to_be_visible()
    expect(facilitator.get_by_text("50 minutes prévues")).to_be_visible()
    check_a11y(facilitator)

    button(facilitator, "Convoquer les membres").click()
    expect(facilitator.locator(".message").first).to_contain_text("convocation est faite")
    button(facilitator, "Ouvrir la séance").click()
    expect(facilitator).to_have_url(re.compile(r"/console$"))
    expect(facilitator.locator(".current-title")).to_have_text("Accueil et météo")
    check_a11y(facilitator)
    code = facilitator.locator(".check-in-box .code").inner_text()

    fatou = phone()
    log_in(fatou, "membre@tablee.example", DEMO_PASSWORD)
    visit(fatou, "/seances/presence")
    fatou.locator("#code").fill(code.lower())
    button(fatou, "Je suis là").click()
    expect(fatou.locator(".current-title")).to_have_text("Accueil et météo")
    check_a11y(fatou)

    ahmed = phone()
    log_in(ahmed, DEMO_PIN_USER, DEMO_PIN)
    visit(ahmed, f"/seances/presence/{code}")  # where the QR code on the screen leads
    button(ahmed, "Je suis là").click()
    expect(ahmed.locator(".current-title")).to_have_text("Accueil et météo")
    check_a11y(ahmed)

    expect(facilitator.locator("#console-status .quorum")).to_contain_text("2 présent·es")
    button(facilitator, "Lancer le minuteur").click()
    button(facilitator, "Point suivant").click()
    expect(facilitator.locator(".current-title")).to_have_text("Choix du lieu du marché")
    # Neither phone reloads: the room polls and swaps the new item in.
    for member in (fatou, ahmed):
        expect(member.locator(".current-title")).to_have_text(
            "Choix du lieu du marché", timeout=10_000
        )
        check_a11y(member)
