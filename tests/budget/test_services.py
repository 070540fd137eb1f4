"""Households (CSV import all or nothing) and scales adopted by the committee's decision."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from governance.budget import rules, services
from governance.budget.models import Household, ScaleStatus
from governance.errors import DomainError
from governance.extensions import db
from governance.sessions import services as meetings
from governance.sessions.models import AttendanceStatus, MeetingStatus
from governance.votes import services as votes
from governance.votes.models import Outcome, Value
from tests import factories

HEADER = "reference,adults,teens,children,income_bracket,contribution,starts_on,status\n"


def test_import_is_all_or_nothing_with_a_line_by_line_report() -> None:
    bad = HEADER + (
        "F-1,1,0,0,2,10.50,2026-01-01,active\n"
        "F-2,0,0,1,2,5,2026-01-01,active\n"  # no adult
        "F-3,2,0,0,9,5,2026-01-01,active\n"  # unknown bracket
        "F-4,2,0,0,1,cinq,2026-01-01,active\n"
        "F-1,1,0,0,1,5,2026-01-01,active\n"
    )  # same reference twice
    count, report = services.import_csv(bad)
    assert count == 0 and [line.number for line in report] == [3, 4, 5, 6]
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0
    good = HEADER + 'F-1,1,0,0,2,"10,50",2026-01-01,active\nF-2,2,1,2,0,1,2026-02-01,paused\n'
    count, report = services.import_csv(good)
    assert (count, report) == (2, [])
    first = db.session.scalar(select(Household).where(Household.reference == "F-1"))
    assert first.contribution_cents == 1050  # a comma is a decimal point, never a float


def test_missing_columns_are_reported() -> None:
    count, report = services.import_csv("reference,adults\nF-1,1\n")
    assert count == 0 and "income_bracket" in report[0].errors[0]


def test_euros_to_cents_half_up() -> None:
    assert rules.to_cents("0.005") == 1 and rules.to_cents("12.344") == 1234
    assert rules.to_cents("12.345") == 1235


def test_population_counts_only_active_households() -> None:
    services.save_household(
        None,
        adults=1,
        teens=0,
        children=0,
        income_bracket=1,
        contribution_cents=500,
        starts_on=date(2026, 1, 1),
        status=services.HouseholdStatus.ACTIVE,
    )
    services.save_household(
        None,
        adults=2,
        teens=0,
        children=0,
        income_bracket=1,
        contribution_cents=500,
        starts_on=date(2026, 1, 1),
        status=services.HouseholdStatus.LEFT,
    )
    assert sum(m.count for m in services.population()) == 1


def test_bad_rules_are_refused() -> None:
    with pytest.raises(DomainError):
        services.save_scale(None, "Cassé", {"kind": "magique"}, {"kind": "tiers"}, None)


def test_an_adopted_proposal_is_in_force_from_its_month() -> None:
    group = factories.group()
    people = [factories.person() for _ in range(2)]
    for person in people:
        factories.membership(person, group, starts_on=date(2025, 1, 1))
    meeting = factories.meeting(group, status=MeetingStatus.OPEN)
    for person in people:
        meetings.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)
    lyon = rules.PRESETS["lyon8"]
    scale = services.save_scale(None, "Lyon", lyon["allocation"], lyon["contribution"], None)
    item = services.put_on_agenda(scale, meeting, date(2027, 1, 15))
    meeting.current_item_id = item.id
    proposal = votes.attach_proposal(
        item, "Barème Lyon", "Texte", None, votes.DecisionKind.CONTRIBUTION_SCALE
    )
    round_ = votes.open_round(proposal)
    for person in people:
        votes.give_position(round_, person, Value.CONSENT)
    assert votes.close_round(round_) is Outcome.ADOPTED
    assert scale.status is ScaleStatus.ACTIVE and scale.effective_month == date(2027, 1, 1)
    assert services.active_scale(date(2026, 12, 1)) is None
    assert services.active_scale(date(2027, 3, 1)) is scale
    with pytest.raises(DomainError):  # an adopted scale never changes
        services.save_scale(scale, "Autre", lyon["allocation"], lyon["contribution"], None)
