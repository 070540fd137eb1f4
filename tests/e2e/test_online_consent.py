"""A working group decides between sessions, in the browser: the facilitator puts a proposal
online for seven days, three members answer on their phones (one objects, one asks a
question), the objection is integrated in a new version, the deadlines pass (time moved), the
decision is registered once and marked as decided online; a late answer is refused plainly."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from governance.db import utcnow
from governance.extensions import db
from governance.people.models import GroupKind, QuorumKind, Role
from governance.votes import online
from governance.votes.models import Decision, Round
from tests import factories
from tests.e2e.conftest import check_a11y, seed, visit
from tests.e2e.test_foundation import log_in


def _working_group(app: Flask) -> tuple[int, str, list[str]]:
    def build() -> tuple[int, str, list[str]]:
        group = factories.group(
            kind=GroupKind.WORKING_GROUP,
            allow_online_consent=True,
            quorum_kind=QuorumKind.COUNT,
            quorum_value=2,
        )
        facilitator = factories.person(display_name="Awa Animatrice")
        factories.membership(facilitator, group, Role.FACILITATOR)
        people = [factories.person(display_name=f"Membre {n}") for n in (1, 2, 3)]
        for person in people:
            factories.membership(person, group)
        return group.id, facilitator.email, [p.email for p in people]

    return seed(app, build)


def _time_passes(app: Flask, count: bool = True) -> int:
    """The deadline is behind us; then cron's ``flask close-rounds`` runs. How many it counted."""

    def run() -> int:
        for round_ in db.session.scalars(select(Round).where(Round.closed_at.is_(None))):
            if round_.closes_at is not None:
                round_.closes_at = min(round_.closes_at, utcnow() - timedelta(minutes=1))
        db.session.flush()
        return len(online.close_due()) if count else 0

    return seed(app, run)


def _position(page: Page, value: str, reason: str = "") -> None:
    page.get_by_role("radio", name=re.compile(value)).check()
    if reason:
        page.get_by_label("Votre raison").fill(reason)
    page.get_by_role("button", name="Envoyer ma position").click()


def test_a_working_group_decides_online(phone: Any, live_app: Flask, tmp_path: Path) -> None:
    group_id, facilitator, members = _working_group(live_app)
    awa = phone()
    log_in(awa, facilitator, factories.PASSWORD)
    visit(awa, f"/groupes/{group_id}/decider-en-ligne")
    awa.get_by_label("Titre de la proposition").fill("Achats groupés de légumineuses")
    awa.get_by_label("Texte de la proposition").fill("Le groupe achète des lentilles en vrac.")
    awa.get_by_label("Jours pour répondre").fill("0")
    awa.get_by_role("button", name="Mettre en ligne").click()
    expect(awa.locator(".error-summary")).to_contain_text("Entre 1 et 30")
    expect(awa.get_by_label("Texte de la proposition")).to_have_value(
        "Le groupe achète des lentilles en vrac."
    )
    awa.get_by_label("Jours pour répondre").fill("7")
    awa.get_by_role("button", name="Mettre en ligne").click()
    expect(awa.get_by_role("heading", name="Décision en ligne")).to_be_visible()
    proposal = awa.url

    phones = []
    for email in members:
        member = phone()
        log_in(member, email, factories.PASSWORD)
        expect(member.get_by_role("heading", name="À décider en ligne")).to_be_visible()
        member.get_by_role("link", name="Lire et donner ma position").click()
        phones.append(member)
    one, two, three = phones
    _position(one, "^Je consens")
    expect(one.locator(".online .message")).to_contain_text("Votre position : Je consens")
    check_a11y(one)
    _position(two, "^Je fais une objection")  # no reason: refused, plainly
    expect(two.locator(".error-summary")).to_contain_text("raison")
    _position(two, "^Je fais une objection", "Le vrac demande un local que nous n'avons pas.")
    three.get_by_label("Votre question").fill("Qui stocke les sacs ?")
    three.get_by_role("button", name="Poser la question").click()
    expect(three.locator("#questions")).to_contain_text("Qui stocke les sacs ?")
    three.screenshot(path=str(tmp_path / "online-fr.png"), full_page=True)

    assert _time_passes(live_app) == 1
    three.reload()
    expect(three.get_by_role("button", name="Envoyer ma position")).to_have_count(0)

    awa.reload()
    awa.get_by_role("link", name="Écrire une nouvelle version").click()
    awa.locator("#text").fill(
        "Le groupe achète des lentilles en vrac, stockées à l'épicerie solidaire."
    )
    awa.get_by_role("checkbox").first.check()  # the objection it integrates
    awa.get_by_role("button", name="Enregistrer la nouvelle version").click()
    expect(awa).to_have_url(proposal)
    awa.get_by_role("button", name="Ouvrir le tour suivant en ligne").click()
    for member in (one, two):
        member.goto(proposal)
        _position(member, "^Je consens")
    three.goto(proposal)
    three.get_by_role("radio", name=re.compile("^Je consens")).check()
    _time_passes(live_app, count=False)
    three.get_by_role("button", name="Envoyer ma position").click()  # too late
    expect(three.locator(".error-summary")).to_contain_text("date limite est passée")
    assert _time_passes(live_app) == 1
    assert _time_passes(live_app) == 0  # counted once

    awa.reload()
    awa.get_by_role("link", name=re.compile(r"-\d{4}-\d{3}$")).click()
    expect(awa.locator(".decision")).to_contain_text("décidée en ligne")
    check_a11y(awa)

    proposal_id = int(proposal.rstrip("/").split("/")[-1])

    def decisions() -> int:
        return (
            db.session.scalar(
                select(func.count())
                .select_from(Decision)
                .where(Decision.proposal_id == proposal_id)
            )
            or 0
        )

    assert seed(live_app, decisions) == 1
