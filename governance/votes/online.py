"""Consent between sessions: where a group's rule allows it, a facilitator puts a proposal to
the members online with a deadline. It is the room's machinery (versions, rounds, positions,
objections, the register), held in an *online* meeting of the group: every member may answer
until the deadline, and the group's quorum rule counts those who answered."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from governance import formatting, mail
from governance.db import utcnow
from governance.errors import DomainError, Forbidden
from governance.extensions import db
from governance.people.models import Group, Person
from governance.sessions import services as meetings
from governance.sessions.models import ItemKind, MeetingStatus
from governance.votes import services
from governance.votes.models import (
    DecisionKind,
    Eligibility,
    Position,
    Proposal,
    ProposalQuestion,
    Round,
    RoundKind,
)

MIN_DAYS, MAX_DAYS = 1, 30


def deadline(days: int, now: datetime | None = None) -> datetime:
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise DomainError(
            _l("The deadline is between %(low)d and %(high)d days.", low=MIN_DAYS, high=MAX_DAYS),
            "days",
        )
    return (now or utcnow()) + timedelta(days=days)


def start(
    group: Group,
    title: str,
    text: str,
    kind: DecisionKind,
    days: int,
    by: Person,
    effect: str = "",
    review_on: date | None = None,
) -> Proposal:
    """A proposal put to the group online, its first round open until the deadline."""
    if not group.allow_online_consent:
        raise Forbidden(_l("This group's rule does not allow deciding online."))
    closes_at = deadline(days)
    meeting = meetings.create_meeting(
        group, _l("Online: %(title)s", title=title.strip())[:120], utcnow(), 15, "", by
    )
    meeting.online = True
    item = meetings.add_item(
        meeting, meeting.agenda_version, ItemKind.DECISION, title.strip()[:200], "", None, 15
    )
    meetings.transition(meeting, MeetingStatus.CONVENED, by)
    meetings.transition(meeting, MeetingStatus.OPEN, by)
    proposal = services.attach_proposal(item, title, text, by, kind, effect, review_on, by)
    services.open_round(proposal, RoundKind.CONSENT, closes_at)
    tell_members(proposal)
    return proposal


def next_round(proposal: Proposal, days: int) -> Round:
    """After a new version (or objections found not blocking), the next round online."""
    if not proposal.item.meeting.online:
        raise DomainError(_l("Only a round held online has a deadline."))
    round_ = services.open_round(proposal, RoundKind.CONSENT, deadline(days))
    tell_members(proposal)
    return round_


def close_due(now: datetime | None = None) -> list[Round]:
    """Count every online round whose deadline has passed (the queue's worker, every minute;
    ``flask close-rounds`` by hand; or the facilitator's button): each is closed once, never
    reopened."""
    now = now or utcnow()
    due = db.session.scalars(
        select(Round)
        .where(Round.closed_at.is_(None), Round.closes_at.is_not(None), Round.closes_at <= now)
        .order_by(Round.closes_at)
    ).all()
    for round_ in due:
        services.close_round(round_)
    db.session.flush()
    return list(due)


def close_now(round_: Round) -> None:
    """The facilitator counts a round whose deadline has passed (before the worker does)."""
    if round_.closes_at is None or round_.closes_at > utcnow():
        raise DomainError(_l("The deadline has not passed yet."))
    services.close_round(round_)


def ask(
    proposal: Proposal, person: Person, text: str, reply_to: int | None = None
) -> ProposalQuestion:
    """A question under the proposal (or an answer to one), while it is being decided."""
    if proposal.outcome is not None:
        raise DomainError(_l("This proposal is already decided."), "text")
    text = text.strip()
    if not text:
        raise DomainError(_l("Write your question first."), "text")
    if reply_to is not None:
        parent = db.session.get(ProposalQuestion, reply_to)
        if parent is None or parent.proposal_id != proposal.id:
            raise DomainError(_l("This question is not under this proposal."), "text")
    question = ProposalQuestion(
        proposal_id=proposal.id, person_id=person.id, text=text, reply_to_id=reply_to
    )
    db.session.add(question)
    db.session.flush()
    return question


def thread(proposal: Proposal) -> list[tuple[ProposalQuestion, list[ProposalQuestion]]]:
    rows = db.session.scalars(
        select(ProposalQuestion)
        .where(ProposalQuestion.proposal_id == proposal.id)
        .order_by(ProposalQuestion.id)
    ).all()
    answers: dict[int, list[ProposalQuestion]] = {}
    for row in rows:
        if row.reply_to_id is not None:
            answers.setdefault(row.reply_to_id, []).append(row)
    return [(row, answers.get(row.id, [])) for row in rows if row.reply_to_id is None]


def tell_members(proposal: Proposal) -> int:
    """An e-mail to each member who may answer and has an address; the others see it on their
    home page and on the printable notice."""
    round_ = proposal.open_round
    assert round_ is not None and round_.closes_at is not None
    people = db.session.scalars(
        select(Person)
        .join(Eligibility, Eligibility.person_id == Person.id)
        .where(Eligibility.round_id == round_.id, Person.email.is_not(None))
    ).all()
    # Built on BASE_URL, never on a request's Host; works from cron and the CLI too.
    path = current_app.url_map.bind("").build("votes.proposal", {"proposal_id": proposal.id})
    link = current_app.config["BASE_URL"].rstrip("/") + path
    for person in people:
        with force_locale(person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
            subject = _("To decide online: %(title)s", title=proposal.title)
            body = _(
                "%(group)s decides online, until %(deadline)s:\n\n%(title)s\n\n%(text)s\n\n"
                "Read it, ask your questions and give your position here:\n%(link)s\n",
                group=proposal.item.meeting.group.name,
                deadline=formatting.datetime(round_.closes_at),
                title=proposal.title,
                text=proposal.current_version.text,
                link=link,
            )
        mail.queue(person.email or "", subject, body)
    return len(people)


@dataclass(frozen=True)
class Waiting:
    """An online round the person may still answer (their home page)."""

    proposal_id: int
    title: str
    group: str
    closes_at: datetime
    answered: bool


def waiting_for(person: Person) -> list[Waiting]:
    rows = db.session.execute(
        select(Round, Position.id)
        .join(
            Eligibility, (Eligibility.round_id == Round.id) & (Eligibility.person_id == person.id)
        )
        .outerjoin(Position, (Position.round_id == Round.id) & (Position.person_id == person.id))
        .where(Round.closed_at.is_(None), Round.closes_at.is_not(None), Round.closes_at > utcnow())
        .order_by(Round.closes_at)
    ).all()
    return [
        Waiting(
            r.proposal_id,
            r.proposal.title,
            r.proposal.item.meeting.group.name,
            r.closes_at,
            position is not None,
        )
        for r, position in rows
        if r.closes_at is not None
    ]
