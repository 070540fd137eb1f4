"""Survey campaigns: who is asked, answers saved screen by screen (or keyed in from paper),
response rates, and results per question and over the waves."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from governance.budget import reports
from governance.budget.models import Household, HouseholdStatus
from governance.conventionnement.services import check_questionnaire, question_codes
from governance.db import utcnow
from governance.errors import DomainError
from governance.evaluation import policy
from governance.evaluation.models import (
    Audience,
    SurveyAnswer,
    SurveyCampaign,
    SurveyResponse,
    SurveyWave,
)
from governance.extensions import db
from governance.people.models import Group, GroupKind, Membership, Person, Role

PLANS = {"waves": (0, 6, 12), "one_off": (0,)}
MAX_TEXT = 4000


def create(
    title: str,
    audience: Audience,
    plan: str,
    opens_on: date,
    definition: dict,
    by: Person,  # type: ignore[type-arg]
) -> SurveyCampaign:
    check_questionnaire(definition)
    if plan not in PLANS:
        raise DomainError(_l("Choose how the survey is repeated."), "plan")
    campaign = SurveyCampaign(
        title=title.strip(), audience=audience, definition=definition, created_by_id=by.id
    )
    for number, months in enumerate(PLANS[plan], start=1):
        campaign.waves.append(
            SurveyWave(
                number=number,
                months_after=months,
                opens_on=_later(opens_on, months),
            )
        )
    db.session.add(campaign)
    db.session.flush()
    return campaign


def _later(day: date, months: int) -> date:
    """The same day ``months`` later (the 28th at most, so that every month has it)."""
    if not months:
        return day
    return reports.add_months(day.replace(day=1), months).replace(day=min(day.day, 28))


def asked(audience: Audience, on: date) -> set[int]:
    """The people a survey of this audience asks, today."""
    if audience is Audience.HOUSEHOLDS:
        query = select(Household.person_id).where(
            Household.person_id.is_not(None), Household.status != HouseholdStatus.LEFT
        )
    else:
        query = (
            select(Membership.person_id)
            .join(Group, Group.id == Membership.group_id)
            .where(
                Group.kind == GroupKind.COMMITTEE,
                Membership.is_current(on),
                Membership.role != Role.EVALUATOR,
            )
        )
    return set(db.session.scalars(query))


def _joined() -> dict[int, date]:
    """Each household person's joining date (the earliest, should they have two)."""
    rows = db.session.execute(
        select(Household.person_id, Household.starts_on).where(
            Household.person_id.is_not(None), Household.status != HouseholdStatus.LEFT
        )
    ).all()
    found: dict[int, date] = {}
    for person_id, starts_on in rows:
        found[person_id] = min(starts_on, found.get(person_id, starts_on))
    return found


def due_on(wave: SurveyWave, joined: date) -> date:
    """When a wave asks a household: its baseline when it joins, the later waves so many months
    after that. A household that joined before the campaign began takes the campaign's first
    day as its own start, since nobody can be asked in the past."""
    start = max(joined, wave.campaign.waves[0].opens_on)
    return _later(start, wave.months_after)


def asked_in(wave: SurveyWave, on: date, joined: dict[int, date] | None = None) -> set[int]:
    """The people this wave asks by ``on``: households from their own joining date, a
    committee survey from the wave's date."""
    if wave.campaign.audience is Audience.HOUSEHOLDS:
        joined = _joined() if joined is None else joined
        return {p for p, day in joined.items() if due_on(wave, day) <= on}
    return asked(wave.campaign.audience, on) if wave.opens_on <= on else set()


def open_waves(person: Person, on: date) -> list[SurveyWave]:
    """For each campaign, the latest wave due for this person, unless they have finished it."""
    done = set(
        db.session.scalars(
            select(SurveyResponse.wave_id).where(
                SurveyResponse.person_id == person.id, SurveyResponse.submitted_at.is_not(None)
            )
        )
    )
    joined = _joined()
    latest: dict[int, SurveyWave] = {}
    for wave in db.session.scalars(select(SurveyWave).order_by(SurveyWave.number)):
        if person.id in asked_in(wave, on, joined):
            latest[wave.campaign_id] = wave
    return [w for w in latest.values() if w.id not in done]


def is_asked(wave: SurveyWave, person: Person, on: date) -> bool:
    return person.id in asked_in(wave, on)


def find_response(wave: SurveyWave, person: Person) -> SurveyResponse | None:
    return db.session.scalar(
        select(SurveyResponse).where(
            SurveyResponse.wave_id == wave.id, SurveyResponse.person_id == person.id
        )
    )


def response_for(
    wave: SurveyWave, person: Person, keyed_by: Person | None = None
) -> SurveyResponse:
    found = find_response(wave, person)
    if found is None:
        found = SurveyResponse(wave_id=wave.id, person_id=person.id)
        db.session.add(found)
    if keyed_by is not None:
        found.keyed_by_id = keyed_by.id
    db.session.flush()
    return found


def answers(response: SurveyResponse | None) -> dict[str, str]:
    if response is None:
        return {}
    return dict(
        db.session.execute(
            select(SurveyAnswer.question, SurveyAnswer.value).where(
                SurveyAnswer.response_id == response.id
            )
        ).all()
    )


def _questions(campaign: SurveyCampaign) -> dict[str, dict[str, Any]]:
    return {q["code"]: q for s in campaign.definition["sections"] for q in s["questions"]}


def save_answers(response: SurveyResponse, values: dict[str, str]) -> dict[str, str]:
    """Keep each given answer; return the refusals by question (nothing saved then)."""
    questions = _questions(response.wave.campaign)
    errors: dict[str, str] = {}
    for code, value in values.items():
        question = questions.get(code)
        if question is None:
            continue
        if (
            question["type"] == "choice"
            and value
            and value not in {c["value"] for c in question["choices"]}
        ):
            errors[code] = str(_l("Choose one of the answers."))
        elif len(value) > MAX_TEXT:
            errors[code] = str(_l("At most %(max)s characters.", max=MAX_TEXT))
    if errors:
        return errors
    kept = {
        a.question: a
        for a in db.session.scalars(
            select(SurveyAnswer).where(SurveyAnswer.response_id == response.id)
        )
    }
    for code, value in values.items():
        if code not in questions:
            continue
        if code in kept:
            kept[code].value = value
            kept[code].answered_at = utcnow()
        else:
            db.session.add(SurveyAnswer(response_id=response.id, question=code, value=value))
    db.session.flush()
    return {}


def missing(wave: SurveyWave, response: SurveyResponse | None) -> list[dict[str, Any]]:
    given = answers(response)
    return [
        q
        for q in _questions(wave.campaign).values()
        if q.get("required") and not given.get(q["code"])
    ]


def submit(response: SurveyResponse) -> SurveyResponse:
    if missing(response.wave, response):
        raise DomainError(_l("Some required answers are missing."))
    response.submitted_at = response.submitted_at or utcnow()
    db.session.flush()
    return response


# --- results --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaveRate:
    wave: SurveyWave
    asked: int
    answered: int
    on_paper: int

    @property
    def permille(self) -> int:
        return 1000 * self.answered // self.asked if self.asked else 0


@dataclass(frozen=True)
class QuestionResult:
    question: dict[str, Any]
    counts: list[list[int | None]]  # per wave, per choice (in order); None: hidden
    # per later wave: (wave, people who answered it there and in the first wave, of them
    # those whose answer changed, or None: hidden)
    later: list[tuple[SurveyWave, int, int | None]]


def results(campaign: SurveyCampaign, on: date) -> tuple[list[WaveRate], list[QuestionResult]]:
    """Only submitted responses count. Nobody's own answers are shown: counts only."""
    rows = db.session.execute(
        select(
            SurveyResponse.wave_id,
            SurveyResponse.person_id,
            SurveyResponse.keyed_by_id,
            SurveyAnswer.question,
            SurveyAnswer.value,
        )
        .join(SurveyWave, SurveyWave.id == SurveyResponse.wave_id)
        .outerjoin(SurveyAnswer, SurveyAnswer.response_id == SurveyResponse.id)
        .where(SurveyWave.campaign_id == campaign.id, SurveyResponse.submitted_at.is_not(None))
    ).all()
    given: dict[tuple[int, int], dict[str, str]] = {}
    paper: dict[int, set[int]] = {}
    for wave_id, person_id, keyed_by, question, value in rows:
        given.setdefault((wave_id, person_id), {})
        if question is not None:
            given[(wave_id, person_id)][question] = value
        if keyed_by is not None:
            paper.setdefault(wave_id, set()).add(person_id)
    rates = []
    joined = _joined()
    for wave in campaign.waves:
        due = asked_in(wave, on, joined)
        answered = {p for (w, p) in given if w == wave.id}
        rates.append(
            WaveRate(wave, len(due | answered), len(answered), len(paper.get(wave.id, ())))
        )
    found = []
    first = campaign.waves[0].id
    for code, question in _questions(campaign).items():
        if question["type"] != "choice":
            continue
        values = [c["value"] for c in question["choices"]]
        counts = []
        for wave in campaign.waves:
            tally = Counter(a.get(code) for (w, _p), a in given.items() if w == wave.id)
            shown = policy.hide_small({v: tally[v] for v in values})  # as every count shown
            counts.append([shown[v] for v in values])
        later = []
        for wave in campaign.waves[1:]:  # the same people's baseline and later answers
            both = [
                (a.get(code), given.get((wave.id, p), {}).get(code))
                for (w, p), a in given.items()
                if w == first
            ]
            both = [(x, y) for x, y in both if x and y]
            changed = sum(1 for x, y in both if x != y)
            # who changed: hidden when they, or those who did not, are 1 to 4 people (a 0
            # beside a small total would tell as much)
            shown = policy.hide_small({"changed": changed, "same": len(both) - changed})
            told = not both or policy.shows(len(both))
            later.append((wave, len(both), shown["changed"] if told else None))
        found.append(QuestionResult(question, counts, later))
    return rates, found


def campaigns() -> list[SurveyCampaign]:
    return list(db.session.scalars(select(SurveyCampaign).order_by(SurveyCampaign.id.desc())))


def codes(campaign: SurveyCampaign) -> list[str]:
    return question_codes(campaign.definition)
