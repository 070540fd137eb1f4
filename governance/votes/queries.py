"""Read side of the decision pages and panels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, column, func, literal_column, select, table
from sqlalchemy.orm import defer, selectinload

from governance.extensions import db
from governance.people.models import Group, Person
from governance.sessions.models import AgendaItem
from governance.votes import search
from governance.votes.models import (
    ConflictOfInterest,
    Decision,
    DecisionKind,
    Objection,
    ObjectionStatus,
    Outcome,
    Position,
    Proposal,
    ProposalVersion,
    Round,
)


def proposal_for_item(item_id: int) -> Proposal | None:
    return db.session.scalar(
        select(Proposal)
        .where(Proposal.item_id == item_id)
        .options(selectinload(Proposal.versions), selectinload(Proposal.rounds))
    )


def proposals_of_meeting(meeting_id: int) -> list[Proposal]:
    """Every proposal on the agenda of a meeting, with its versions and presenter: one page."""
    return list(
        db.session.scalars(
            select(Proposal)
            .join(AgendaItem, AgendaItem.id == Proposal.item_id)
            .where(AgendaItem.meeting_id == meeting_id)
            .options(
                selectinload(Proposal.versions),
                selectinload(Proposal.presenter),
                selectinload(Proposal.rounds),
            )
        )
    )


def proposal(proposal_id: int) -> Proposal | None:
    return db.session.scalar(
        select(Proposal)
        .where(Proposal.id == proposal_id)
        .options(selectinload(Proposal.versions), selectinload(Proposal.rounds))
    )


def my_position(round_id: int, person_id: int) -> Position | None:
    return db.session.scalar(
        select(Position).where(Position.round_id == round_id, Position.person_id == person_id)
    )


def positions(round_id: int) -> list[Position]:
    return list(
        db.session.scalars(
            select(Position)
            .where(Position.round_id == round_id)
            .options(selectinload(Position.person))
            .order_by(Position.id)
        )
    )


def people(ids: list[int]) -> list[Person]:
    return list(
        db.session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.display_name))
    )


def objections(proposal_id: int) -> list[Objection]:
    return list(
        db.session.scalars(
            select(Objection)
            .join(Round)
            .where(Round.proposal_id == proposal_id)
            .options(selectinload(Objection.person), selectinload(Objection.round))
            .order_by(Objection.id)
        )
    )


def has_conflict(item_id: int, person_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(ConflictOfInterest.id).where(
                ConflictOfInterest.item_id == item_id, ConflictOfInterest.person_id == person_id
            )
        )
    )


def panel_key(item_id: int, viewer_id: int, place: str) -> str:
    """Changes whenever the consent panel of this item changes for this viewer: the proposal,
    its stage, version and outcome, its rounds, the objections still raised, the viewer's
    conflict of interest, and on the console the number of answers. One query."""
    versions = select(func.count(ProposalVersion.id)).where(
        ProposalVersion.proposal_id == Proposal.id
    )
    rounds = select(func.count(Round.id)).where(Round.proposal_id == Proposal.id)
    open_round = select(Round.id).where(Round.proposal_id == Proposal.id, Round.closed_at.is_(None))
    raised = (
        select(func.count(Objection.id))
        .join(Round, Round.id == Objection.round_id)
        .where(Round.proposal_id == Proposal.id, Objection.status == ObjectionStatus.RAISED)
    )
    conflict = (
        select(ConflictOfInterest.id)
        .where(ConflictOfInterest.item_id == item_id, ConflictOfInterest.person_id == viewer_id)
        .exists()
    )
    answered = (
        select(func.count(Position.id))
        .join(Round, Round.id == Position.round_id)
        .where(Round.proposal_id == Proposal.id, Round.closed_at.is_(None))
    )
    columns = [
        Proposal.id,
        Proposal.stage,
        Proposal.outcome,
        versions.scalar_subquery(),
        rounds.scalar_subquery(),
        open_round.scalar_subquery(),
        raised.scalar_subquery(),
        conflict,
    ]
    if place == "console":
        columns.append(answered.scalar_subquery())
    row = db.session.execute(select(*columns).where(Proposal.item_id == item_id)).one_or_none()
    if row is None:
        return "none"
    return ".".join("" if value is None else str(value) for value in row)


def open_round_of(item_id: int) -> int | None:
    return db.session.scalar(
        select(Round.id)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .where(Proposal.item_id == item_id, Round.closed_at.is_(None))
    )


def decision(reference: str) -> Decision | None:
    return db.session.scalar(
        select(Decision)
        .where(Decision.reference == reference)
        .options(selectinload(Decision.group))
    )


def decision_for_proposal(proposal_id: int) -> Decision | None:
    return db.session.scalar(select(Decision).where(Decision.proposal_id == proposal_id))


def decisions(page: int, size: int) -> tuple[list[Decision], int]:
    total = db.session.scalar(select(func.count()).select_from(Decision)) or 0
    rows = db.session.scalars(
        select(Decision)
        .options(selectinload(Decision.group))
        .order_by(Decision.decided_on.desc(), Decision.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    )
    return list(rows), total


# --- the public register ------------------------------------------------------------------

SEARCH = table("decision_search", column("rowid"))
MATCH = literal_column("decision_search").op("MATCH")


@dataclass(frozen=True)
class RegisterFilter:
    """What a visitor asks of the register; empty fields do not filter."""

    text: str = ""
    group: str | None = None  # the group's code, as in the references
    kind: DecisionKind | None = None
    year: int | None = None
    outcome: Outcome | None = None

    @property
    def filters(self) -> bool:
        return any(v is not None for v in (self.group, self.kind, self.year, self.outcome))


def _filtered(query: Select, wanted: RegisterFilter) -> Select:  # type: ignore[type-arg]
    if wanted.group:
        query = query.join(Group, Group.id == Decision.group_id).where(Group.code == wanted.group)
    if wanted.kind is not None:
        query = query.where(Decision.kind == wanted.kind)
    if wanted.year is not None:
        query = query.where(Decision.year == wanted.year)
    if wanted.outcome is not None:
        query = query.where(Decision.outcome == wanted.outcome)
    return query


def register(wanted: RegisterFilter, page: int, size: int) -> tuple[list[Decision], int]:
    """One page of the register, the latest first, and how many decisions match in all.

    A text search walks the index in the order decisions were written (rowid), newest first,
    and stops as soon as the page is full: no relevance ranking, which over thousands of
    matches costs tens of milliseconds, but the register's own order."""
    match = search.fts_query(wanted.text) if wanted.text else None
    if match is not None and db.session.get_bind().dialect.name == "postgresql":
        return _register_postgresql(wanted, page, size)
    listed = select(Decision).options(
        selectinload(Decision.group), defer(Decision.record), defer(Decision.text)
    )
    if match is None:
        total = db.session.scalar(_filtered(select(func.count(Decision.id)), wanted)) or 0
        query = _filtered(listed, wanted).order_by(Decision.decided_on.desc(), Decision.id.desc())
    else:
        found = select(SEARCH.c.rowid).where(MATCH(match))
        if wanted.filters:
            counted = select(func.count(Decision.id)).where(Decision.id.in_(found))
            total = db.session.scalar(_filtered(counted, wanted)) or 0
        else:
            total = db.session.scalar(select(func.count()).select_from(found.subquery())) or 0
        query = _filtered(
            listed.join(SEARCH, SEARCH.c.rowid == Decision.id).where(MATCH(match)), wanted
        ).order_by(SEARCH.c.rowid.desc())
    rows = db.session.scalars(query.limit(size).offset((page - 1) * size))
    return list(rows), total


def _register_postgresql(
    wanted: RegisterFilter, page: int, size: int
) -> tuple[list[Decision], int]:
    """The same search on PostgreSQL: its French Snowball stemmer on both sides, accents
    folded on both sides, every meaningful word matching as a stem prefix (as on SQLite)."""
    document = func.to_tsvector(
        "french",
        func.translate(
            func.lower(Decision.reference + " " + Decision.title + " " + Decision.text),
            search.ACCENTED,
            search.PLAIN,
        ),
    )
    terms = search.pg_query(wanted.text)
    matched = document.bool_op("@@")(func.to_tsquery("french", terms))
    total = (
        db.session.scalar(_filtered(select(func.count(Decision.id)).where(matched), wanted)) or 0
    )
    query = _filtered(select(Decision).where(matched), wanted).options(
        selectinload(Decision.group), defer(Decision.record), defer(Decision.text)
    )
    rows = db.session.scalars(
        query.order_by(Decision.id.desc()).limit(size).offset((page - 1) * size)
    )
    return list(rows), total


def all_decisions() -> list[Decision]:
    """The whole register in the order it was written (the order of the hash chain)."""
    return list(
        db.session.scalars(
            select(Decision).options(selectinload(Decision.group)).order_by(Decision.id)
        )
    )


def latest_decisions(count: int) -> list[Decision]:
    return list(
        db.session.scalars(
            select(Decision)
            .options(selectinload(Decision.group), defer(Decision.record))
            .order_by(Decision.decided_on.desc(), Decision.id.desc())
            .limit(count)
        )
    )


def register_groups() -> list[Group]:
    """The groups that have taken at least one decision, for the register's filter."""
    return list(
        db.session.scalars(
            select(Group)
            .where(Group.id.in_(select(Decision.group_id).distinct()))
            .order_by(Group.name)
        )
    )


def territory_names() -> dict[int, str]:
    """Committee → the name of the territory it decides for."""
    from governance.people.models import Territory

    rows = db.session.execute(
        select(Territory.group_id, Territory.name).where(Territory.group_id.is_not(None))
    )
    return {group_id: name for group_id, name in rows}


def register_years() -> list[int]:
    return list(db.session.scalars(select(Decision.year).distinct().order_by(Decision.year.desc())))


def register_changed_at() -> datetime | None:
    """When the register last changed: decisions are only ever added, never edited."""
    return db.session.scalar(select(func.max(Decision.created_at)))
