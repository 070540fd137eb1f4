"""A binôme fills a questionnaire on two phones, one of them offline for a while; the report
goes to the next meeting, and the committee's decision makes the farm conventionnée."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD, DEMO_PIN, DEMO_PIN_USER
from tests.e2e.conftest import check_a11y, committee_in_the_room, visit
from tests.e2e.test_foundation import log_in

FARM = "Ferme des Garrigues"


def button(page: Page, name: str) -> Any:
    return page.get_by_role("button", name=name, exact=True)


def choose(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=re.compile(re.escape(question))).get_by_label(answer).check()


def test_binome_offline_report_and_approval(phone: Any, live_app: Flask) -> None:
    fatou = phone()
    log_in(fatou, "membre@tablee.example", DEMO_PASSWORD)
    visit(fatou, "/conventionnement/")
    fatou.get_by_role("link", name=FARM).first.click()
    expect(fatou.get_by_role("heading", level=1)).to_have_text("La ferme")
    check_a11y(fatou)
    choose(fatou, "exploitation industrielle", "Non")
    expect(fatou.locator('[data-status-for="chain"]')).to_contain_text("Enregistré")
    choose(fatou, "taille de la ferme", "Petite ferme ou collectif paysan")
    choose(fatou, "conditions de travail", "Oui")
    expect(fatou.locator('[data-status-for="staff"]')).to_contain_text("Enregistré")
    screen = urlsplit(fatou.url).path.rsplit("/", 1)[0]  # a local path, never a host

    def screen_url(number: int) -> str:
        return f"{screen}/{number}"

    ahmed = phone()
    log_in(ahmed, DEMO_PIN_USER, DEMO_PIN)
    visit(ahmed, screen_url(1))
    expect(ahmed.locator('[data-status-for="chain"]')).to_contain_text("Fatou Diallo")
    visit(ahmed, screen_url(2))
    ahmed.context.set_offline(True)
    choose(ahmed, "produite sur place", "Presque tout (plus de 75 %)")
    choose(ahmed, "bio ou en agroécologie", "Environ la moitié")
    choose(ahmed, "vivre du métier", "Oui")
    expect(ahmed.locator('[data-status-for="local"]')).to_contain_text("Pas encore envoyé")
    expect(ahmed.locator("[data-offline-note]")).to_be_visible()
    ahmed.context.set_offline(False)
    for code in ("local", "organic", "fair_price"):
        expect(ahmed.locator(f'[data-status-for="{code}"]')).to_contain_text("Enregistré")
    ahmed.reload()
    local = ahmed.get_by_role("group", name=re.compile("produite sur place"))
    expect(local.get_by_label("Presque tout (plus de 75 %)")).to_be_checked()
    check_a11y(ahmed)

    visit(fatou, screen_url(3))
    choose(fatou, "accueil de toutes et tous", "Chaleureux et ouvert à toutes et tous")
    choose(fatou, "accessibles aux budgets modestes", "Oui, plutôt bas")
    choose(fatou, "recevoir la MonA", "Oui, sans difficulté")
    button(fatou, "Écran suivant").click()
    choose(fatou, "vrac ou peu emballés", "Surtout en vrac")
    button(fatou, "Terminer").click()
    expect(fatou.get_by_role("heading", name="Envoyer le questionnaire")).to_be_visible()
    check_a11y(fatou)
    fatou.get_by_label("favorable", exact=True).check()
    button(fatou, "Envoyer au comité").click()
    expect(fatou.locator(".total")).to_contain_text("/ 100")
    check_a11y(fatou)

    karim = phone()
    log_in(karim, "animation@tablee.example", DEMO_PASSWORD)
    visit(karim, "/conventionnement/")
    karim.get_by_role("link", name=FARM).first.click()
    history = karim.locator(".history")
    if "ordre du jour" not in history.inner_text():
        # The next meeting was already opened by another test: put it there by hand.
        karim.get_by_label("Séance", exact=True).select_option(label="Séance mensuelle de décembre")
        button(karim, "Ajouter à l'ordre du jour").click()
    expect(history).to_contain_text("Séance mensuelle de décembre")
    check_a11y(karim)
    visit(karim, "/seances/")
    karim.get_by_role("link", name="Séance mensuelle de décembre").click()
    expect(karim.locator("#agenda")).to_contain_text(f"Conventionnement : {FARM}")
    if button(karim, "Ouvrir la séance").count():
        button(karim, "Ouvrir la séance").click()
    else:
        karim.get_by_role("link", name="Console de l'animation").click()
    for _ in range(8):
        title = karim.locator(".current-title").inner_text()
        if FARM in title:
            break
        button(karim, "Point suivant").click()
        expect(karim.locator(".current-title")).not_to_have_text(title)
    karim.get_by_role("link", name="Joindre une proposition").click()
    karim.get_by_label("Texte de la proposition").fill(f"{FARM} est conventionnée.")
    button(karim, "Enregistrer").click()
    expect(karim).to_have_url(re.compile(r"/console#vote-panel$"))  # back to the console
    # Thirty other members of the committee are in the room: the quorum (31 of 61) is met.
    committee_in_the_room(live_app, int(urlsplit(karim.url).path.split("/")[2]))
    karim.get_by_role("link", name=re.compile("décembre")).first.click()
    karim.get_by_role("link", name="Présences").click()
    button(karim, "présent·e : Karim Haddad").click()
    karim.get_by_role("link", name=re.compile("décembre")).first.click()
    karim.get_by_role("link", name="Console de l'animation").click()
    button(karim, "Ouvrir un tour de consentement").click()
    console = urlsplit(karim.url).path
    visit(karim, console.removesuffix("/console") + "/salle")
    karim.locator("#vote-panel").get_by_role("radio", name=re.compile("^Je consens")).check()
    button(karim, "Envoyer ma position").click()
    expect(karim.locator("#vote-panel").get_by_role("status")).to_contain_text("Votre position")
    visit(karim, console)
    button(karim, "Clore le tour").click()
    expect(karim.locator("#vote-panel .outcome")).to_contain_text("adoptée")

    visit(fatou, "/conventionnement/")
    fatou.get_by_role("link", name=FARM).first.click()
    expect(fatou.locator(".page-head .badge")).to_have_text("conventionné")
    check_a11y(fatou)
