"""What is next for one person, read from every domain: the top of the package graph, like
``public``, so it may import all of them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from governance.budget import rules
from governance.budget.models import Account, Household, HouseholdStatus
from governance.budget.services import active_scale
from governance.conventionnement.models import Visit, VisitMember
from governance.db import utcnow
from governance.extensions import db
from governance.people.models import Person
from governance.sessions import panels, suggestions
from governance.sessions import policy as meeting_policy
from governance.sessions import queries as meeting_queries
from governance.sessions import services as meeting_services
from governance.sessions.models import (
    AgendaItem,
    Attendance,
    ItemSuggestion,
    Meeting,
    MeetingStatus,
)
from governance.votes.models import Eligibility, Position, Proposal, Round

SHOWN_MEETINGS = 3


@dataclass
class NextMeeting:
    meeting: Meeting
    proposals: list[panels.Attachment]
    checked_in: bool
    can_check_in: bool
    can_run: bool
    suggestions: list[ItemSuggestion] = field(default_factory=list)


@dataclass(frozen=True)
class OpenRound:
    meeting: Meeting
    proposal_title: str
    answered: bool


@dataclass(frozen=True)
class MyHousehold:
    household: Household
    balance_cents: int
    allocation_cents: int | None
    contribution_cents: int


def next_meetings(person: Person) -> list[NextMeeting]:
    """The coming meetings of the person's groups, the soonest first; a draft one only for
    whoever prepares it."""
    coming = {MeetingStatus.DRAFT, MeetingStatus.CONVENED, MeetingStatus.OPEN}
    # An online decision is not a meeting to attend: it is listed on its own (online_rounds).
    meetings = [
        m for m in meeting_queries.meetings_for(person) if m.status in coming and not m.online
    ]
    present = set(
        db.session.scalars(
            select(Attendance.meeting_id).where(
                Attendance.person_id == person.id,
                Attendance.meeting_id.in_([m.id for m in meetings]),
            )
        )
    )
    mine = suggestions.of_person(person.id, [m.id for m in meetings])
    now = utcnow()
    found = []
    for meeting in sorted(meetings, key=lambda m: m.starts_at):
        can_run = meeting_policy.can_run_meeting(person, meeting)
        if meeting.status is MeetingStatus.DRAFT and not can_run:
            continue
        extras = panels.item_extras(meeting)
        found.append(
            NextMeeting(
                meeting=meeting,
                proposals=[a for item in meeting.items for a in extras[item.id].attachments],
                checked_in=meeting.id in present,
                can_check_in=meeting_services.check_in_is_open(meeting, now),
                can_run=can_run,
                suggestions=[s for s in mine if s.meeting_id == meeting.id],
            )
        )
        if len(found) == SHOWN_MEETINGS:
            break
    return found


def open_rounds(person: Person, meetings: list[NextMeeting]) -> list[OpenRound]:
    """Rounds open right now in which this person may give a position."""
    open_ids = [n.meeting.id for n in meetings if n.meeting.status is MeetingStatus.OPEN]
    if not open_ids:
        return []

    rows = db.session.execute(
        select(Round, Proposal.title, AgendaItem.meeting_id)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .join(AgendaItem, AgendaItem.id == Proposal.item_id)
        .join(
            Eligibility,
            (Eligibility.round_id == Round.id) & (Eligibility.person_id == person.id),
        )
        .where(AgendaItem.meeting_id.in_(open_ids), Round.closed_at.is_(None))
    ).all()
    by_id = {n.meeting.id: n.meeting for n in meetings}
    answered = set(
        db.session.scalars(
            select(Position.round_id).where(
                Position.person_id == person.id,
                Position.round_id.in_([r.id for r, _, _ in rows]),
            )
        )
    )
    return [OpenRound(by_id[m], title, r.id in answered) for r, title, m in rows]


def my_visits(person: Person) -> list[Visit]:
    """Visits of a point of sale this person is part of, not yet sent."""
    return list(
        db.session.scalars(
            select(Visit)
            .join(VisitMember, VisitMember.visit_id == Visit.id)
            .where(VisitMember.person_id == person.id, Visit.submitted_at.is_(None))
            .options(selectinload(Visit.pos), selectinload(Visit.members))
            .order_by(Visit.visit_on)
        )
    )


def my_household(person: Person, today: date) -> MyHousehold | None:
    household = db.session.scalar(
        select(Household)
        .where(Household.person_id == person.id, Household.status != HouseholdStatus.LEFT)
        .order_by(Household.id)
        .limit(1)
    )
    if household is None:
        return None
    # Read, never create: the wallet exists once the first allocation is credited.
    balance = db.session.scalar(
        select(Account.balance_cents).where(Account.code == f"wallet:{household.reference}")
    )
    scale = active_scale(today.replace(day=1))
    allocation = (
        rules.allocation_cents(
            scale.allocation,
            rules.Composition(household.adults, household.teens, household.children),
        )
        if scale is not None
        else None
    )
    return MyHousehold(household, balance or 0, allocation, household.contribution_cents)
