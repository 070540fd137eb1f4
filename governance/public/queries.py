"""Read side of the public portal: only what anyone may see, counted in a few queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from governance.budget.models import Household, HouseholdStatus
from governance.conventionnement import territories
from governance.conventionnement.models import (
    PointOfSale,
    PosEvent,
    PosKind,
    PosStatus,
    TerritoryPlace,
)
from governance.extensions import db
from governance.people.models import Group, GroupKind, Territory
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
            .where(territories.approved_anywhere())
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
    opening_days: tuple[int, ...] = ()


def approved_points(
    kind: PosKind | None = None, neighbourhood: str = "", territory_id: int | None = None
) -> list[ApprovedPoint]:
    """Approved points of sale by kind then name, each with its latest approving decision;
    in one territory, those approved there, with the decision of its committee."""
    if territory_id is not None:
        return _approved_in(territory_id, kind, neighbourhood)
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
        .where(territories.approved_anywhere())
        .order_by(PointOfSale.kind, PointOfSale.name)
    )
    if kind is not None:
        query = query.where(PointOfSale.kind == kind)
    if neighbourhood:
        query = query.where(PointOfSale.neighbourhood == neighbourhood)
    return [
        _point(pos, pos.approved_since, pos.review_on, reference, group)
        for pos, reference, group in db.session.execute(query)
    ]


def _point(
    pos: PointOfSale, since: date | None, review_on: date | None, reference: str | None, group: str
) -> ApprovedPoint:
    return ApprovedPoint(
        name=pos.name,
        kind=pos.kind,
        neighbourhood=pos.neighbourhood,
        address=pos.address,
        sells=pos.sells,
        since=since,
        review_on=review_on,
        decision=reference,
        group=group,
        opening_days=tuple(pos.weekdays),
    )


def _approved_in(
    territory_id: int, kind: PosKind | None, neighbourhood: str
) -> list[ApprovedPoint]:
    query = (
        select(PointOfSale, TerritoryPlace, Group.name)
        .join(TerritoryPlace, TerritoryPlace.pos_id == PointOfSale.id)
        .join(Territory, Territory.id == TerritoryPlace.territory_id)
        .outerjoin(Group, Group.id == Territory.group_id)
        .where(
            TerritoryPlace.territory_id == territory_id,
            TerritoryPlace.status == PosStatus.APPROVED,
        )
        .order_by(PointOfSale.kind, PointOfSale.name)
    )
    if kind is not None:
        query = query.where(PointOfSale.kind == kind)
    if neighbourhood:
        query = query.where(PointOfSale.neighbourhood == neighbourhood)
    return [
        _point(pos, row.approved_since, row.review_on, row.decision_reference, group or "")
        for pos, row, group in db.session.execute(query)
    ]


def neighbourhoods() -> list[str]:
    return list(
        db.session.scalars(
            select(PointOfSale.neighbourhood)
            .where(territories.approved_anywhere(), PointOfSale.neighbourhood != "")
            .distinct()
            .order_by(PointOfSale.neighbourhood)
        )
    )


def points_changed_at() -> datetime | None:
    """Every change of a point of sale's status is an event of its history."""
    return db.session.scalar(select(func.max(PosEvent.at)))
