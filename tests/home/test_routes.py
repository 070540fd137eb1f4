"""The page each person lands on after logging in: what is next for them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from governance.budget.models import Household
from governance.conventionnement import services as pos_services
from governance.conventionnement.models import PosKind
from governance.extensions import db
from governance.people import services as people
from governance.people.models import GroupKind, Role
from governance.sessions import services as meetings
from governance.sessions.models import AttendanceStatus, ItemKind, MeetingStatus
from governance.votes import queries
from governance.votes import services as votes
from governance.votes.models import DecisionKind, Value
from tests import factories


def _member_without_email() -> Any:
    person = factories.person(display_name="Ahmed Benali", email=None, username="ahmed.benali")
    people.set_pin(person, "583946")
    return person


def test_a_member_without_email_lands_on_what_is_next_not_on_the_account(client) -> None:  # type: ignore[no-untyped-def]
    person = _member_without_email()
    db.session.commit()
    response = client.post_form("/connexion", {"identifier": "ahmed.benali", "secret": "583946"})
    assert response.status_code == 302
    assert response.headers["Location"] == "/pour-moi"
    page = client.get("/pour-moi")
    assert page.status_code == 200 and "Ahmed Benali" in page.get_data(as_text=True)
    assert client.get("/connexion").headers["Location"] == "/pour-moi"
    assert person.id


def test_a_login_card_lands_there_once_the_pin_is_chosen(client) -> None:  # type: ignore[no-untyped-def]
    person = factories.person(email=None, password=None)  # cards are for members without one
    code = people.issue_login_card(person, None)
    db.session.commit()
    response = client.post_form("/carte", {"code": code})
    assert response.headers["Location"] == "/compte/code"
    response = client.post_form("/compte/code", {"pin": "482915", "pin_again": "482915"})
    assert response.status_code == 302 and response.headers["Location"] == "/pour-moi"


def _world() -> dict[str, Any]:
    committee = factories.group(name="Comité citoyen", kind=GroupKind.COMMITTEE)
    facilitator = factories.person(display_name="Karim Haddad")
    member = factories.person(display_name="Fatou Diallo")
    factories.membership(facilitator, committee, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    factories.membership(member, committee, starts_on=date(2025, 1, 1))
    soon = datetime.now(UTC) + timedelta(days=3)
    convened = factories.meeting(
        committee, title="Séance de décembre", status=MeetingStatus.CONVENED, starts_at=soon
    )
    item = factories.item(convened, kind=ItemKind.DECISION, title="Deuxième marché")
    votes.attach_proposal(item, "Un marché le samedi", "Texte", None, DecisionKind.GENERAL)
    draft = factories.meeting(committee, title="Séance de janvier", starts_at=soon)
    return {
        "committee": committee,
        "facilitator": facilitator,
        "member": member,
        "convened": convened,
        "draft": draft,
    }


def test_next_meetings_with_their_proposals_and_the_household(client) -> None:  # type: ignore[no-untyped-def]
    world = _world()
    db.session.add(
        Household(
            reference="F-00042",
            adults=1,
            income_bracket=1,
            contribution_cents=1500,
            starts_on=date(2025, 9, 1),
            person_id=world["member"].id,
        )
    )
    factories.login(client, world["member"])
    page = client.get("/pour-moi").get_data(as_text=True)
    assert "Séance de décembre" in page and "Un marché le samedi" in page
    assert "Séance de janvier" not in page  # a draft is for whoever prepares it
    assert "/budget/mon-foyer" in page and "15,00\xa0€" in page
    assert client.get("/budget/mon-foyer").status_code == 200


def test_an_open_round_is_one_big_button_to_the_room(client) -> None:  # type: ignore[no-untyped-def]
    world = _world()
    meeting, member = world["convened"], world["member"]
    meeting.status = MeetingStatus.OPEN
    meeting.current_item_id = meeting.items[0].id
    meetings.mark_attendance(meeting, member, AttendanceStatus.PRESENT, world["facilitator"])
    proposal = queries.proposal_for_item(meeting.items[0].id)
    round_ = votes.open_round(proposal)
    factories.login(client, member)
    page = client.get("/pour-moi").get_data(as_text=True)
    assert f"/seances/{meeting.id}/salle" in page and "next-urgent" in page
    votes.give_position(round_, member, Value.CONSENT)
    db.session.commit()
    assert "next-urgent" not in client.get("/pour-moi").get_data(as_text=True)


def test_the_visits_of_my_binome(client) -> None:  # type: ignore[no-untyped-def]
    world = _world()
    member = world["member"]
    pos_services.ensure_defaults()
    farm = pos_services.propose(
        world["committee"], member, "Ferme des Garrigues", PosKind.PRODUCER, why="Proche"
    )
    pos_services.assign_visit(
        farm, [member, world["facilitator"]], date(2026, 12, 1), world["facilitator"]
    )
    factories.login(client, member)
    page = client.get("/pour-moi").get_data(as_text=True)
    assert "Ferme des Garrigues" in page and "/visites/" in page


def test_somebody_with_no_group_and_no_household_is_told_so(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.person())
    response = client.get("/pour-moi")
    assert response.status_code == 200
    assert "/budget/mon-foyer" not in response.get_data(as_text=True)


def test_the_landing_page_costs_the_same_whatever_the_agenda(client, queries) -> None:  # type: ignore[no-untyped-def]
    world = _world()
    factories.login(client, world["member"])
    client.get("/pour-moi")
    queries.statements.clear()
    client.get("/pour-moi")
    small = queries.count
    for n in range(6):  # more items and proposals on the same meetings
        item = factories.item(world["convened"], kind=ItemKind.DECISION, title=f"Décision {n}")
        votes.attach_proposal(item, f"Proposition {n}", "Texte", None, DecisionKind.GENERAL)
    db.session.commit()
    queries.statements.clear()
    page = client.get("/pour-moi").get_data(as_text=True)
    assert "Proposition 5" in page
    assert queries.count == small, "\n".join(queries.statements)


def test_check_in_from_the_landing_page(client) -> None:  # type: ignore[no-untyped-def]
    world = _world()
    meeting = world["convened"]
    factories.login(client, world["member"])
    assert 'id="check-in-form"' not in client.get("/pour-moi").get_data(as_text=True)
    meeting.status = MeetingStatus.OPEN  # opened: the form is where she lands
    db.session.commit()
    page = client.get("/pour-moi").get_data(as_text=True)
    assert 'id="check-in-form"' in page and meeting.code not in page  # she types what she sees
    response = client.post_form("/seances/presence", {"code": meeting.code.lower()})
    assert response.headers["Location"] == f"/seances/{meeting.id}/salle"
    page = client.get("/pour-moi").get_data(as_text=True)
    assert 'id="check-in-form"' not in page and f"/seances/{meeting.id}/salle" in page
