"""Decisions followed up: a review date 59 days ahead is shown to the group's facilitator,
61 days ahead is not; one step puts it on the coming agenda (once); an approval ending soon is
shown to the conventionnement group's members and flagged to the treasurer."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import select

from governance.conventionnement import services as pos_services
from governance.conventionnement.models import PosKind, PosStatus
from governance.extensions import db
from governance.people.models import Role
from governance.sessions.models import AgendaItem, MeetingStatus
from governance.votes import services as votes
from governance.votes.models import Decision, RoundKind, Value
from tests import factories
from tests.votes.helpers import open_proposal


def _decided(review_in_days: int, facilitator: Any = None) -> tuple[Decision, list[Any]]:
    proposal, people = open_proposal(members=3)
    proposal.review_on = date.today() + timedelta(days=review_in_days)
    if facilitator is not None:
        factories.membership(facilitator, proposal.item.meeting.group, Role.FACILITATOR)
    round_ = votes.open_round(proposal, RoundKind.CONSENT)
    for person in people:
        votes.give_position(round_, person, Value.CONSENT)
    votes.close_round(round_)
    decision = db.session.scalars(select(Decision).where(Decision.proposal_id == proposal.id)).one()
    return decision, people


def test_review_dates_within_sixty_days_and_one_step_to_the_agenda(app: Any) -> None:
    soon, people = _decided(59)
    later, _others = _decided(61, facilitator=people[0])
    coming = factories.meeting(
        soon.group,
        status=MeetingStatus.DRAFT,
        title="Séance de février",
        starts_at=datetime.now(UTC) + timedelta(days=10),
    )
    db.session.commit()
    facilitator, member = app.test_client(), app.test_client()
    factories.login(facilitator, people[0])
    factories.login(member, people[1])
    home = facilitator.get("/pour-moi").get_data(as_text=True)
    assert soon.reference in home and "dans 59 jours" in home
    assert later.reference not in home
    assert soon.reference not in member.get("/pour-moi").get_data(as_text=True)  # facilitators'

    url = f"/pour-moi/revoir/{soon.id}"
    assert member.post_form(url, {}).status_code in (403, 404)
    done = facilitator.post_form(url, {})
    assert done.status_code == 302
    items = db.session.scalars(select(AgendaItem).where(AgendaItem.meeting_id == coming.id)).all()
    assert [i.title for i in items] == [f"Révision : {soon.title} ({soon.reference})"]
    assert facilitator.post_form(url, {}).status_code == 422  # already there: not twice
    home = facilitator.get("/pour-moi").get_data(as_text=True)
    assert "À l'ordre du jour de Séance de février" in home


def test_an_approval_ending_soon_is_shown_and_flagged_to_the_treasurer(app: Any) -> None:
    group = factories.group()
    member, facilitator = factories.person(), factories.person()
    factories.membership(member, group)
    factories.membership(facilitator, group, Role.FACILITATOR)
    treasurer = factories.person()
    factories.membership(treasurer, factories.group(), Role.TREASURER)
    pos = pos_services.propose(group, member, "Boulangerie du coin", PosKind.BAKERY, why="x")
    pos.status, pos.review_on = PosStatus.APPROVED, date.today() + timedelta(days=30)
    far = pos_services.propose(group, member, "Épicerie lointaine", PosKind.GROCERY, why="x")
    far.status, far.review_on = PosStatus.APPROVED, date.today() + timedelta(days=200)
    factories.meeting(
        group, status=MeetingStatus.DRAFT, starts_at=datetime.now(UTC) + timedelta(days=5)
    )
    db.session.commit()
    clients = {}
    for name, person in (
        ("member", member),
        ("facilitator", facilitator),
        ("treasurer", treasurer),
    ):
        clients[name] = app.test_client()
        factories.login(clients[name], person)
    seen = clients["member"].get("/pour-moi").get_data(as_text=True)
    assert "Boulangerie du coin" in seen and "Épicerie lointaine" not in seen
    assert "Mettre à l'ordre du jour" not in seen  # members see it; facilitators schedule it
    run = clients["facilitator"].get("/pour-moi").get_data(as_text=True)
    assert "Mettre à l'ordre du jour" in run
    flagged = clients["treasurer"].get("/pour-moi").get_data(as_text=True)
    assert "Boulangerie du coin" in flagged and "refusés à l'import" in flagged
