"""Read side of the meeting pages."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from governance.extensions import db
from governance.people.models import Group, Membership, Person, Role
from governance.sessions.models import AgendaItem, Attendance, Meeting, MeetingStatus


def meeting(meeting_id: int) -> Meeting | None:
    return db.session.scalar(
        select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(
            selectinload(Meeting.items).selectinload(AgendaItem.presenter),
            selectinload(Meeting.group),
        )
    )


def group_roles(person: Person, group_id: int, on: date) -> set[Role]:
    return set(
        db.session.scalars(
            select(Membership.role).where(
                Membership.person_id == person.id,
                Membership.group_id == group_id,
                Membership.is_current(on),
            )
        )
    )


def groups_with_roles(person: Person, roles: set[Role], on: date) -> set[int]:
    """The groups where the person holds one of these roles on that day, in one read."""
    return set(
        db.session.scalars(
            select(Membership.group_id).where(
                Membership.person_id == person.id,
                Membership.role.in_(roles),
                Membership.is_current(on),
            )
        )
    )


def is_admin(person: Person, on: date) -> bool:
    return bool(
        db.session.scalar(
            select(func.count()).where(
                Membership.person_id == person.id,
                Membership.role == Role.ADMIN,
                Membership.is_current(on),
            )
        )
    )


def groups_run_by(person: Person) -> list[Group]:
    today = date.today()
    query = select(Group).order_by(Group.name)
    if not is_admin(person, today):
        query = query.where(
            Group.id.in_(
                select(Membership.group_id).where(
                    Membership.person_id == person.id,
                    Membership.role == Role.FACILITATOR,
                    Membership.is_current(today),
                )
            )
        )
    return list(db.session.scalars(query))


def meetings_for(person: Person) -> list[Meeting]:
    """Meetings of the person's groups (all groups for an admin), the latest first."""
    today = date.today()
    query = select(Meeting).options(selectinload(Meeting.group))
    if not is_admin(person, today):
        mine = select(Membership.group_id).where(
            Membership.person_id == person.id, Membership.is_current(today)
        )
        query = query.where(Meeting.group_id.in_(mine))
    return list(db.session.scalars(query.order_by(Meeting.starts_at.desc())))


def attendance_by_person(meeting_id: int) -> dict[int, Attendance]:
    rows = db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting_id))
    return {row.person_id: row for row in rows}


def attendance_of(meeting_id: int, person_id: int) -> Attendance | None:
    return db.session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting_id, Attendance.person_id == person_id
        )
    )


def live_state(meeting_id: int) -> tuple[int, MeetingStatus, int, int | None] | None:
    """What a poll needs to answer 304 (version, status, group, current item): one read."""
    row = db.session.execute(
        select(
            Meeting.live_version, Meeting.status, Meeting.group_id, Meeting.current_item_id
        ).where(Meeting.id == meeting_id)
    ).one_or_none()
    return (row[0], row[1], row[2], row[3]) if row else None


def published_meetings() -> list[Meeting]:
    return list(
        db.session.scalars(
            select(Meeting)
            .where(Meeting.status == MeetingStatus.PUBLISHED)
            .options(selectinload(Meeting.group))
            .order_by(Meeting.starts_at.desc())
        )
    )
