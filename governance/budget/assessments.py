"""A household assesses its own contribution (Montpellier's *grille d'autodétermination*): a
few answers give the amount the scale in force suggests, the household declares what it will
give, and the next monthly run applies the declaration to the household, once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from governance.budget import rules
from governance.budget.models import (
    AssessmentStatus,
    ContributionAssessment,
    Household,
    Scale,
)
from governance.budget.services import active_scale, check_household
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Person

MAX_MONTHLY_CENTS = 1_000_000_00  # a monthly budget past a million euros is a slip


@dataclass(frozen=True)
class Answers:
    adults: int
    teens: int
    children: int
    income_bracket: int
    left_cents: int
    food_cents: int

    @property
    def who(self) -> rules.Composition:
        return rules.Composition(self.adults, self.teens, self.children)


def check_answers(answers: Answers) -> None:
    check_household(answers.adults, answers.teens, answers.children, answers.income_bracket, 0)
    for name, cents in (("left", answers.left_cents), ("food", answers.food_cents)):
        if not 0 <= cents <= MAX_MONTHLY_CENTS:
            raise DomainError(_l("Between 0 and 1 000 000 €."), name)


def suggest(answers: Answers, on: date) -> tuple[Scale | None, rules.Suggestion | None]:
    """What the scale in force that month suggests for these answers (None without a scale)."""
    check_answers(answers)
    scale = active_scale(on.replace(day=1))
    if scale is None:
        return None, None
    return scale, rules.self_assessment(
        scale.contribution,
        answers.who,
        answers.income_bracket,
        answers.left_cents,
        answers.food_cents,
    )


def declare(
    household: Household, answers: Answers, declared_cents: int, by: Person | None, on: date
) -> ContributionAssessment:
    """Record what the household will give; an earlier declaration not yet applied is replaced."""
    scale, suggestion = suggest(answers, on)
    check_household(
        answers.adults, answers.teens, answers.children, answers.income_bracket, declared_cents
    )
    for earlier in pending_for(household):
        earlier.status = AssessmentStatus.REPLACED
    assessment = ContributionAssessment(
        household_id=household.id,
        adults=answers.adults,
        teens=answers.teens,
        children=answers.children,
        income_bracket=answers.income_bracket,
        left_cents=answers.left_cents,
        food_cents=answers.food_cents,
        scale_id=scale.id if scale else None,
        suggested_cents=suggestion.suggested_cents if suggestion else None,
        declared_cents=declared_cents,
        filled_by_id=by.id if by else None,
    )
    db.session.add(assessment)
    db.session.flush()
    return assessment


def pending_for(household: Household) -> list[ContributionAssessment]:
    return list(
        db.session.scalars(
            select(ContributionAssessment).where(
                ContributionAssessment.household_id == household.id,
                ContributionAssessment.status == AssessmentStatus.PENDING,
            )
        )
    )


def history(household: Household, limit: int = 5) -> list[ContributionAssessment]:
    return list(
        db.session.scalars(
            select(ContributionAssessment)
            .where(ContributionAssessment.household_id == household.id)
            .order_by(ContributionAssessment.id.desc())
            .limit(limit)
        )
    )


def pending() -> list[tuple[ContributionAssessment, Household]]:
    """The declarations the next monthly run will apply, for the treasurer."""
    rows = db.session.execute(
        select(ContributionAssessment, Household)
        .join(Household, Household.id == ContributionAssessment.household_id)
        .where(ContributionAssessment.status == AssessmentStatus.PENDING)
        .order_by(ContributionAssessment.id)
    )
    return [(a, h) for a, h in rows]


def due_for(month: date) -> list[tuple[ContributionAssessment, Household]]:
    """The declarations the run of ``month`` applies: made before its end, not yet applied."""
    month = month.replace(day=1)
    end = datetime.combine((month + timedelta(days=32)).replace(day=1), datetime.min.time(), UTC)
    rows = db.session.execute(
        select(ContributionAssessment, Household)
        .join(Household, Household.id == ContributionAssessment.household_id)
        .where(
            ContributionAssessment.status == AssessmentStatus.PENDING,
            ContributionAssessment.created_at < end,
        )
    ).all()
    return [(a, h) for a, h in rows]


def apply_pending(month: date) -> int:
    """Called by the monthly run: every declaration due changes its household, and is marked
    applied (a second run finds none)."""
    month = month.replace(day=1)
    rows = due_for(month)
    for assessment, household in rows:
        household.adults, household.teens = assessment.adults, assessment.teens
        household.children = assessment.children
        household.income_bracket = assessment.income_bracket
        household.contribution_cents = assessment.declared_cents
        assessment.status, assessment.applied_month = AssessmentStatus.APPLIED, month
    db.session.flush()
    return len(rows)
