"""Read side of the public portal: only what anyone may see, counted in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from governance.budget.models import Household, HouseholdStatus
from governance.conventionnement.models import PointOfSale, PosEvent, PosKind, PosStatus
from governance.extensions import db
from governance.people.models import Group, GroupKind
from governance.sessions.models import Meeting, MeetingStatus
from governance.votes.models import Decision, Outcome

# Working groups prepare; the committees decide, and their meetings are announced publicly.
PUBLIC_GROUP_KINDS = (GroupKind.COMMITTEE, GroupKind.LOCAL_COMMITTEE)
APPROVAL_EVENT = "decision_approve_adopted"


@dataclass(frozen=True)
class KeyFigures:
    adopted_decisions: int
    approved_points_of_sale: int
    households: int


def key_figures() -> KeyFigures:
    """Three counts in one query."""
    row = db.session.execute(
        select(
            select(func.count(Decision.id))
            .where(Decision.outcome == Outcome.ADOPTED)
            .scalar_subquery(),
            select(func.count(PointOfSale.id))
            .where(PointOfSale.status == PosStatus.APPROVED)
            .scalar_subquery(),
            select(func.count(Household.id))
            .where(Household.status == HouseholdStatus.ACTIVE)
            .scalar_subquery(),
        )
    ).one()
    return KeyFigures(row[0] or 0, row[1] or 0, row[2] or 0)


def upcoming_meetings(limit: int = 3, today: date | None = None) -> list[Meeting]:
    """The next convened meetings of the committees, from today on."""
    since = datetime.combine(today or date.today(), time.min, tzinfo=UTC)
    return list(
        db.session.scalars(
            select(Meeting)
            .join(Group, Group.id == Meeting.group_id)
            .where(
                Meeting.status.in_((MeetingStatus.CONVENED, MeetingStatus.OPEN)),
                Meeting.starts_at >= since,
                Group.kind.in_(PUBLIC_GROUP_KINDS),
            )
            .options(selectinload(Meeting.group))
            .order_by(Meeting.starts_at)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class ApprovedPoint:
    """A conventionné point of sale as the public sees it: no contact, nobody's name."""

    name: str
    kind: PosKind
    neighbourhood: str
    address: str
    sells: str
    since: date | None
    review_on: date | None
    decision: str | None  # the reference of the decision that approved it
    group: str


def approved_points(kind: PosKind | None = None, neighbourhood: str = "") -> list[ApprovedPoint]:
    """Approved points of sale by kind then name, each with its latest approving decision."""
    latest = (
        select(PosEvent.pos_id, func.max(PosEvent.id).label("event_id"))
        .where(PosEvent.what == APPROVAL_EVENT)
        .group_by(PosEvent.pos_id)
        .subquery()
    )
    query = (
        select(PointOfSale, PosEvent.decision_reference, Group.name)
        .join(Group, Group.id == PointOfSale.group_id)
        .outerjoin(latest, latest.c.pos_id == PointOfSale.id)
        .outerjoin(PosEvent, PosEvent.id == latest.c.event_id)
        .where(PointOfSale.status == PosStatus.APPROVED)
        .order_by(PointOfSale.kind, PointOfSale.name)
    )
    if kind is not None:
        query = query.where(PointOfSale.kind == kind)
    if neighbourhood:
        query = query.where(PointOfSale.neighbourhood == neighbourhood)
    return [
        ApprovedPoint(
            name=pos.name,
            kind=pos.kind,
            neighbourhood=pos.neighbourhood,
            address=pos.address,
            sells=pos.sells,
            since=pos.approved_since,
            review_on=pos.review_on,
            decision=reference,
            group=group,
        )
        for pos, reference, group in db.session.execute(query)
    ]


def neighbourhoods() -> list[str]:
    return list(
        db.session.scalars(
            select(PointOfSale.neighbourhood)
            .where(PointOfSale.status == PosStatus.APPROVED, PointOfSale.neighbourhood != "")
            .distinct()
            .order_by(PointOfSale.neighbourhood)
        )
    )


def points_changed_at() -> datetime | None:
    """Every change of a point of sale's status is an event of its history."""
    return db.session.scalar(select(func.max(PosEvent.at)))
