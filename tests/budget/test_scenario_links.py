"""Scenarios attached to a proposal: frozen with it, read on its page as plain tables, only by
a treasurer of the group whose coming meeting holds the proposal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from governance.budget import scenario_links, scenarios
from governance.budget.models import ScenarioLink
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Role
from governance.sessions.models import ItemKind, MeetingStatus
from governance.votes import services as votes
from governance.votes.models import DecisionKind
from tests import factories
from tests.budget.test_ledger import _household, _scale

QUERY = (
    "start=2027-01&cash=10000&a-name=Lent&a-households_from=100&a-households_to=200"
    "&a-ramp_months=0&a-months=12&a-scale=0&a-share=30"
)


def _proposal(days: int = 7, status: MeetingStatus = MeetingStatus.CONVENED):  # type: ignore[no-untyped-def]
    group = factories.group()
    when = datetime.now(UTC).replace(microsecond=0) + timedelta(days=days)
    meeting = factories.meeting(group, starts_at=when, status=status)
    item = factories.item(meeting, kind=ItemKind.DECISION, title="Élargir à 200 foyers")
    proposal = votes.attach_proposal(
        item, "Élargir à 200 foyers", "Texte", None, DecisionKind.GENERAL
    )
    treasurer = factories.person()
    factories.membership(treasurer, group, Role.TREASURER)
    return proposal, treasurer, group


def _projection() -> scenarios.Projection:
    return scenarios.project(
        scenarios.Assumptions(
            name="Lent",
            start=date(2027, 1, 1),
            months=3,
            households_from=100,
            households_to=200,
            ramp_months=2,
            allocation_cents=150_00,
            contribution_cents=0,
            share_permille=300,
            cash_cents=20_000_00,
        )
    )


def test_a_treasurer_of_the_group_attaches_a_frozen_copy() -> None:
    proposal, treasurer, group = _proposal()
    member = factories.person()
    factories.membership(member, group)
    assert scenario_links.attachable(treasurer) == [proposal]
    assert scenario_links.attachable(member) == []
    scenario_links.attach(proposal, [_projection()], treasurer, date(2026, 12, 2))
    frozen = scenario_links.frozen_for(proposal)
    assert frozen is not None and frozen["computed_on"] == date(2026, 12, 2)
    (lent,) = frozen["scenarios"]
    # Households 100, 150, 200; allocations 15 000, 22 500, 30 000 €; 30 % back.
    assert [m["households"] for m in lent["months"]] == [100, 150, 200]
    assert [m["cash"] for m in lent["months"]] == [
        20_000_00 - 10_500_00,
        20_000_00 - 10_500_00 - 15_750_00,
        20_000_00 - 10_500_00 - 15_750_00 - 21_000_00,
    ]
    assert lent["runs_out"] == date(2027, 2, 1) and lent["gap"] == 27_250_00
    assert lent["inputs"]["share_permille"] == 300
    with pytest.raises(DomainError):  # frozen: never replaced
        scenario_links.attach(proposal, [_projection()], treasurer, date(2026, 12, 3))
    with pytest.raises(DomainError):
        scenario_links.attach(_proposal()[0], [], treasurer, date(2026, 12, 2))


def test_only_a_coming_meeting_of_the_treasurers_group() -> None:
    past, treasurer, _g = _proposal(days=-3)
    held, other, _g = _proposal()
    held.item.meeting.status = MeetingStatus.CLOSED
    assert not scenario_links.can_attach_scenario(treasurer, past)
    assert not scenario_links.can_attach_scenario(other, held)
    elsewhere, _t, _g = _proposal()
    assert not scenario_links.can_attach_scenario(treasurer, elsewhere)


def test_attach_from_the_page_and_read_it_with_the_proposal(client) -> None:  # type: ignore[no-untyped-def]
    _scale()
    _household("F-1")
    proposal, treasurer, group = _proposal()
    db.session.commit()
    factories.login(client, treasurer)
    page = client.get(f"/budget/scenarios?{QUERY}").get_data(as_text=True)
    assert (
        "Élargir à 200 foyers" in page and f"/budget/propositions/{proposal.id}/scenarios" in page
    )
    url = f"/budget/propositions/{proposal.id}/scenarios?{QUERY}"
    done = client.post(url, data={"csrf_token": client.csrf_token()})
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/propositions/{proposal.id}"
    )
    link = db.session.scalars(select(ScenarioLink)).one()
    assert link.frozen["scenarios"][0]["inputs"]["name"] == "Lent"
    again = client.post(url, data={"csrf_token": client.csrf_token()})
    assert again.status_code == 422  # attached once, kept as it was
    # a member of the group reads it on the proposal's page, as a table, without script
    member = factories.person()
    factories.membership(member, group)
    db.session.commit()
    client.post("/deconnexion", data={"csrf_token": client.csrf_token()})
    factories.login(client, member)
    html = client.get(f"/propositions/{proposal.id}").get_data(as_text=True)
    assert "Les scénarios d’élargissement joints" in html and "Lent" in html
    section = html.split("frozen-scenarios")[1].split("</section>")[0]
    assert "<table" in section and "<script" not in section
    # and may not attach one
    assert client.post(url, data={"csrf_token": client.csrf_token()}).status_code == 403
