"""The caisse's territories and who decides on a point of sale where.

A point of sale is proposed to one deciding committee (``pos.group``): the citizen committee, or
the local committee of a territory. Its own flow (proposed → visited → reported → approved) is
``pos.status``. A territory lists the places spent in it (``TerritoryPlace``) with where each stands
*there*: the territory's committee visits and approves a place for its territory, so that a place
can be approved in several. With no territory (a caisse of one committee) nothing of this shows.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import joinedload

from governance.conventionnement.models import PointOfSale, PosEvent, PosStatus, TerritoryPlace
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Group, GroupKind, Membership, Role, Territory
from governance.people.policy import facilitates, signed_in

APPROVAL_EVENT = "decision_approve_adopted"


def all_territories() -> list[Territory]:
    """By name, each with its committee (read in the same query: lists name it)."""
    return list(
        db.session.scalars(
            select(Territory).options(joinedload(Territory.group)).order_by(Territory.name)
        )
    )


def place_counts() -> dict[int, int]:
    """How many points of sale each territory lists (territories listing none are absent)."""
    rows = db.session.execute(
        select(TerritoryPlace.territory_id, func.count()).group_by(TerritoryPlace.territory_id)
    )
    return {territory_id: count for territory_id, count in rows}


def several() -> bool:
    """Whether the caisse has more than one territory: only then do pages speak of them."""
    return (db.session.scalar(select(func.count()).select_from(Territory)) or 0) > 1


def territory_of(group_id: int) -> Territory | None:
    return db.session.scalar(select(Territory).where(Territory.group_id == group_id))


def main_committee() -> Group | None:
    return db.session.scalar(
        select(Group).where(Group.kind == GroupKind.COMMITTEE).order_by(Group.id).limit(1)
    )


def deciding_groups() -> list[Group]:
    """The committees that run a conventionnement: the citizen committee, then the committee
    of each territory."""
    first = main_committee()
    local = db.session.scalars(
        select(Group).join(Territory, Territory.group_id == Group.id).order_by(Territory.name)
    )
    groups = [first] if first else []
    return groups + [g for g in local if first is None or g.id != first.id]


def proposer_default(person: Any, groups: list[Group]) -> Group | None:
    """The committee a proposal goes to unless the person chooses: the first of the deciding
    committees they are a member of (a local one before the citizen committee), else the first."""
    if not groups:
        return None
    mine = set(
        db.session.scalars(
            select(Membership.group_id).where(
                Membership.person_id == person.id, Membership.is_current(date.today())
            )
        )
    )
    for group in [*groups[1:], groups[0]]:
        if group.id in mine:
            return group
    return groups[0]


def place(pos: PointOfSale, territory: Territory) -> TerritoryPlace | None:
    return db.session.get(TerritoryPlace, (territory.id, pos.id))


def list_in(pos: PointOfSale, territory: Territory, status: PosStatus) -> TerritoryPlace:
    found = place(pos, territory)
    if found is None:
        found = TerritoryPlace(territory_id=territory.id, pos_id=pos.id, status=status)
        db.session.add(found)
        db.session.flush()
    return found


def owner_ids(pos: PointOfSale) -> set[int]:
    """The committees that may visit and decide on this place: its own, and that of every
    territory that lists it."""
    listed = db.session.scalars(
        select(Territory.group_id)
        .join(TerritoryPlace, TerritoryPlace.territory_id == Territory.id)
        .where(TerritoryPlace.pos_id == pos.id, Territory.group_id.is_not(None))
    )
    return {pos.group_id, *listed}


def running_groups(person: Any, pos: PointOfSale) -> list[Group]:
    """The committees for which this person runs this place's conventionnement."""
    if not signed_in(person):
        return []
    ids = sorted(owner_ids(pos), key=lambda g: (g != pos.group_id, g))
    return [db.session.get_one(Group, g) for g in ids if facilitates(person, g)]


def step(pos: PointOfSale, group_id: int, status: PosStatus) -> None:
    """A step of the flow of the committee ``group_id``: in its territory, and on the place
    itself when that committee is the place's own."""
    territory = territory_of(group_id)
    if territory is not None:
        list_in(pos, territory, status).status = status
    if group_id == pos.group_id:
        pos.status = status


def status_for(pos: PointOfSale, group_id: int) -> PosStatus:
    """Where the place stands for the committee ``group_id``."""
    if group_id == pos.group_id:
        return pos.status
    territory = territory_of(group_id)
    found = place(pos, territory) if territory is not None else None
    return found.status if found is not None else PosStatus.PROPOSED


def committee_member(person: Any, group_id: int, on: date) -> bool:
    return bool(
        db.session.scalar(
            select(func.count())
            .select_from(Membership)
            .where(
                Membership.person_id == person.id,
                Membership.group_id == group_id,
                Membership.role == Role.MEMBER,
                Membership.is_current(on),
            )
        )
    )


# --- the admin's page ---------------------------------------------------------------------


def latest_approval(pos_id: int) -> str | None:
    return db.session.scalar(
        select(PosEvent.decision_reference)
        .where(PosEvent.pos_id == pos_id, PosEvent.what == APPROVAL_EVENT)
        .order_by(PosEvent.id.desc())
        .limit(1)
    )


def latest_approvals(pos_ids: set[int]) -> dict[int, str | None]:
    """``latest_approval`` of each of these places, in one query."""
    rows = db.session.execute(
        select(PosEvent.pos_id, PosEvent.decision_reference)
        .where(PosEvent.pos_id.in_(pos_ids), PosEvent.what == APPROVAL_EVENT)
        .order_by(PosEvent.id)
    )
    return {pos_id: reference for pos_id, reference in rows}  # the latest wins


def save_territory(
    territory: Territory | None, name: str, group: Group | None, pos_ids: list[int]
) -> Territory:
    """Create or change a territory: its name, its committee (or none), its points of sale.
    A place added as it stands keeps its approval (and the decision behind it) in the
    territory; a place taken out loses only its listing there. The places are read in a
    fixed number of queries, whatever their number: this runs in the write."""
    name = name.strip()
    clash = db.session.scalar(
        select(Territory).where(
            func.lower(Territory.name) == name.lower(),
            Territory.id != (territory.id if territory else -1),
        )
    )
    if clash is not None:
        raise DomainError(_l("Another territory already has this name."), "name")
    if group is not None:
        taken = territory_of(group.id)
        if taken is not None and taken is not territory:
            raise DomainError(
                _l(
                    "%(group)s is already the committee of %(territory)s.",
                    group=group.name,
                    territory=taken.name,
                ),
                "group_id",
            )
    if territory is None:
        territory = Territory(name=name)
        db.session.add(territory)
    territory.name, territory.group_id = name, group.id if group else None
    db.session.flush()
    wanted = set(pos_ids)
    for listed in db.session.scalars(
        select(TerritoryPlace).where(TerritoryPlace.territory_id == territory.id)
    ):
        if listed.pos_id not in wanted:
            db.session.delete(listed)
            db.session.add(PosEvent(pos_id=listed.pos_id, what="unlisted", detail=name))
        wanted.discard(listed.pos_id)
    approvals = latest_approvals(wanted)
    for pos in db.session.scalars(select(PointOfSale).where(PointOfSale.id.in_(wanted))):
        db.session.add(PosEvent(pos_id=pos.id, what="listed", detail=name))
        row = TerritoryPlace(territory_id=territory.id, pos_id=pos.id, status=pos.status)
        if pos.status is PosStatus.APPROVED:
            row.approved_since, row.review_on = pos.approved_since, pos.review_on
            row.decision_reference = approvals.get(pos.id)
        db.session.add(row)
    db.session.flush()
    return territory


# --- read side ----------------------------------------------------------------------------


def approved_anywhere() -> Any:
    """SQL: the place is approved by its committee or in some territory."""
    return or_(
        PointOfSale.status == PosStatus.APPROVED,
        exists().where(
            TerritoryPlace.pos_id == PointOfSale.id,
            TerritoryPlace.status == PosStatus.APPROVED,
        ),
    )


def in_territory(territory_id: int) -> Any:
    """SQL: the place is listed in this territory."""
    return exists().where(
        TerritoryPlace.pos_id == PointOfSale.id, TerritoryPlace.territory_id == territory_id
    )


def chosen(value: str | None) -> Territory | None:
    """The territory a page's ``territoire`` parameter names (its id), if any."""
    if not value or not value.isdigit() or len(value) > 9:  # never past the column's range
        return None
    return db.session.get(Territory, int(value))
