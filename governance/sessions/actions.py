"""Action items written with the minutes (who, what, by when), carried to the group's next
meetings until someone marks them done."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from governance.db import utcnow
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Person
from governance.sessions.models import ActionItem, Meeting

WRITABLE = ("open", "closed", "published")


def add(meeting: Meeting, who: Person | None, what: str, due_on: date | None) -> ActionItem:
    if meeting.status.value not in WRITABLE:
        raise DomainError(_l("Actions are written with the minutes, once the meeting is held."))
    what = what.strip()
    if not what:
        raise DomainError(_l("Say what is to be done."), "what")
    action = ActionItem(meeting_id=meeting.id, who=who, what=what, due_on=due_on)
    db.session.add(action)
    db.session.flush()
    return action


def mark_done(action: ActionItem, by: Person) -> None:
    if action.done_at is not None:
        raise DomainError(_l("This action is already done."))
    action.done_at, action.done_by_id = utcnow(), by.id
    db.session.flush()


def of_meeting(meeting: Meeting) -> list[ActionItem]:
    return list(
        db.session.scalars(
            select(ActionItem)
            .where(ActionItem.meeting_id == meeting.id)
            .options(selectinload(ActionItem.who))
            .order_by(ActionItem.id)
        )
    )


def carried_to(meeting: Meeting) -> list[ActionItem]:
    """The group's actions from earlier meetings still to be done: on this meeting's agenda."""
    return list(
        db.session.scalars(
            select(ActionItem)
            .join(Meeting, Meeting.id == ActionItem.meeting_id)
            .where(
                Meeting.group_id == meeting.group_id,
                Meeting.starts_at < meeting.starts_at,
                Meeting.id != meeting.id,
                ActionItem.done_at.is_(None),
            )
            .options(selectinload(ActionItem.who), selectinload(ActionItem.meeting))
            .order_by(ActionItem.due_on.is_(None), ActionItem.due_on, ActionItem.id)
        )
    )
