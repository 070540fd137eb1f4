"""Read side of the conventionnement pages."""

from __future__ import annotations

from sqlalchemy import exists, select
from sqlalchemy.orm import selectinload

from governance.conventionnement.models import (
    Answer,
    PointOfSale,
    PosKind,
    PosStatus,
    TerritoryPlace,
    Visit,
    VisitMember,
)
from governance.extensions import db


def points_of_sale(
    status: PosStatus | None = None,
    kind: PosKind | None = None,
    territory_id: int | None = None,
) -> list[PointOfSale]:
    """Points of sale by status then name; in one territory: those it lists."""
    query = select(PointOfSale).order_by(PointOfSale.status, PointOfSale.name)
    if territory_id is not None:
        query = query.options(selectinload(PointOfSale.places)).where(
            exists().where(
                TerritoryPlace.pos_id == PointOfSale.id,
                TerritoryPlace.territory_id == territory_id,
            )
        )
    if status is not None:
        query = query.where(PointOfSale.status == status)
    if kind is not None:
        query = query.where(PointOfSale.kind == kind)
    return list(db.session.scalars(query))


def visits_of(pos_id: int) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .where(Visit.pos_id == pos_id)
            .order_by(Visit.id.desc())
            .options(
                selectinload(Visit.members).selectinload(VisitMember.person),
                selectinload(Visit.group),
            )
        )
    )


def visit(visit_id: int) -> Visit | None:
    return db.session.scalar(
        select(Visit)
        .where(Visit.id == visit_id)
        .options(
            selectinload(Visit.members).selectinload(VisitMember.person),
            selectinload(Visit.pos),
            selectinload(Visit.questionnaire),
            selectinload(Visit.grid),
        )
    )


def my_open_visits(person_id: int) -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .join(VisitMember)
            .where(VisitMember.person_id == person_id, Visit.submitted_at.is_(None))
            .options(selectinload(Visit.pos))
        )
    )


def submitted_visits() -> list[Visit]:
    return list(
        db.session.scalars(
            select(Visit)
            .where(Visit.submitted_at.is_not(None))
            .order_by(Visit.submitted_at)
            .options(
                selectinload(Visit.pos),
                selectinload(Visit.questionnaire),
                selectinload(Visit.grid),
            )
        )
    )


def answers_by_visit(visit_ids: list[int]) -> dict[int, dict[str, str]]:
    """Every answer of these visits in one query (exports list many visits)."""
    found: dict[int, dict[str, str]] = {visit_id: {} for visit_id in visit_ids}
    rows = db.session.execute(
        select(Answer.visit_id, Answer.question, Answer.value).where(Answer.visit_id.in_(visit_ids))
    )
    for visit_id, question, value in rows:
        found[visit_id][question] = value
    return found
