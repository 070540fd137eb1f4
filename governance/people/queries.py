"""Read side of the people pages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload
from wtforms.fields.choices import SelectChoice

from governance.extensions import db
from governance.people.models import Group, LoginCard, Membership, Person, Role, fold


def facilitated_group_ids(person: Person, on: date) -> list[int]:
    return list(
        db.session.scalars(
            select(Membership.group_id).where(
                Membership.person_id == person.id,
                Membership.role == Role.FACILITATOR,
                Membership.is_current(on),
            )
        )
    )


def visible_people(viewer: Person, is_admin: bool, on: date) -> Select[tuple[Person]]:
    """Admins see everyone; a facilitator sees the current members of the groups they run."""
    query = select(Person)
    if not is_admin:
        members = select(Membership.person_id).where(
            Membership.group_id.in_(facilitated_group_ids(viewer, on)), Membership.is_current(on)
        )
        query = query.where(Person.id.in_(members))
    return query


def search_people(
    viewer: Person, is_admin: bool, text: str, page: int, size: int, on: date
) -> tuple[list[Person], int]:
    query = visible_people(viewer, is_admin, on)
    for word in fold(text).split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Person.search_text.like(f"%{escaped}%", escape="\\"))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    people = db.session.scalars(
        query.order_by(func.lower(Person.display_name), Person.id)
        .options(selectinload(Person.memberships).selectinload(Membership.group))
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return list(people), total


def can_see_person(viewer: Person, is_admin: bool, person_id: int, on: date) -> bool:
    query = visible_people(viewer, is_admin, on).where(Person.id == person_id)
    return db.session.scalar(select(func.count()).select_from(query.subquery())) == 1


def person_with_memberships(person_id: int) -> Person | None:
    return db.session.scalar(
        select(Person)
        .where(Person.id == person_id)
        .options(selectinload(Person.memberships).selectinload(Membership.group))
    )


def latest_card(person_id: int) -> LoginCard | None:
    return db.session.scalar(
        select(LoginCard)
        .where(LoginCard.person_id == person_id)
        .order_by(LoginCard.created_at.desc(), LoginCard.id.desc())
        .limit(1)
    )


def groups_with_counts(on: date) -> list[tuple[Group, int]]:
    counts = (
        select(Membership.group_id, func.count(func.distinct(Membership.person_id)).label("n"))
        .where(Membership.is_current(on))
        .group_by(Membership.group_id)
        .subquery()
    )
    rows = db.session.execute(
        select(Group, func.coalesce(counts.c.n, 0))
        .outerjoin(counts, counts.c.group_id == Group.id)
        .order_by(Group.kind, Group.name)
    ).all()
    return [(group, int(n)) for group, n in rows]


def group_memberships(group_id: int) -> list[Membership]:
    return list(
        db.session.scalars(
            select(Membership)
            .join(Person)
            .where(Membership.group_id == group_id)
            .options(selectinload(Membership.person))
            .order_by(func.lower(Person.display_name), Membership.role, Membership.starts_on)
        )
    )


def people_choices() -> list[SelectChoice]:
    rows = db.session.execute(
        select(Person.id, Person.display_name, Person.username)
        .where(Person.active.is_(True))
        .order_by(func.lower(Person.display_name))
    )
    return [SelectChoice(pid, f"{name} ({username})") for pid, name, username in rows]


def outbox(limit: int) -> list:  # type: ignore[type-arg]
    from governance.mail import OutboxMessage

    return list(
        db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(limit))
    )
