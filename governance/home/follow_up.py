"""Decisions followed up: review dates and approval ends coming within 60 days, shown to the
facilitators of the deciding group (and, for a point of sale, to the whole group that runs
conventionnement) with the coming meeting they can be put on in one step; approvals about to
lapse, shown to the treasurers before a purchase import refuses them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select

from governance.conventionnement.models import PointOfSale, PosStatus
from governance.extensions import db
from governance.people.models import Group, Membership, Person, Role
from governance.sessions.models import AgendaItem, Meeting, MeetingStatus
from governance.votes.models import Decision, Outcome

AHEAD_DAYS = 60


@dataclass(frozen=True)
class Due:
    kind: str  # "decision" (its review date) or "approval" (a point of sale's approval end)
    target_id: int
    title: str
    reference: str
    group: Group
    on: date
    meeting: Meeting | None  # the group's coming meeting, where it can be put
    scheduled: bool  # already on that meeting's agenda
    can_schedule: bool

    @property
    def days(self) -> int:
        return (self.on - date.today()).days


def review_title(decision: Decision) -> str:
    return _(
        "Review: %(title)s (%(reference)s)", title=decision.title, reference=decision.reference
    )


def approval_title(pos: PointOfSale) -> str:
    from governance.conventionnement.models import LinkAction
    from governance.conventionnement.services import TITLES

    return TITLES[LinkAction.APPROVE] % pos.name


def _roles(person: Person, today: date) -> dict[int, set[Role]]:
    found: dict[int, set[Role]] = {}
    rows = db.session.execute(
        select(Membership.group_id, Membership.role).where(
            Membership.person_id == person.id, Membership.is_current(today)
        )
    )
    for group_id, role in rows:
        found.setdefault(group_id, set()).add(role)
    return found


def next_meeting(group_id: int, today: date) -> Meeting | None:
    from governance.db import utcnow

    return db.session.scalar(
        select(Meeting)
        .where(
            Meeting.group_id == group_id,
            Meeting.status.in_([MeetingStatus.DRAFT, MeetingStatus.CONVENED]),
            Meeting.starts_at >= utcnow(),
            Meeting.online.is_(False),
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def scheduled(meeting: Meeting | None, title: str) -> bool:
    if meeting is None:
        return False
    return bool(
        db.session.scalar(
            select(AgendaItem.id).where(
                AgendaItem.meeting_id == meeting.id, AgendaItem.title == title
            )
        )
    )


def due_for(person: Person, today: date | None = None) -> list[Due]:
    """What this person should see coming: the review dates of their groups' decisions (as
    facilitator) and the approval ends of the points their groups run (as member)."""
    today = today or date.today()
    until = today + timedelta(days=AHEAD_DAYS)
    roles = _roles(person, today)
    admin = any(Role.ADMIN in r for r in roles.values())
    runs = {g for g, r in roles.items() if Role.FACILITATOR in r}
    found: list[Due] = []
    decisions = select(Decision).where(
        Decision.review_on >= today,
        Decision.review_on <= until,
        Decision.outcome == Outcome.ADOPTED,
    )
    if not admin:
        decisions = decisions.where(Decision.group_id.in_(runs))
    meetings: dict[int, Any] = {}

    def meeting_of(group_id: int) -> Meeting | None:
        if group_id not in meetings:
            meetings[group_id] = next_meeting(group_id, today)
        return meetings[group_id]

    for decision in db.session.scalars(decisions.order_by(Decision.review_on)):
        meeting = meeting_of(decision.group_id)
        found.append(
            Due("decision", decision.id, decision.title, decision.reference, decision.group,
                decision.review_on, meeting, scheduled(meeting, review_title(decision)), True)
        )  # fmt: skip
    points = select(PointOfSale).where(
        PointOfSale.status == PosStatus.APPROVED,
        PointOfSale.review_on >= today,
        PointOfSale.review_on <= until,
    )
    if not admin:
        points = points.where(PointOfSale.group_id.in_(roles))
    for pos in db.session.scalars(points.order_by(PointOfSale.review_on)):
        meeting = meeting_of(pos.group_id)
        assert pos.review_on is not None
        can = admin or pos.group_id in runs
        found.append(
            Due("approval", pos.id, pos.name, "", pos.group, pos.review_on, meeting,
                scheduled(meeting, approval_title(pos)), can)
        )  # fmt: skip
    return sorted(found, key=lambda d: d.on)


def lapsing(today: date | None = None) -> list[PointOfSale]:
    """Approved points whose approval ends within 60 days, or has ended already: after that
    day, the import refuses their purchases (the treasurer's home page says so first)."""
    today = today or date.today()
    return list(
        db.session.scalars(
            select(PointOfSale)
            .where(
                PointOfSale.status == PosStatus.APPROVED,
                PointOfSale.review_on <= today + timedelta(days=AHEAD_DAYS),
            )
            .order_by(PointOfSale.review_on)
        )
    )
