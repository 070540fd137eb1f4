"""The rules of joining: an application (recognised when sent again), the steps of the welcome,
the caisse's capacity and the way it gives its places, and enrolment (household, login card,
first contribution assessment, all at once and only once)."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from governance.budget import assessments
from governance.budget import services as households
from governance.budget.models import Household, HouseholdStatus
from governance.db import utcnow
from governance.errors import Conflict, DomainError
from governance.extensions import db
from governance.joining.models import Applicant, ApplicantStatus, HeardFrom, Intake, PlacesMode
from governance.people import services as people
from governance.people.models import Person, Territory
from governance.sessions.models import Meeting, MeetingStatus

S = ApplicantStatus
# Where each step may lead: the one place a status changes (``move``).
MOVES: dict[ApplicantStatus, set[ApplicantStatus]] = {
    S.NEW: {S.INVITED, S.WAITING, S.WITHDRAWN},
    S.INVITED: {S.CAME, S.WAITING, S.WITHDRAWN},
    S.CAME: {S.ENROLLED, S.WAITING, S.WITHDRAWN},
    S.WAITING: {S.INVITED, S.CAME, S.ENROLLED, S.WITHDRAWN},
    S.ENROLLED: set(),
    S.WITHDRAWN: {S.NEW},
}
OPEN = (S.NEW, S.INVITED, S.CAME, S.WAITING)


def _plain(text: str | None) -> str:
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9@.]+", "", ascii_text.lower())


def identity(name: str, neighbourhood: str, email: str | None, phone: str | None) -> str:
    """The same household writing again, whatever its spelling: its e-mail, else its phone
    number (digits, +33 read as 0), else its name and neighbourhood."""
    digits = re.sub(r"\D", "", phone or "")
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    if email and _plain(email):
        key = "mail:" + _plain(email)
    elif len(digits) >= 6:
        key = "tel:" + digits
    else:
        key = "name:" + _plain(name) + ":" + _plain(neighbourhood)
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class Application:
    name: str
    adults: int
    teens: int
    children: int
    income_bracket: int
    neighbourhood: str
    heard_from: HeardFrom
    heard_detail: str
    email: str | None
    phone: str | None


def apply(values: Application) -> tuple[Applicant, bool]:
    """Record an application; one already open for the same household is recognised and
    counted instead. Returns (applicant, True when it was new)."""
    households.check_household(
        values.adults, values.teens, values.children, values.income_bracket, 0
    )
    key = identity(values.name, values.neighbourhood, values.email, values.phone)
    known = db.session.scalar(
        select(Applicant)
        .where(Applicant.identity == key, Applicant.status.in_((*OPEN, S.ENROLLED)))
        .order_by(Applicant.id)
        .limit(1)
    )
    if known is not None:
        known.sent_again += 1
        db.session.flush()
        return known, False
    applicant = Applicant(
        name=values.name.strip(),
        adults=values.adults,
        teens=values.teens,
        children=values.children,
        income_bracket=values.income_bracket,
        neighbourhood=values.neighbourhood.strip(),
        heard_from=values.heard_from,
        heard_detail=values.heard_detail.strip(),
        email=people.normalize_email(values.email),
        phone=(values.phone or "").strip() or None,
        identity=key,
    )
    db.session.add(applicant)
    db.session.flush()
    return applicant, True


def intake() -> Intake:
    """The caisse's settings; until someone sets them, no limit and in order of arrival (read
    only: nothing is written)."""
    found = db.session.get(Intake, 1)
    if found is None:
        return Intake(id=1, capacity=None, mode=PlacesMode.ORDER, decision_reference="")
    return found


def set_intake(capacity: int | None, mode: PlacesMode, reference: str) -> Intake:
    if capacity is not None and not 0 <= capacity <= 1_000_000:
        raise DomainError(_l("Between 0 and 1 000 000."), "capacity")
    found = db.session.get(Intake, 1)
    if found is None:
        found = Intake(id=1)
        db.session.add(found)
    found.capacity, found.mode = capacity, mode
    found.decision_reference, found.changed_at = reference.strip(), utcnow()
    db.session.flush()
    return found


def enrolled_count() -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(Household)
            .where(Household.status == HouseholdStatus.ACTIVE)
        )
        or 0
    )


def places_left() -> int | None:
    capacity = intake().capacity
    return None if capacity is None else max(0, capacity - enrolled_count())


def move(applicant: Applicant, to: ApplicantStatus, by: Person | None) -> Applicant:
    """Every change of step goes through here (enrolment too, through ``enrol``)."""
    if to not in MOVES[applicant.status]:
        raise Conflict(_l("This step cannot follow the current one."))
    applicant.status, applicant.changed_at = to, utcnow()
    applicant.changed_by_id = by.id if by else None
    db.session.flush()
    return applicant


def enrol_refusal(applicant: Applicant) -> str | None:
    """Why this applicant cannot be enrolled now, or None."""
    if S.ENROLLED not in MOVES[applicant.status]:
        return _l("Enrol a household once it came to a welcome meeting (or from the waiting list).")
    if places_left() == 0:
        return _l("The caisse is full: put this household on the waiting list.")
    if intake().mode is PlacesMode.ORDER:
        earlier = db.session.scalar(
            select(Applicant.id).where(
                Applicant.status == S.WAITING,
                Applicant.id != applicant.id,
                Applicant.created_at < applicant.created_at,
            )
        )
        if earlier is not None:
            return _l(
                "Places go in order of arrival: a household that applied earlier is on the "
                "waiting list."
            )
    return None


@dataclass(frozen=True)
class Enrolment:
    household: Household
    person: Person
    card_code: str


def enrol(
    applicant: Applicant,
    answers: assessments.Answers,
    declared_cents: int,
    by: Person | None,
    today: date,
    territory_id: int | None = None,
) -> Enrolment:
    """The household, its login card and its first contribution assessment, once; in the
    territory chosen (required when the caisse has several)."""
    applicant = db.session.scalar(
        select(Applicant).where(Applicant.id == applicant.id).with_for_update()
    )
    refusal = enrol_refusal(applicant)
    if refusal:
        raise DomainError(refusal)
    territory_id = _territory(territory_id)
    assessments.check_answers(answers)
    households.check_household(
        answers.adults, answers.teens, answers.children, answers.income_bracket, declared_cents
    )
    person = people.create_person(applicant.name, email=applicant.email)
    household = households.save_household(
        None,
        adults=answers.adults,
        teens=answers.teens,
        children=answers.children,
        income_bracket=answers.income_bracket,
        contribution_cents=0,
        starts_on=today,
        status=HouseholdStatus.ACTIVE,
        person_id=person.id,
        territory_id=territory_id,
    )
    assessments.declare(household, answers, declared_cents, by, today)
    code = people.issue_login_card(person, by)
    applicant.household_id = household.id
    move(applicant, S.ENROLLED, by)
    return Enrolment(household, person, code)


def applicants(status: ApplicantStatus | None) -> list[Applicant]:
    query = select(Applicant).order_by(Applicant.created_at, Applicant.id)
    if status is not None:
        query = query.where(Applicant.status == status)
    return list(db.session.scalars(query))


def counts() -> dict[ApplicantStatus, int]:
    rows = db.session.execute(
        select(Applicant.status, func.count()).group_by(Applicant.status)
    ).all()
    return {status: count for status, count in rows}


def _territory(territory_id: int | None) -> int | None:
    """The household's territory: the one chosen, the only one, or none when there is none."""
    ids = list(db.session.scalars(select(Territory.id)))
    if territory_id is None and len(ids) == 1:
        return ids[0]
    if territory_id is None and len(ids) > 1:
        raise DomainError(_l("Please choose the household's territory."), "territory")
    if territory_id is not None and territory_id not in ids:
        raise DomainError(_l("Please choose one of the territories."), "territory")
    return territory_id


# --- the welcome meeting: applicants invited to it, checked in without an account ------------

WELCOMING = (MeetingStatus.DRAFT, MeetingStatus.CONVENED, MeetingStatus.OPEN)


def welcome_meetings(since: datetime) -> list[Meeting]:
    """Meetings applicants can be invited to: not over, from the given moment on (each with
    its group, which the choice names)."""
    return list(
        db.session.scalars(
            select(Meeting)
            .options(joinedload(Meeting.group))
            .where(Meeting.status.in_(WELCOMING), Meeting.starts_at >= since)
            .order_by(Meeting.starts_at, Meeting.id)
            .limit(50)
        )
    )


def invite(applicant: Applicant, meeting: Meeting, by: Person | None) -> Applicant:
    """Invite to this meeting (an applicant already invited elsewhere is invited here instead)."""
    if meeting.status not in WELCOMING:
        raise Conflict(_l("This meeting is over: choose another one."))
    if applicant.status is not S.INVITED:
        move(applicant, S.INVITED, by)
    applicant.meeting_id = meeting.id
    db.session.flush()
    return applicant


def check_in(applicant: Applicant, meeting: Meeting, by: Person | None) -> Applicant:
    """During the meeting it was invited to, the applicant came."""
    if applicant.meeting_id != meeting.id or applicant.status is not S.INVITED:
        raise Conflict(_l("This household is not waited for at this meeting."))
    if meeting.status is not MeetingStatus.OPEN:
        raise Conflict(_l("Mark who came once the meeting is open."))
    return move(applicant, S.CAME, by)


def invited_to(meeting: Meeting) -> list[Applicant]:
    """Who was invited to this meeting, and who already came."""
    return list(
        db.session.scalars(
            select(Applicant)
            .where(Applicant.meeting_id == meeting.id)
            .order_by(Applicant.name, Applicant.id)
        )
    )


def invitable() -> list[Applicant]:
    """Applicants who may be invited (again) to a welcome meeting."""
    return list(
        db.session.scalars(
            select(Applicant)
            .where(Applicant.status.in_((S.NEW, S.INVITED, S.WAITING)))
            .order_by(Applicant.created_at, Applicant.id)
        )
    )


def meetings_with_applicants() -> list[tuple[Meeting, int]]:
    """The meetings households are invited to, not over yet, with how many are invited."""
    rows = db.session.execute(
        select(Meeting, func.count(Applicant.id))
        .join(Applicant, Applicant.meeting_id == Meeting.id)
        .where(Meeting.status.in_(WELCOMING))
        .group_by(Meeting.id)
        .order_by(Meeting.starts_at)
    )
    return [(m, n) for m, n in rows]
