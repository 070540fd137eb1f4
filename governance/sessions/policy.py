"""Who may do what with a meeting: one rule each, asked by the routes (``access``) and the
templates (``can``) alike. Votes' proposals, rounds and objections follow their meeting."""

from __future__ import annotations

from datetime import date
from typing import Any, NamedTuple

from governance.access import Loader, rule
from governance.people.models import Role
from governance.sessions import queries
from governance.sessions.models import AgendaItem, Meeting, MeetingStatus


def _in(person: Any) -> bool:
    return bool(person is not None and person.is_authenticated)


@rule
def can_see_meeting(person: Any, meeting: Meeting) -> bool:
    """A member of the meeting's group (any role), or an admin: the list, the page, the room."""
    if not _in(person):
        return False
    today = date.today()
    return bool(queries.group_roles(person, meeting.group_id, today)) or queries.is_admin(
        person, today
    )


@rule
def can_run_meeting(person: Any, meeting: Meeting) -> bool:
    """The day's facilitator, a facilitator of the meeting's group, or an admin."""
    if not _in(person):
        return False
    if meeting.facilitator_id == person.id:
        return True
    today = date.today()
    return Role.FACILITATOR in queries.group_roles(
        person, meeting.group_id, today
    ) or queries.is_admin(person, today)


@rule
def can_write_minutes(person: Any, meeting: Meeting) -> bool:
    """The day's secretary, or whoever runs the meeting."""
    return _in(person) and (meeting.secretary_id == person.id or can_run_meeting(person, meeting))


@rule
def can_read_minutes(person: Any, meeting: Meeting) -> bool:
    """Everyone once published; before, who writes them, while there is something to read."""
    if meeting.status is MeetingStatus.PUBLISHED:
        return True
    writing = meeting.status in (MeetingStatus.OPEN, MeetingStatus.CLOSED)
    return writing and can_write_minutes(person, meeting)


def meeting_from_url(meeting_id: int) -> Meeting | None:
    return queries.meeting(meeting_id)


def item_from_url(meeting_id: int, item_id: int) -> AgendaItem | None:
    meeting = queries.meeting(meeting_id)
    if meeting is None:
        return None
    return next((i for i in meeting.items if i.id == item_id), None)


def item_by_id(item_id: int) -> AgendaItem | None:
    from governance.extensions import db

    return db.session.get(AgendaItem, item_id)


@rule
def can_see_item(person: Any, item: AgendaItem) -> bool:
    return can_see_meeting(person, item.meeting)


@rule
def can_run_item(person: Any, item: AgendaItem) -> bool:
    return can_run_meeting(person, item.meeting)


class LiveState(NamedTuple):
    """What a poll of the room needs to answer 304, from one small read (see the room)."""

    version: int
    status: MeetingStatus
    group_id: int
    current_item_id: int | None


def room_from_url(meeting_id: int) -> LiveState | None:
    row = queries.live_state(meeting_id)
    return LiveState(*row) if row else None


MEETING = Loader("meeting", meeting_from_url, can_see_meeting)
# The minutes: public once published; before, they exist only for who writes them.
MINUTES = Loader("meeting", meeting_from_url, can_read_minutes)
# The room, polled by every phone: the same rule as the meeting, asked of a lighter read.
ROOM = Loader("state", room_from_url, can_see_meeting)
ITEM = Loader("item", item_from_url, can_see_item)
ITEM_BY_ID = Loader("item", item_by_id, can_see_item)
