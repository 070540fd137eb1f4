"""Proposals prepared before the session: attached from the agenda, read by every member,
carried by the convocation, corrected until the meeting opens."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from governance.errors import DomainError
from governance.extensions import db
from governance.mail import OutboxMessage
from governance.people.models import Role
from governance.sessions.models import ItemKind, MeetingStatus
from governance.votes import services
from governance.votes.models import DecisionKind, Proposal
from tests import factories

LONG_TEXT = "Un deuxième marché de producteurs accepte la MonA le samedi matin. " * 12


def _committee(status: MeetingStatus = MeetingStatus.CONVENED) -> dict[str, Any]:
    committee = factories.group(name="Comité citoyen")
    facilitator = factories.person(display_name="Karim Haddad")
    member = factories.person(display_name="Fatou Diallo", email="fatou@exemple.org")
    outsider = factories.person(display_name="Quelqu'un d'ailleurs")
    factories.membership(facilitator, committee, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    factories.membership(member, committee, starts_on=date(2025, 1, 1))
    factories.membership(outsider, factories.group(name="Autre groupe"))
    meeting = factories.meeting(committee, status=status, notified_version=1)
    info = factories.item(meeting, title="Accueil")
    decision = factories.item(meeting, kind=ItemKind.DECISION, title="Deuxième marché")
    return {
        "meeting": meeting,
        "facilitator": facilitator,
        "member": member,
        "outsider": outsider,
        "info": info,
        "decision": decision,
    }


def _attach(client: Any, world: dict[str, Any], **data: Any) -> Any:
    meeting, item = world["meeting"], world["decision"]
    form = {
        "title": "Un deuxième marché le samedi",
        "text": LONG_TEXT,
        "presenter_id": str(world["member"].id),
        "kind": "general",
        "effect": "Le marché ouvre en janvier.",
        "review_on": "2027-06-30",
    }
    form.update(data)
    return client.post_form(f"/seances/{meeting.id}/points/{item.id}/proposition", form)


def test_the_facilitator_attaches_a_proposal_while_preparing_and_lands_on_the_agenda(
    client,  # type: ignore[no-untyped-def]
) -> None:
    world = _committee()
    meeting = world["meeting"]
    factories.login(client, world["facilitator"])
    page = client.get(f"/seances/{meeting.id}").get_data(as_text=True)
    attach = f"/seances/{meeting.id}/points/{world['decision'].id}/proposition"
    assert attach in page  # offered on the decision item…
    assert f"/points/{world['info'].id}/proposition" not in page  # …not on an information item
    response = _attach(client, world)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/seances/{meeting.id}#item-{world['decision'].id}"
    )
    db.session.refresh(meeting)
    # The members were convened with the agenda before it: the page offers to tell them.
    assert meeting.notice_outdated
    proposal = db.session.scalar(select(Proposal).where(Proposal.item_id == world["decision"].id))
    assert proposal.presenter_id == world["member"].id and proposal.review_on == date(2027, 6, 30)
    assert proposal.current_version.text == LONG_TEXT.strip()


def test_bad_input_gives_the_form_back_with_what_was_typed(client) -> None:  # type: ignore[no-untyped-def]
    world = _committee()
    factories.login(client, world["facilitator"])
    response = _attach(client, world, title="", text="Mon texte à garder")
    assert response.status_code == 422
    assert "Mon texte à garder" in response.get_data(as_text=True)
    assert db.session.scalar(select(Proposal.id)) is None


def test_every_member_reads_the_proposal_before_the_session(client, app) -> None:  # type: ignore[no-untyped-def]
    world = _committee()
    services.attach_proposal(
        world["decision"],
        "Un deuxième marché",
        LONG_TEXT,
        world["member"],
        DecisionKind.GENERAL,
        "Le marché ouvre en janvier.",
    )
    db.session.commit()
    factories.login(client, world["member"])
    page = client.get(f"/seances/{world['meeting'].id}").get_data(as_text=True)
    assert "Un deuxième marché" in page and LONG_TEXT.split(".")[0] in page
    assert "<details>" in page and "Le marché ouvre en janvier." in page
    proposal = db.session.scalar(select(Proposal))
    assert f"/propositions/{proposal.id}" in page
    assert f"/propositions/{proposal.id}/modifier" not in page  # a member does not edit it
    detail = client.get(f"/propositions/{proposal.id}")
    assert detail.status_code == 200 and "Le marché ouvre en janvier." in detail.get_data(
        as_text=True
    )
    # A plain member cannot attach or edit one.
    assert _attach(client, world).status_code == 403
    assert client.get(f"/propositions/{proposal.id}/modifier").status_code == 403


def test_a_member_of_another_group_does_not_see_it(app) -> None:  # type: ignore[no-untyped-def]
    world = _committee()
    proposal = services.attach_proposal(
        world["decision"], "Secret", "Texte", None, DecisionKind.GENERAL
    )
    db.session.commit()
    other = app.test_client()
    factories.login(other, world["outsider"])
    assert other.get(f"/propositions/{proposal.id}").status_code == 404
    assert other.get(f"/seances/{world['meeting'].id}").status_code == 404


def test_the_convocation_carries_each_proposal_summary_and_link(client) -> None:  # type: ignore[no-untyped-def]
    world = _committee(MeetingStatus.DRAFT)
    world["meeting"].notified_version = None
    factories.login(client, world["facilitator"])
    assert _attach(client, world).status_code == 302
    proposal = db.session.scalar(select(Proposal))
    meeting = world["meeting"]
    response = client.post_form(f"/seances/{meeting.id}/etape/convoquer", {})
    assert response.status_code == 302
    body = db.session.scalar(
        select(OutboxMessage.body).where(OutboxMessage.recipient == "fatou@exemple.org")
    )
    assert "Un deuxième marché le samedi" in body
    assert f"://tablee.test/propositions/{proposal.id}" in body
    # A summary, not the whole text: the link gives the rest.
    assert LONG_TEXT.split(".")[0] in body and len(LONG_TEXT) > 600 and LONG_TEXT not in body
    printed = client.get(f"/seances/{meeting.id}/convocation").get_data(as_text=True)
    assert "Un deuxième marché le samedi" in printed
    assert f"://tablee.test/propositions/{proposal.id}" in printed


def test_attached_live_the_facilitator_lands_back_on_the_console(client) -> None:  # type: ignore[no-untyped-def]
    world = _committee(MeetingStatus.OPEN)
    world["meeting"].current_item_id = world["decision"].id
    factories.login(client, world["facilitator"])
    response = _attach(client, world)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(
        f"/seances/{world['meeting'].id}/console#vote-panel"
    )


def test_corrected_until_the_meeting_opens_then_only_amended(client) -> None:  # type: ignore[no-untyped-def]
    world = _committee()
    proposal = services.attach_proposal(
        world["decision"], "Premier titre", "Premier texte", None, DecisionKind.GENERAL
    )
    db.session.commit()
    factories.login(client, world["facilitator"])
    path = f"/propositions/{proposal.id}/modifier"
    page = client.get(path)
    assert page.status_code == 200 and "Premier texte" in page.get_data(as_text=True)
    refused = client.post_form(path, {"title": "", "text": "Texte corrigé", "kind": "general"})
    assert refused.status_code == 422 and "Texte corrigé" in refused.get_data(as_text=True)
    saved = client.post_form(
        path,
        {"title": "Titre corrigé", "text": "Texte corrigé", "kind": "budget", "presenter_id": "0"},
    )
    assert saved.status_code == 302
    db.session.refresh(proposal)
    assert proposal.title == "Titre corrigé" and proposal.kind is DecisionKind.BUDGET
    assert [v.text for v in proposal.versions] == ["Texte corrigé"]
    world["meeting"].status = MeetingStatus.OPEN
    db.session.commit()
    assert client.get(path).status_code == 302  # to the proposal: amend it in the console
    with pytest.raises(DomainError):
        services.edit_proposal(proposal, "T", "X", None, DecisionKind.GENERAL)


def test_no_proposal_on_a_closed_meeting() -> None:
    world = _committee(MeetingStatus.CLOSED)
    with pytest.raises(DomainError):
        services.attach_proposal(world["decision"], "T", "X", None, DecisionKind.GENERAL)
