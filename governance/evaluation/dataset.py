"""The pseudonymised dataset of the people who consented to research use: their profile
facts, coarsened; their participation; their household's figures. No name, username, e-mail,
phone, id or date that could lead back to them: each person is a random pseudonym, kept from
one export to the next."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import func, select

from governance.budget import reports
from governance.budget.models import Household, HouseholdStatus
from governance.conventionnement.models import VisitMember
from governance.evaluation import participation, policy
from governance.evaluation.models import Profile
from governance.extensions import db
from governance.people.models import Group, GroupKind, Membership, Person
from governance.sessions.models import COUNTS_FOR_QUORUM, Attendance, Meeting
from governance.votes.models import Objection, Position

RARE = "other"  # what a category shared by fewer than MIN_CELL exported people becomes
COLUMNS = [
    "pseudonym",
    "age_band",
    "gender",
    "household_size",
    "income",
    "food_aid",
    "came_by",
    "on_committee",
    "meetings_attended_12m",
    "positions_12m",
    "positions_recorded_in_room_12m",
    "objections_raised_12m",
    "binome_visits",
    "household_persons",
    "household_below_line",
    "household_months_enrolled",
]
CATEGORIES = ("age_band", "gender", "household_size", "income", "food_aid", "came_by")


def consenting() -> list[Profile]:
    return list(
        db.session.scalars(
            select(Profile)
            .join(Person, Person.id == Profile.person_id)
            .where(
                Profile.research_consent.is_(True),
                Person.active.is_(True),
                Person.erased_at.is_(None),
            )
        )
    )


def _count_by_person(query: Any) -> Counter[int]:
    return Counter({p: int(n) for p, n in db.session.execute(query)})


def _value(value: Any) -> Any:
    return "" if value is None else getattr(value, "value", value)


def _profile_cells(profile: Profile) -> dict[str, Any]:
    size = profile.household_size
    below = policy.below_line(profile.income_bracket)
    return {
        "age_band": _value(profile.age_band),
        "gender": _value(profile.gender),
        "household_size": "" if size is None else str(min(size, 5)),
        "income": "" if below is None else ("below_line" if below else "above_line"),
        "food_aid": _value(profile.food_aid),
        "came_by": _value(profile.came_by),
    }


def coarsen(rows: list[dict[str, Any]], categories: tuple[str, ...] = CATEGORIES) -> None:
    """A category fewer than ``MIN_CELL`` exported people share becomes ``other``."""
    for column in categories:
        counts = Counter(row[column] for row in rows if row[column] != "")
        for row in rows:
            if row[column] != "" and counts[row[column]] < policy.MIN_CELL:
                row[column] = RARE


def survey_columns() -> list[str]:
    """One column per campaign, wave and choice question (free text is never exported)."""
    from governance.evaluation import surveys

    return [
        _survey_column(c.id, w.number, q["code"])
        for c in sorted(surveys.campaigns(), key=lambda c: c.id)
        for w in c.waves
        for s in c.definition["sections"]
        for q in s["questions"]
        if q["type"] == "choice"
    ]


def _survey_column(campaign: int, wave: int, code: str) -> str:
    return f"survey{campaign}_wave{wave}_{code}"


def _survey_answers(ids: list[int]) -> dict[int, dict[str, str]]:
    from governance.evaluation.models import SurveyAnswer, SurveyResponse, SurveyWave

    found: dict[int, dict[str, str]] = {}
    rows = db.session.execute(
        select(
            SurveyResponse.person_id,
            SurveyWave.campaign_id,
            SurveyWave.number,
            SurveyAnswer.question,
            SurveyAnswer.value,
        )
        .join(SurveyWave, SurveyWave.id == SurveyResponse.wave_id)
        .join(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyResponse.person_id.in_(ids), SurveyResponse.submitted_at.is_not(None))
    )
    for person, campaign, wave, code, value in rows:
        found.setdefault(person, {})[_survey_column(campaign, wave, code)] = value
    return found


def columns() -> list[str]:
    return COLUMNS + survey_columns()


def rows(today: date) -> list[list[Any]]:
    profiles = consenting()
    ids = [p.person_id for p in profiles]
    if not ids:
        return []
    asked = survey_columns()
    answered = _survey_answers(ids)
    since = participation.at_start(participation.period(today)[0])
    attended = _count_by_person(
        select(Attendance.person_id, func.count())
        .join(Meeting, Meeting.id == Attendance.meeting_id)
        .where(
            Attendance.person_id.in_(ids),
            Attendance.status.in_(COUNTS_FOR_QUORUM),
            Meeting.starts_at >= since,
        )
        .group_by(Attendance.person_id)
    )
    given = select(Position.person_id, func.count()).where(
        Position.person_id.in_(ids), Position.updated_at >= since
    )
    positions = _count_by_person(given.group_by(Position.person_id))
    in_room = _count_by_person(
        given.where(
            Position.recorded_by_id.is_not(None), Position.recorded_by_id != Position.person_id
        ).group_by(Position.person_id)
    )
    objections = _count_by_person(
        select(Objection.person_id, func.count())
        .where(Objection.person_id.in_(ids))
        .group_by(Objection.person_id)
    )
    visits = _count_by_person(
        select(VisitMember.person_id, func.count())
        .where(VisitMember.person_id.in_(ids))
        .group_by(VisitMember.person_id)
    )
    on_committee = set(
        db.session.scalars(
            select(Membership.person_id)
            .join(Group, Group.id == Membership.group_id)
            .where(
                Membership.person_id.in_(ids),
                Membership.is_current(today),
                Group.kind == GroupKind.COMMITTEE,
            )
        )
    )
    households = {
        h.person_id: h
        for h in db.session.scalars(
            select(Household).where(
                Household.person_id.in_(ids), Household.status != HouseholdStatus.LEFT
            )
        )
    }
    rows = []
    for profile in profiles:
        pid = profile.person_id
        household = households.get(pid)
        row = {"pseudonym": profile.pseudonym, **_profile_cells(profile)}
        row.update(
            on_committee="yes" if pid in on_committee else "no",
            meetings_attended_12m=attended[pid],
            positions_12m=positions[pid],
            positions_recorded_in_room_12m=in_room[pid],
            objections_raised_12m=objections[pid],
            binome_visits=visits[pid],
            **_household_cells(household, today),
        )
        row.update({c: answered.get(pid, {}).get(c, "") for c in asked})
        rows.append(row)
    coarsen(rows, CATEGORIES + tuple(asked))
    rows.sort(key=lambda r: r["pseudonym"])  # never the order of the ids
    return [[row[c] for c in COLUMNS + asked] for row in rows]


def _household_cells(household: Household | None, today: date) -> dict[str, Any]:
    if household is None:
        return {
            "household_persons": "",
            "household_below_line": "",
            "household_months_enrolled": "",
        }
    persons = household.adults + household.teens + household.children
    below = policy.below_line(household.income_bracket)
    start = household.starts_on.replace(day=1)
    months = max(0, len(reports.months_between(start, today)) - 1)
    return {
        "household_persons": min(persons, 5),
        "household_below_line": "yes" if below else "no",
        "household_months_enrolled": months,
    }


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()
