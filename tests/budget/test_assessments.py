"""A household assesses its own contribution: hand-computed suggestions for each preset, and
the declaration reaches the next monthly run, once."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from governance.budget import assessments, bulk, rules, services
from governance.budget.models import (
    AssessmentStatus,
    ContributionAssessment,
    ContributionDue,
    HouseholdStatus,
    ScaleStatus,
)
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Role
from tests import factories

C = rules.Composition


@pytest.mark.parametrize(
    ("preset", "who", "bracket", "left", "food", "expected"),
    [
        # 2 adults + 2 children = 2.1 UC; 55 € per UC → 115.50 €; a fifth of 300 € is 60 €.
        ("montpellier", C(2, 0, 2), 3, 30000, 40000, rules.Suggestion(11550, 6000, "left")),
        # alone, 1 UC, 15 € per UC: less than a fifth of 500 € and than 200 € of food.
        ("lyon8", C(1), 1, 50000, 20000, rules.Suggestion(1500, 1500, None)),
        # tiers: 5 €; nothing left after the bills: the floor, 1 €.
        ("gironde", C(1), 0, 0, 15000, rules.Suggestion(500, 100, "left")),
        # 1 adult + 2 children = 1.6 UC × 30 € = 48 €; 30 € of food today.
        ("grenoble", C(1, 0, 2), 2, 100000, 3000, rules.Suggestion(4800, 3000, "food")),
        # couple, 1.5 UC × 1 925 € = 2 887.50 €; 2.5 % = 72.1875 € → 72.19 €.
        ("ariege", C(2), 4, 200000, 60000, rules.Suggestion(7219, 7219, None)),
        # the same with 30 € left: a fifth is 6 €, under the rule's minimum of 10 €.
        ("ariege", C(2), 4, 3000, 60000, rules.Suggestion(7219, 1000, "left")),
    ],
)
def test_hand_computed_suggestions(preset, who, bracket, left, food, expected) -> None:  # type: ignore[no-untyped-def]
    rule = rules.PRESETS[preset]["contribution"]
    assert rules.self_assessment(rule, who, bracket, left, food) == expected


def _in_force(preset: str = "lyon8") -> None:
    values = rules.PRESETS[preset]
    scale = services.save_scale(None, preset, values["allocation"], values["contribution"], None)
    scale.status, scale.effective_month = ScaleStatus.ACTIVE, date(2026, 1, 1)


def _household(person=None):  # type: ignore[no-untyped-def]
    return services.save_household(
        None,
        adults=1,
        teens=0,
        children=0,
        income_bracket=1,
        contribution_cents=500,
        starts_on=date(2026, 1, 1),
        status=HouseholdStatus.ACTIVE,
        person_id=person.id if person else None,
    )


ANSWERS = assessments.Answers(2, 0, 1, 3, 40000, 50000)


def test_the_declaration_reaches_the_next_monthly_run_once() -> None:
    _in_force()
    household = _household()
    today = date.today()
    month = today.replace(day=1)
    first = assessments.declare(household, ANSWERS, 2000, None, today)
    second = assessments.declare(household, ANSWERS, 2500, None, today)
    assert first.status is AssessmentStatus.REPLACED
    # 1.8 UC × 50 € = 90 €, a fifth of 400 € is 80 €: the suggestion kept with the declaration
    assert second.suggested_cents == 8000
    assert household.contribution_cents == 500  # nothing changes before the run
    preview = bulk.monthly_run(month, confirm=False)  # a preview applies nothing…
    assert second.status is AssessmentStatus.PENDING and household.adults == 1
    # …but counts the allocation of the declared household: 150 + 75 + 45 MonA
    assert [line.allocation_cents for line in preview] == [27000]
    bulk.monthly_run(month, confirm=True)
    assert (household.contribution_cents, household.adults, household.children) == (2500, 2, 1)
    assert second.status is AssessmentStatus.APPLIED and second.applied_month == month
    due = db.session.get(ContributionDue, (household.id, month))
    assert due.cents == 2500
    household.contribution_cents = 1800  # the treasurer corrects it afterwards
    bulk.monthly_run(month, confirm=True)  # the same month again: nothing is applied again
    assert household.contribution_cents == 1800
    statuses = db.session.scalars(select(ContributionAssessment.status)).all()
    assert sorted(statuses) == [AssessmentStatus.APPLIED, AssessmentStatus.REPLACED]


def test_a_declaration_made_after_a_month_does_not_reach_that_month() -> None:
    _in_force()
    household = _household()
    assessments.declare(household, ANSWERS, 2500, None, date.today())
    bulk.monthly_run(date(2026, 2, 1), confirm=True)  # a month already past, run late
    assert household.contribution_cents == 500
    assert assessments.pending_for(household)


def test_bad_answers_are_refused() -> None:
    _in_force()
    household = _household()
    with pytest.raises(DomainError):
        assessments.declare(
            household, assessments.Answers(0, 0, 0, 1, 0, 0), 100, None, date.today()
        )
    with pytest.raises(DomainError):
        assessments.declare(
            household, assessments.Answers(1, 0, 0, 9, 0, 0), 100, None, date.today()
        )


def _answers(**changed: str) -> dict[str, str]:
    values = {
        "adults": "1",
        "teens": "0",
        "children": "0",
        "income_bracket": "1",
        "left": "500",
        "food": "200",
        "declared": "",
        "action": "compute",
    }
    return {**values, **changed}


def test_my_contribution_page(client) -> None:  # type: ignore[no-untyped-def]
    _in_force()
    person = factories.person()
    household = _household(person)
    factories.login(client, person)
    assert client.get("/ma-cotisation").status_code == 200
    bad = client.post_form("/ma-cotisation", _answers(left="beaucoup", adults="0"))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and 'value="beaucoup"' in html
    shown = client.post_form("/ma-cotisation", _answers())
    assert shown.status_code == 200
    assert 'value="15,00"' in shown.get_data(as_text=True)  # the suggestion, ready to declare
    missing = client.post_form("/ma-cotisation", _answers(action="declare"))
    assert missing.status_code == 422
    done = client.post_form("/ma-cotisation", _answers(action="declare", declared="12,50"))
    assert done.status_code == 302
    assert [a.declared_cents for a in assessments.pending_for(household)] == [1250]
    # someone else's household: refused, and a person without a household is told so
    other = _household(factories.person())
    assert client.get(f"/ma-cotisation/{other.id}").status_code == 403
    client.post_form("/deconnexion", {})
    factories.login(client, factories.person())
    page = client.get("/ma-cotisation")
    assert page.status_code == 200 and household.reference not in page.get_data(as_text=True)
    assert client.post_form("/ma-cotisation", _answers()).status_code == 404


def test_a_facilitator_fills_it_in_with_a_member_of_their_group(client) -> None:  # type: ignore[no-untyped-def]
    _in_force()
    group = factories.group()
    facilitator, member, stranger = factories.person(), factories.person(), factories.person()
    factories.membership(facilitator, group, Role.FACILITATOR)
    factories.membership(member, group)
    household, elsewhere = _household(member), _household(stranger)
    factories.login(client, facilitator)
    mine = client.get("/ma-cotisation")
    assert f"/ma-cotisation/{household.id}" in mine.get_data(as_text=True)
    assert f"/ma-cotisation/{elsewhere.id}" not in mine.get_data(as_text=True)
    done = client.post_form(
        f"/ma-cotisation/{household.id}", _answers(action="declare", declared="3")
    )
    assert done.status_code == 302
    (assessment,) = assessments.pending_for(household)
    assert assessment.filled_by_id == facilitator.id and assessment.declared_cents == 300
    assert client.get(f"/ma-cotisation/{elsewhere.id}").status_code == 403
    # the treasurer sees the change waiting for the next run
    client.post_form("/deconnexion", {})
    factories.login(client, factories.with_role(Role.TREASURER))
    page = client.get("/budget/foyers").get_data(as_text=True)
    assert household.reference in page and "3,00" in page
