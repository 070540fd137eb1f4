"""Households on phones: a visitor applies to join without JavaScript (a wrong answer comes
back with what was typed); a plain member of the committee reads a scale's frozen simulation
on the proposal page with JavaScript off (and with it on, axe-checked)."""

from __future__ import annotations

import re
import tempfile
from datetime import date
from pathlib import Path

from flask import Flask
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PHONE, check_a11y, seed, visit

SHOTS = Path(tempfile.gettempdir()) / "tablee-joining-shots"  # looked at by hand


def test_a_visitor_applies_without_javascript(no_js: Page, page: Page) -> None:
    visit(page, "/")  # the home page says how to join (axe-checked, with JavaScript)
    page.get_by_role("link", name="Comment s'inscrire").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rejoindre la caisse")
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    no_js.goto("/rejoindre")
    expect(
        no_js.get_by_role("heading", name="Qu'est-ce que la MonA, et comment payer avec ?")
    ).to_be_visible()
    no_js.get_by_label("Adultes dans le foyer").fill("2")
    no_js.get_by_label("Enfants de moins de 14 ans").fill("3")
    no_js.get_by_label("Votre quartier ou votre commune").fill("Mermoz")
    no_js.get_by_role("radio", name="Les services sociaux").check()
    no_js.get_by_role("button", name="Envoyer ma demande").click()
    expect(no_js.locator(".error-summary")).to_contain_text("2 choses à corriger")  # name, bracket
    expect(no_js.get_by_label("Votre quartier ou votre commune")).to_have_value("Mermoz")
    expect(no_js.get_by_label("Enfants de moins de 14 ans")).to_have_value("3")
    expect(no_js.get_by_role("radio", name="Les services sociaux")).to_be_checked()
    no_js.get_by_label("Votre nom").fill("Samira Haddad")
    no_js.get_by_role("radio", name=re.compile("^600")).check()
    no_js.get_by_label("Numéro de téléphone (facultatif)").fill("06 98 76 54 32")
    no_js.get_by_role("button", name="Envoyer ma demande").click()
    expect(no_js).to_have_url(re.compile("/rejoindre/merci$"))
    expect(no_js.locator(".message")).to_contain_text("votre demande est enregistrée")
    SHOTS.mkdir(parents=True, exist_ok=True)
    no_js.screenshot(path=str(SHOTS / "rejoindre-merci.png"), full_page=True)


def _scale_on_the_agenda() -> tuple[int, str]:
    from sqlalchemy import select

    from governance.budget import services as budget
    from governance.budget.models import Scale
    from governance.extensions import db
    from governance.people.models import GroupKind
    from governance.sessions.models import MeetingStatus
    from governance.votes import services as votes
    from governance.votes.models import DecisionKind
    from tests import factories

    committee = factories.group(kind=GroupKind.COMMITTEE, name="Comité du barème")
    member = factories.person(display_name="Lucie Martin")
    factories.membership(member, committee, starts_on=date(2025, 1, 1))
    meeting = factories.meeting(committee, status=MeetingStatus.CONVENED)
    # The demo's Ariège-like proposal: the browser tests share one caisse, whose list of
    # scales the treasurer's tests read; a scale of this test's own would show up there.
    scale = db.session.scalar(select(Scale).where(Scale.name.like("%Ariège%")))
    item = budget.put_on_agenda(scale, meeting, date(2027, 1, 1))
    proposal = votes.attach_proposal(
        item,
        "Adopter le barème type Ariège",
        "Le barème s'applique dès janvier.",
        member,
        DecisionKind.CONTRIBUTION_SCALE,
    )
    return proposal.id, member.username


def _log_in(phone: Page, username: str) -> None:
    from tests.factories import PASSWORD

    phone.goto("/connexion")
    phone.get_by_label("Adresse e-mail ou identifiant").fill(username)
    phone.get_by_label("Mot de passe ou code à 6 chiffres").fill(PASSWORD)
    phone.get_by_role("button", name="Se connecter").click()
    phone.wait_for_load_state("load")


def test_a_member_reads_the_frozen_simulation_with_javascript_off(
    no_js: Page, page: Page, live_app: Flask
) -> None:
    proposal_id, username = seed(live_app, _scale_on_the_agenda)
    _log_in(no_js, username)
    no_js.goto(f"/propositions/{proposal_id}")
    section = no_js.locator(".frozen-simulation")
    expect(section.get_by_role("heading", name="Ce que ferait ce barème")).to_be_visible()
    expect(section).to_contain_text(
        "Une personne seule, avec 600 € – 900 € par mois et par unité de consommation, "
        "reçoit 100,00 MonA par mois et cotise 18,75 €."
    )
    expect(section).to_contain_text("Part couverte par les cotisations")
    expect(section.get_by_role("row")).to_have_count(11)  # a heading row and ten tenths
    SHOTS.mkdir(parents=True, exist_ok=True)
    no_js.screenshot(path=str(SHOTS / "simulation-figee.png"), full_page=True)
    no_js.get_by_role("link", name=re.compile("Ouvrir le simulateur")).click()
    expect(no_js.get_by_role("heading", level=1)).to_have_text("Simulateur")
    # the same page with JavaScript on: axe-checked, no sideways scroll
    _log_in(page, username)
    visit(page, f"/propositions/{proposal_id}")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def _a_welcome_meeting() -> tuple[str, str]:
    from governance.joining import services as joining
    from governance.joining.models import HeardFrom
    from governance.people.models import Role
    from governance.sessions.models import MeetingStatus
    from tests import factories

    staff = factories.person(display_name="Rémi Accueil")
    welcoming = factories.group()
    factories.membership(staff, welcoming, role=Role.FACILITATOR)  # its group's welcome team
    factories.meeting(welcoming, title="Grande réunion d'accueil", status=MeetingStatus.OPEN)
    joining.apply(
        joining.Application(
            "Samia Khelil", 1, 0, 2, 1, "Mermoz", HeardFrom.SOCIAL_SERVICES, "", None, None
        )
    )
    return staff.username, "Samia Khelil"


def test_staff_invite_an_applicant_and_mark_her_at_the_welcome_meeting(
    page: Page, live_app: Flask
) -> None:
    username, name = seed(live_app, _a_welcome_meeting)
    _log_in(page, username)
    visit(page, "/accueil")
    meeting = page.get_by_label("Réunion d'accueil")
    option = meeting.locator("option", has_text="Grande réunion d'accueil").first
    meeting.select_option(option.get_attribute("value"))
    page.get_by_role("checkbox", name=name).check()
    page.get_by_role("button", name="Inviter", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Grande réunion d'accueil")
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    came = page.get_by_role("button", name=f"{name} est venu·e")
    box = came.bounding_box()
    assert box is not None and box["height"] >= 44  # thumb-sized
    came.click()
    expect(page.locator(".message")).to_contain_text(f"{name} est venu·e.")
    expect(page.get_by_role("listitem").filter(has_text=name)).to_contain_text("venue à la réunion")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "reunion-accueil.png"), full_page=True)
