"""A person on a phone: logging in with a password or a card, switching the language, and an
admin adding a member to a group."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import pyotp
from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD
from governance.people.second_factor import DEMO_SECRET
from tests.e2e.conftest import check_a11y, forget_used_codes, visit


def log_in(page: Page, identifier: str, secret: str) -> None:
    visit(page, "/connexion")
    page.get_by_label("Adresse e-mail ou identifiant").fill(identifier)
    page.get_by_label("Mot de passe ou code à 6 chiffres").fill(secret)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")
    if urlsplit(page.url).path == "/connexion/code":  # the demo's admin and treasurer
        forget_used_codes(identifier)
        give_demo_code(page)


def give_demo_code(page: Page) -> None:
    """The current code of the demo's authenticator secret, typed as a person would."""
    check_a11y(page)
    page.get_by_label("Le code à 6 chiffres").fill(pyotp.TOTP(DEMO_SECRET).now())
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path != "/connexion/code", "the demo code was refused"


def test_log_in_with_a_password_on_a_phone(page: Page) -> None:
    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    page.get_by_role("main").get_by_role("link", name="Se connecter").click()
    expect(page).to_have_url(re.compile("/connexion"))
    check_a11y(page)

    page.get_by_label("Adresse e-mail ou identifiant").fill("membre@tablee.example")
    page.get_by_label("Mot de passe ou code à 6 chiffres").fill("pas le bon")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("alert")).to_be_visible()
    expect(page.get_by_label("Adresse e-mail ou identifiant")).to_have_value(
        "membre@tablee.example"
    )
    check_a11y(page)

    page.get_by_label("Mot de passe ou code à 6 chiffres").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    expect(page).to_have_url(re.compile("/pour-moi$"))  # what is next for her
    expect(page.get_by_role("heading", name="Bonjour Fatou Diallo")).to_be_visible()
    check_a11y(page)

    page.get_by_role("button", name="Se déconnecter").click()
    expect(page.get_by_text("Vous êtes déconnecté")).to_be_visible()
    page.goto("/compte")
    expect(page).to_have_url(re.compile("/connexion"))


def test_log_in_with_a_login_card(phone: Any) -> None:
    facilitator = phone()
    log_in(facilitator, "animation@tablee.example", DEMO_PASSWORD)
    expect(facilitator).to_have_url(re.compile("/pour-moi$"))
    facilitator.get_by_role("link", name="Personnes").click()
    check_a11y(facilitator)
    facilitator.get_by_label("Chercher par nom, identifiant ou e-mail").fill("josiane")
    facilitator.get_by_role("link", name="Josiane Petit").click()
    check_a11y(facilitator)
    facilitator.get_by_role("button", name="Imprimer une nouvelle carte").click()
    code = facilitator.locator(".card-code").inner_text()
    assert re.fullmatch(r"[A-Z0-9]{4}-[A-Z0-9]{4}", code)
    check_a11y(facilitator)

    member = phone()
    visit(member, "/carte")
    member.get_by_label("Code écrit sur votre carte").fill(code.lower())
    member.get_by_role("button", name="Se connecter").click()
    expect(member.get_by_role("heading", name="Choisissez votre code")).to_be_visible()
    check_a11y(member)
    member.get_by_label("Votre nouveau code à 6 chiffres").fill("582914")
    member.get_by_label("Le même code, encore une fois").fill("582914")
    member.get_by_role("button", name="Enregistrer mon code").click()
    expect(member).to_have_url(re.compile("/pour-moi$"))
    check_a11y(member)
    member.get_by_role("main").get_by_role("link", name="Mon compte").click()
    expect(member.get_by_text("josiane.petit").first).to_be_visible()
    check_a11y(member)

    member.get_by_role("button", name="Se déconnecter").click()
    log_in(member, "josiane.petit", "582914")
    expect(member.get_by_role("heading", name="Bonjour Josiane Petit")).to_be_visible()


def test_switch_language_and_keep_it(page: Page) -> None:
    visit(page, "/")
    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("main").get_by_role("link", name="Log in")).to_be_visible()
    check_a11y(page)
    visit(page, "/connexion")
    expect(page.get_by_role("heading", name="Log in")).to_be_visible()
    page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.get_by_role("heading", name="Se connecter")).to_be_visible()


def test_admin_adds_a_member_to_a_group_without_reloading(page: Page) -> None:
    log_in(page, "admin@tablee.example", DEMO_PASSWORD)
    page.get_by_role("link", name="Groupes").click()
    check_a11y(page)
    page.get_by_role("link", name="Groupe de travail Barème").click()
    check_a11y(page)
    page.evaluate("window.notReloaded = true")
    page.get_by_label("Personne", exact=True).select_option(label="Josiane Petit (josiane.petit)")
    page.get_by_label("Rôle", exact=True).select_option("facilitator")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_text("Josiane Petit fait maintenant partie du groupe")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True  # htmx swapped the list in place
    expect(page.locator("#members li", has_text="Josiane Petit")).to_contain_text("animateur")
    check_a11y(page)

    # The same role again from another date, overlapping the first, is refused plainly. (The
    # very same form sent again would be taken for a double tap and recorded once: once.py.)
    page.get_by_label("Rôle", exact=True).select_option("facilitator")
    page.get_by_label("Personne", exact=True).select_option(label="Josiane Petit (josiane.petit)")
    page.get_by_label("À partir du", exact=True).fill("2026-12-24")
    page.get_by_role("button", name="Ajouter").click()
    expect(page.get_by_role("alert")).to_contain_text("a déjà ce rôle")
    check_a11y(page)


def test_the_second_factor_pages_on_a_phone(phone: Any) -> None:
    """The treasurer's code page (through log_in), then a member's set-up page: both clean."""
    treasurer = phone()
    log_in(treasurer, "tresorerie@tablee.example", DEMO_PASSWORD)
    expect(treasurer).to_have_url(re.compile("/pour-moi$"))
    member = phone()
    log_in(member, "membre@tablee.example", DEMO_PASSWORD)
    visit(member, "/compte")
    member.get_by_role("link", name="Protéger votre compte avec une application").click()
    qr = member.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 100  # drawn, not broken
    check_a11y(member)
