"""A consent decision on four phones: an objection, an amendment that integrates it, a second
round adopted, and the public permalink of the decision."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD, DEMO_PIN, DEMO_PIN_USER
from tests.e2e.conftest import check_a11y, committee_in_the_room, visit
from tests.e2e.test_foundation import log_in

DECEMBER = "Séance mensuelle de décembre"
PROPOSAL = "Un marché de producteurs ouvre le samedi matin place Carnot."
AMENDED = "Un marché de producteurs ouvre le dimanche matin place Carnot."


def button(page: Page, name: str) -> Any:
    return page.get_by_role("button", name=name, exact=True)


def give(member: Page, position: str, reason: str = "") -> None:
    panel = member.locator("#vote-panel")
    expect(panel.get_by_role("radio").first).to_be_visible(timeout=10_000)
    panel.get_by_role("radio", name=re.compile(f"^{position}")).check()
    if reason:
        panel.get_by_label("Votre raison").fill(reason)
    button(member, "Envoyer ma position").click()
    expect(panel.get_by_role("status")).to_contain_text("Votre position")
    check_a11y(member)


def test_objection_amendment_and_adoption_on_phones(phone: Any, live_app: Flask) -> None:
    facilitator = phone()
    log_in(facilitator, "animation@tablee.example", DEMO_PASSWORD)
    visit(facilitator, "/seances/")
    facilitator.get_by_role("link", name=DECEMBER).click()
    button(facilitator, "Ouvrir la séance").click()
    code = facilitator.locator(".check-in-box .code").inner_text()
    # Thirty other members of the committee are in the room: the quorum (31) is reached.
    committee_in_the_room(live_app, int(urlsplit(facilitator.url).path.split("/")[2]))
    for _ in range(2):  # to the decision item: the second market
        button(facilitator, "Point suivant").click()
    expect(facilitator.locator(".current-title")).to_contain_text("deuxième marché")
    facilitator.get_by_role("link", name="Joindre une proposition").click()
    check_a11y(facilitator)
    facilitator.get_by_label("Texte de la proposition").fill(PROPOSAL)
    button(facilitator, "Enregistrer").click()
    expect(facilitator).to_have_url(re.compile(r"/console#vote-panel$"))  # back where it was

    members = []
    for identifier, secret in (
        ("membre@tablee.example", DEMO_PASSWORD),
        (DEMO_PIN_USER, DEMO_PIN),
        ("tresorerie@tablee.example", DEMO_PASSWORD),
    ):
        member = phone()
        log_in(member, identifier, secret)
        visit(member, f"/seances/presence/{code}")
        button(member, "Je suis là").click()
        expect(member.locator(".current-title")).to_contain_text("deuxième marché")
        members.append(member)

    button(facilitator, "Ouvrir un tour de consentement").click()
    check_a11y(facilitator)
    give(members[0], "Je consens")
    give(members[1], "Je consens")
    give(members[2], "Je fais une objection", "Le samedi, le marché Carnot est déjà plein.")
    facilitator.reload()
    expect(facilitator.locator(".answered")).to_contain_text("3 réponses")
    expect(facilitator.get_by_text("déjà plein")).to_have_count(0)  # hidden until the close
    button(facilitator, "Clore le tour").click()
    expect(facilitator.locator(".objections")).to_contain_text("déjà plein")
    check_a11y(facilitator)

    facilitator.get_by_role("link", name="Écrire une nouvelle version").click()
    facilitator.get_by_label("Nouvelle version du texte").fill(AMENDED)
    facilitator.get_by_role("checkbox").check()
    check_a11y(facilitator)
    button(facilitator, "Enregistrer la nouvelle version").click()
    button(facilitator, "Ouvrir un tour de consentement").click()
    for member in members:
        expect(member.locator("#vote-panel")).to_contain_text("dimanche", timeout=10_000)
        give(member, "Je consens")
    facilitator.reload()
    button(facilitator, "Clore le tour").click()
    outcome = facilitator.locator("#vote-panel .outcome")
    expect(outcome).to_contain_text("adoptée")
    reference = outcome.get_by_role("link").inner_text()
    assert re.fullmatch(r"CCA-\d{4}-\d{3}", reference)

    public = phone()
    visit(public, "/decisions")
    public.get_by_role("link", name=re.compile(reference)).click()
    expect(public.get_by_role("heading", level=1)).to_be_visible()
    expect(public.get_by_text(AMENDED)).to_be_visible()
    expect(public.get_by_text("déjà plein")).to_be_visible()
    check_a11y(public)
