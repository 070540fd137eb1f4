"""Participation over time, figures worked out by hand."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from governance.budget import reports
from governance.evaluation import participation
from governance.extensions import db
from governance.people.models import Role
from governance.sessions import services as meetings
from governance.sessions.models import AttendanceStatus, MeetingStatus
from governance.votes import services as votes
from governance.votes.models import Objection, ObjectionStatus, RoundKind, Value
from tests import factories
from tests.votes.helpers import open_proposal


def _this_month() -> list[date]:
    month = date.today().replace(day=1)
    return [reports.add_months(month, -1), month]


def test_attendance_regularity_positions_objections() -> None:
    proposal, people = open_proposal(members=5)  # 5 present, people[0] facilitates
    meeting = proposal.item.meeting
    group = meeting.group
    second = factories.meeting(group, status=MeetingStatus.OPEN, title="Deuxième")
    meetings.mark_attendance(second, people[0], AttendanceStatus.PRESENT, None)
    meetings.mark_attendance(second, people[1], AttendanceStatus.EXCUSED, None)
    second.status = MeetingStatus.CLOSED
    factories.meeting(group, status=MeetingStatus.DRAFT, title="Pas encore tenue")
    round_ = votes.open_round(proposal, RoundKind.CONSENT)
    votes.give_position(round_, people[1], Value.CONSENT)
    votes.give_position(round_, people[2], Value.CONSENT, recorded_by=people[0])  # no phone
    votes.give_position(round_, people[4], Value.OBJECTION, "Trop tôt", recorded_by=people[0])
    votes.close_round(round_)
    objection = db.session.scalars(select(Objection)).all()[-1]
    votes.resolve_objection(objection, ObjectionStatus.WITHDRAWN, "Retirée")
    meeting.status = MeetingStatus.CLOSED
    months = _this_month()

    presence, regularity = participation.attendance(group, months)
    # two held meetings (the draft is not counted): 5 present; then 1 present, 1 excused
    assert [row[2:] for row in presence.rows] == [[5, 0, 5], [1, 1, 5]]
    # people[0] came to both, the four others to one of two: half or more
    assert dict(regularity.rows) == {"none": 0, "fewer_than_half": 0, "half_or_more": 4, "all": 1}

    positions = participation.positions(group, months)
    assert positions.rows[-1][1:] == [3, 2]  # 3 positions, 2 recorded in the room
    objections = participation.objections(group, months)
    statuses = objections.columns[1:]
    assert dict(zip(statuses, objections.rows[-1][1:], strict=True)) == {
        "raised": 0,
        "integrated": 0,
        "withdrawn": 1,
        "not_blocking": 0,
    }
    decisions = participation.decisions(group, months)
    assert decisions.rows[-1][1] == 1  # adopted once the objection was withdrawn


def test_turnover_counts_arrivals_and_departures_not_changes_of_role() -> None:
    group = factories.group()
    month = date(2026, 3, 1)
    stays, leaves, comes = factories.person(), factories.person(), factories.person()
    factories.membership(stays, group, starts_on=date(2025, 1, 1))
    factories.membership(stays, group, Role.FACILITATOR, starts_on=date(2026, 3, 10))
    factories.membership(leaves, group, starts_on=date(2025, 1, 1), ends_on=date(2026, 3, 31))
    factories.membership(comes, group, starts_on=date(2026, 3, 15))
    rows = participation.turnover(group, [date(2026, 2, 1), month, date(2026, 4, 1)]).rows
    assert rows == [
        [date(2026, 2, 1), 0, 0, 2],
        [month, 1, 1, 2],  # leaves' last day is 31 March: gone on 1 April
        [date(2026, 4, 1), 0, 0, 2],
    ]


def test_spending_by_kind_per_month_and_binomes() -> None:
    from governance.conventionnement.models import PosKind
    from tests.budget.test_reports import MARCH, _books

    _one, _two, shops = _books()
    measure = participation.spending([MARCH, reports.next_month(MARCH)])
    by_kind = dict(zip(measure.columns[1:], measure.rows[0][1:], strict=True))
    assert by_kind == {PosKind.SHOP.value: 115_00, PosKind.GROCERY.value: 11_00}
    assert measure.rows[1][1:] == [0, 0]
    assert participation.binomes(shops[0].group, [MARCH]).rows == [[MARCH, 0, 0]]


def test_the_page_and_its_csv(client) -> None:  # type: ignore[no-untyped-def]
    proposal, _people = open_proposal(members=5)
    group = proposal.item.meeting.group
    factories.login(client, factories.with_role(Role.EVALUATOR))
    page = client.get(f"/evaluation?groupe={group.id}")
    assert page.status_code == 200
    assert page.get_data(as_text=True).count('class="chart"') == 8
    csv = client.get(f"/evaluation/presence.csv?groupe={group.id}")
    assert csv.status_code == 200
    assert csv.get_data(as_text=True).splitlines()[0] == "day,meeting,present,excused,members"
    assert client.get("/evaluation?groupe=999999").status_code == 404
    assert client.get("/evaluation/nothing.csv").status_code == 404
