"""Read side of the decision pages and panels."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from governance.extensions import db
from governance.people.models import Person
from governance.votes.models import (
    ConflictOfInterest,
    Decision,
    Objection,
    Position,
    Proposal,
    Round,
)


def proposal_for_item(item_id: int) -> Proposal | None:
    return db.session.scalar(
        select(Proposal)
        .where(Proposal.item_id == item_id)
        .options(selectinload(Proposal.versions), selectinload(Proposal.rounds))
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


def panel_etag(item_id: int, person_id: int) -> str:
    """Changes when this member's own position in the item's open round changes."""
    row = db.session.execute(
        select(Position.id, Position.value, Position.updated_at)
        .join(Round, Round.id == Position.round_id)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .where(
            Proposal.item_id == item_id, Round.closed_at.is_(None), Position.person_id == person_id
        )
    ).one_or_none()
    return "none" if row is None else f"{row[0]}.{row[1]}.{row[2].timestamp():.0f}"


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
