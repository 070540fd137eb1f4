"""The Lyon procedure run by a local committee alone, on phones: a member proposes a place, the
committee's facilitator assigns a binôme of its members, they fill the questionnaire, the report
goes on the committee's next session, consent approves the place in its territory; the citizen
committee's lists do not change."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from governance.conventionnement import queries, services, territories
from governance.conventionnement.models import PointOfSale, PosStatus
from governance.extensions import db
from governance.people.models import GroupKind, Role, Territory
from governance.sessions.models import Meeting, MeetingStatus
from governance.sessions.services import local_day
from tests import factories
from tests.e2e.conftest import check_a11y, committee_in_the_room, seed, visit
from tests.e2e.test_foundation import log_in

PLACE = "Boucherie du Moulin à Vent"
COMMITTEE = "CALIM 8 — essai"


def button(page: Page, name: str) -> Any:
    return page.get_by_role("button", name=name, exact=True)


def _local_committee(app: Flask) -> dict[str, Any]:
    """A local committee with its territory, four members, a facilitator, and its next
    session later today (a meeting opens only on its own day)."""

    def build() -> dict[str, Any]:
        services.ensure_defaults()
        group = factories.group(
            name=COMMITTEE, code="C8E2E", kind=GroupKind.LOCAL_COMMITTEE, quorum_value=50
        )
        territory = territories.save_territory(None, "Lyon 8e — essai", group, [])
        people = [factories.person(display_name=f"Habitant·e {n} du 8e") for n in range(1, 5)]
        for person in people:
            factories.membership(person, group)
        factories.membership(people[0], group, Role.FACILITATOR)
        # Later today where the caisse is: a meeting opens on its own day only (90 minutes on
        # failed every evening from 22:30 in Paris, the meeting then falling on the next day).
        now = datetime.now(UTC).replace(microsecond=0)
        soon = now + timedelta(minutes=90)
        while local_day(soon) != local_day(now):
            soon -= timedelta(minutes=10)
        session = factories.meeting(group, title="Comité local, séance d'essai", starts_at=soon)
        session.status = MeetingStatus.CONVENED
        session.notified_version = session.agenda_version
        return {
            "emails": [p.email for p in people],
            "names": [p.display_name for p in people],
            "meeting": session.id,
            "territory": territory.id,
        }

    return seed(app, build)


def _main_committee(app: Flask) -> tuple[int, list[str], list[str]]:
    """The citizen committee's territory, the agendas of its sessions, its territory's list."""

    def read() -> tuple[int, list[str], list[str]]:
        group = territories.main_committee()
        assert group is not None
        territory = db.session.scalar(select(Territory).where(Territory.group_id == group.id))
        assert territory is not None
        sessions = db.session.scalars(select(Meeting).where(Meeting.group_id == group.id))
        agendas = sorted(i.title for m in sessions for i in m.items)
        listed = [p.name for p in queries.points_of_sale(territory_id=territory.id)]
        return territory.id, agendas, listed

    return seed(app, read)


def _answer_all_screens(phones: list[Page], visit_id: int) -> None:
    """Each phone in turn answers a screen: the first choice of every question, a note for
    the texts; each answer is saved as it is given."""
    number = 1
    while True:
        page = phones[(number - 1) % len(phones)]
        visit(page, f"/conventionnement/visites/{visit_id}/{number}")
        for question in page.locator("fieldset.question").all():
            radios = question.locator("input[type=radio]")
            if radios.count():
                radios.first.check()
            else:
                question.locator("textarea").fill("Bon accueil, la MonA est acceptée.")
                question.locator("textarea").blur()
            code = question.get_attribute("id").removeprefix("q-")  # type: ignore[union-attr]
            expect(page.locator(f'[data-status-for="{code}"]')).to_contain_text("Enregistré")
        last = button(page, "Terminer")
        if last.count():
            last.click()
            return
        number += 1


def test_a_local_committee_approves_its_own_place(phone: Any, live_app: Flask) -> None:
    local = _local_committee(live_app)
    before = _main_committee(live_app)
    main_territory = before[0]
    facilitator, first, second = phone(), phone(), phone()
    log_in(first, local["emails"][1], factories.PASSWORD)
    log_in(second, local["emails"][2], factories.PASSWORD)
    log_in(facilitator, local["emails"][0], factories.PASSWORD)

    # A member of the local committee proposes a place to it.
    visit(first, "/conventionnement/proposer")
    first.get_by_label("Quel comité décide").select_option(label=COMMITTEE)
    first.get_by_label("Nom du lieu").fill(PLACE)
    first.get_by_label("Type de lieu").select_option(label="Boucherie")
    first.get_by_label("lundi").check()
    first.get_by_label("samedi").check()
    first.get_by_label("Pourquoi vous le proposez").fill("Viande halal de qualité, prix doux.")
    button(first, "Envoyer ma proposition").click()
    expect(first.get_by_role("heading", level=1)).to_have_text(PLACE)
    expect(first.locator(".facts")).to_contain_text("lundi, samedi")
    check_a11y(first)
    point = urlsplit(first.url).path

    # Its facilitator chooses a binôme of its members.
    visit(facilitator, point)
    facilitator.get_by_label("Le binôme ou trinôme").select_option(label=local["names"][1:3])
    button(facilitator, "Confier la visite").click()
    expect(facilitator.locator(".visit").first).to_contain_text(local["names"][1])
    check_a11y(facilitator)

    # The binôme fills the questionnaire on their two phones, then sends it.
    visit(first, "/conventionnement/")
    first.get_by_role("link", name=PLACE).first.click()
    visit_id = int(urlsplit(first.url).path.split("/")[3])
    _answer_all_screens([first, second], visit_id)
    page = next(p for p in (first, second) if "envoyer" in p.url)
    expect(page.get_by_role("heading", name="Envoyer le questionnaire")).to_be_visible()
    page.get_by_label("favorable", exact=True).check()
    button(page, "Envoyer au comité").click()
    expect(page.locator(".total")).to_contain_text("/ 100")

    # The report is on the local committee's next session, which decides by consent.
    visit(facilitator, point)
    expect(facilitator.locator(".history")).to_contain_text("Comité local, séance d'essai")
    visit(facilitator, f"/seances/{local['meeting']}")
    expect(facilitator.locator("#agenda")).to_contain_text(f"Conventionnement : {PLACE}")
    button(facilitator, "Ouvrir la séance").click()
    if not facilitator.url.endswith("/console"):
        facilitator.get_by_role("link", name="Console de l'animation").click()
    for _ in range(4):
        title = facilitator.locator(".current-title").inner_text()
        if PLACE in title:
            break
        button(facilitator, "Point suivant").click()
        expect(facilitator.locator(".current-title")).not_to_have_text(title)
    facilitator.get_by_role("link", name="Joindre une proposition").click()
    facilitator.get_by_label("Texte de la proposition").fill(f"{PLACE} est conventionnée.")
    button(facilitator, "Enregistrer").click()
    expect(facilitator).to_have_url(re.compile(r"/console#vote-panel$"))
    committee_in_the_room(live_app, local["meeting"])
    facilitator.reload()
    button(facilitator, "Ouvrir un tour de consentement").click()
    console = urlsplit(facilitator.url).path
    for member in (first, second):
        visit(member, console.removesuffix("/console") + "/salle")
        member.locator("#vote-panel").get_by_role("radio", name=re.compile("^Je consens")).check()
        button(member, "Envoyer ma position").click()
        expect(member.locator("#vote-panel").get_by_role("status")).to_contain_text(
            "Votre position"
        )
    visit(facilitator, console)
    button(facilitator, "Clore le tour").click()
    expect(facilitator.locator("#vote-panel .outcome")).to_contain_text("adoptée")

    # Approved in the local committee's territory, with its decision; not in the other one.
    visit(second, point)
    expect(second.locator(".page-head .badge")).to_have_text("conventionné")
    visit(second, f"/points-de-vente?territory={local['territory']}")
    card = second.locator("li", has_text=PLACE)
    expect(card).to_contain_text("lundi, samedi")
    expect(card.get_by_role("link", name=re.compile("C8E2E-"))).to_be_visible()
    visit(second, f"/points-de-vente?territory={main_territory}")
    expect(second.get_by_text(PLACE)).to_have_count(0)
    visit(second, f"/conventionnement/?territoire={main_territory}")
    expect(second.get_by_text(PLACE)).to_have_count(0)
    assert _main_committee(live_app) == before

    def approved() -> tuple[PosStatus, PosStatus | None, int]:
        pos = db.session.scalar(select(PointOfSale).where(PointOfSale.name == PLACE))
        assert pos is not None
        territory = db.session.get_one(Territory, local["territory"])
        place = territories.place(pos, territory)
        meeting = db.session.get_one(Meeting, local["meeting"])
        return pos.status, place.status if place else None, meeting.group_id

    status, in_territory, _group = seed(live_app, approved)
    assert status is PosStatus.APPROVED and in_territory is PosStatus.APPROVED
