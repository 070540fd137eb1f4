"""The rules of meetings: agenda, convocation, attendance, quorum, the live room, minutes."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from governance.db import end_reading, utcnow
from governance.errors import Conflict, DomainError, Forbidden, NotFound
from governance.extensions import db
from governance.people.models import Group, Membership, Person, QuorumKind, Role
from governance.sessions.models import (
    COUNTS_FOR_QUORUM,
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ItemKind,
    Meeting,
    MeetingStatus,
)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
S = MeetingStatus
# The only moves a meeting can make; each has its own checks in ``transition``.
TRANSITIONS = {
    (S.DRAFT, S.CONVENED),
    (S.CONVENED, S.OPEN),
    (S.OPEN, S.CLOSED),
    (S.CLOSED, S.PUBLISHED),
}
# Minutes are written during the meeting or after it, until they are published.
MINUTES_WRITTEN = {S.OPEN, S.CLOSED}
RESCHEDULABLE = {S.DRAFT, S.CONVENED}  # date, place and day roles, before it opens


@dataclass(frozen=True)
class Offers:
    """What a meeting's state offers now, whoever may use it (pages ask ``can`` for that)."""

    follow: bool  # the room and the console
    reschedule: bool
    presence: bool
    convocation: bool
    write_minutes: bool


def next_status(meeting: Meeting) -> MeetingStatus | None:
    """Where the meeting goes next (each state has at most one way on), None once published."""
    return next((after for before, after in TRANSITIONS if before is meeting.status), None)


def offers(meeting: Meeting) -> Offers:
    return Offers(
        follow=meeting.status is S.OPEN,
        reschedule=meeting.status in RESCHEDULABLE,
        presence=meeting.takes_presence,
        convocation=meeting.status is not S.DRAFT,
        write_minutes=meeting.status in MINUTES_WRITTEN,
    )


def _new_code() -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))
        if not db.session.scalar(select(Meeting.id).where(Meeting.code == code)):
            return code


# --- meetings -----------------------------------------------------------------------------


def create_meeting(
    group: Group,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    place: str,
    by: Person,
) -> Meeting:
    meeting = Meeting(
        group=group,
        title=title.strip(),
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        place=place.strip(),
        code=_new_code(),
        created_by_id=by.id,
        facilitator_id=by.id,
    )
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(
    meeting: Meeting,
    expected_version: int,
    title: str,
    starts_at: datetime,
    duration_minutes: int,
    place: str,
) -> None:
    _bump_agenda(meeting, expected_version)
    meeting.title, meeting.starts_at = title.strip(), starts_at
    meeting.duration_minutes, meeting.place = duration_minutes, place.strip()
    db.session.flush()


def set_day_roles(
    meeting: Meeting,
    facilitator: Person | None,
    secretary: Person | None,
    timekeeper: Person | None,
) -> None:
    """Roles rotate from one meeting to the next: any member of the group may hold them."""
    allowed = set(member_ids(meeting.group_id, meeting.starts_at.date(), any_role=True))
    for person in (facilitator, secretary, timekeeper):
        if person is not None and person.id not in allowed:
            raise DomainError(
                _l("%(name)s is not a member of this group.", name=person.display_name)
            )
    meeting.facilitator_id = facilitator.id if facilitator else None
    meeting.secretary_id = secretary.id if secretary else None
    meeting.timekeeper_id = timekeeper.id if timekeeper else None
    _touch_live(meeting)


# --- the agenda ---------------------------------------------------------------------------


def _bump_agenda(meeting: Meeting, expected_version: int) -> None:
    """Optimistic lock: a change made from an older page than the current agenda is refused."""
    if not meeting.agenda_open:
        raise DomainError(_l("This meeting is closed: its agenda can no longer change."))
    result = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.agenda_version == expected_version)
        .values(agenda_version=Meeting.agenda_version + 1, live_version=Meeting.live_version + 1)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict(
            _l(
                "Someone else changed this agenda while you were editing it. Your text is "
                "still below: check the agenda as it is now, then save again."
            )
        )
    db.session.refresh(meeting, ["agenda_version", "live_version"])


def touch_agenda(meeting: Meeting) -> None:
    """What members read with the agenda changed (a proposal attached or edited): its version
    moves on, so that the members already convened can be sent the new one."""
    _bump_agenda(meeting, meeting.agenda_version)


def add_item(
    meeting: Meeting,
    expected_version: int,
    kind: ItemKind,
    title: str,
    description: str,
    presenter: Person | None,
    timebox_minutes: int,
) -> AgendaItem:
    _bump_agenda(meeting, expected_version)
    position = (max((i.position for i in meeting.items), default=0)) + 1
    item = AgendaItem(
        meeting=meeting,
        position=position,
        kind=kind,
        title=title.strip(),
        description=description.strip(),
        presenter=presenter,
        timebox_minutes=timebox_minutes,
    )
    db.session.add(item)
    db.session.flush()
    return item


def update_item(
    item: AgendaItem,
    expected_version: int,
    kind: ItemKind,
    title: str,
    description: str,
    presenter: Person | None,
    timebox_minutes: int,
) -> AgendaItem:
    _bump_agenda(item.meeting, expected_version)
    item.kind, item.title, item.description = kind, title.strip(), description.strip()
    item.presenter, item.timebox_minutes = presenter, timebox_minutes
    db.session.flush()
    return item


def remove_item(item: AgendaItem, expected_version: int) -> Meeting:
    meeting = item.meeting
    if meeting.current_item_id == item.id:
        raise DomainError(_l("This item is being discussed now: move to another one first."))
    _bump_agenda(meeting, expected_version)
    meeting.items.remove(item)
    db.session.flush()
    _renumber(meeting)
    return meeting


def move_item(item: AgendaItem, offset: int, expected_version: int) -> Meeting:
    """Swap an item with its neighbour (``offset`` -1: up, +1: down)."""
    meeting = item.meeting
    items = list(meeting.items)
    index = items.index(item)
    other_index = index + offset
    if not 0 <= other_index < len(items):
        raise DomainError(_l("This item cannot move further."))
    _bump_agenda(meeting, expected_version)
    items[index], items[other_index] = items[other_index], items[index]
    _renumber(meeting, items)
    return meeting


def _renumber(meeting: Meeting, ordered: list[AgendaItem] | None = None) -> None:
    """Positions stay 1..n and unique: park them out of the way first, then set them."""
    ordered = ordered if ordered is not None else sorted(meeting.items, key=lambda i: i.position)
    for n, item in enumerate(ordered, start=1):
        item.position = -n
    db.session.flush()
    for n, item in enumerate(ordered, start=1):
        item.position = n
    db.session.flush()
    db.session.expire(meeting, ["items"])


# --- the life of a meeting ----------------------------------------------------------------


def local_day(moment: datetime) -> date:
    """The calendar day of a moment where the caisse is (its configured time zone)."""
    return moment.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])).date()


def opens_today(meeting: Meeting, now: datetime | None = None) -> bool:
    """A meeting opens on its own day only, so that its decisions carry the right date."""
    return local_day(now or utcnow()) == local_day(meeting.starts_at)


def transition(
    meeting: Meeting, to: MeetingStatus, by: Person, now: datetime | None = None
) -> None:
    """The one way a meeting changes state; every other write to ``status`` is a bug.

    ``now`` is the clock: the present, except when history is recorded afterwards (the demo)."""
    if (meeting.status, to) not in TRANSITIONS:
        raise DomainError(_l("This meeting cannot go from this step to that one."))
    now = now or utcnow()
    if to is S.OPEN and not opens_today(meeting, now):
        raise DomainError(
            _l("A meeting opens on its own day. Change its date first if it takes place today.")
        )
    if to is S.CONVENED:
        if not meeting.items:
            raise DomainError(_l("Add at least one item to the agenda before convening."))
        meeting.convened_at = now
    elif to is S.OPEN:
        meeting.opened_at = now
        meeting.current_item_id = meeting.items[0].id if meeting.items else None
        meeting.timer_started_at, meeting.timer_elapsed_seconds = None, 0
    elif to is S.CLOSED:
        meeting.closed_at = now
        _stop_timer(meeting, now)
    elif to is S.PUBLISHED:
        if meeting.minutes_reviewed_at is None:
            raise DomainError(_l("The minutes must be reviewed before they are published."))
        meeting.published_at = now
    meeting.status = to
    _touch_live(meeting)
    db.session.flush()


def member_ids(group_id: int, on: date, any_role: bool = False) -> list[int]:
    """The people who belong to the group on that day (members; with ``any_role``, all)."""
    query = (
        select(Membership.person_id)
        .where(
            Membership.group_id == group_id,
            Membership.is_current(on),
        )
        .distinct()
    )
    if not any_role:
        query = query.where(Membership.role == Role.MEMBER)
    return list(db.session.scalars(query))


def members(meeting: Meeting) -> list[Person]:
    ids = member_ids(meeting.group_id, meeting.starts_at.date(), any_role=True)
    return list(
        db.session.scalars(
            select(Person).where(Person.id.in_(ids)).order_by(func.lower(Person.display_name))
        )
    )


# --- attendance and quorum ----------------------------------------------------------------


@dataclass(frozen=True)
class Quorum:
    members: int
    counted: int
    required: int

    @property
    def met(self) -> bool:
        return self.counted >= self.required


def quorum(meeting: Meeting) -> Quorum:
    group = meeting.group
    member_set = set(member_ids(meeting.group_id, meeting.starts_at.date()))
    counted_ids = db.session.scalars(
        select(Attendance.person_id).where(
            Attendance.meeting_id == meeting.id, Attendance.status.in_(COUNTS_FOR_QUORUM)
        )
    )
    counted = len(member_set.intersection(counted_ids))
    if group.quorum_kind is QuorumKind.PERCENT:
        required = math.ceil(len(member_set) * group.quorum_value / 100)
    else:
        required = group.quorum_value
    return Quorum(members=len(member_set), counted=counted, required=required)


def mark_attendance(
    meeting: Meeting, person: Person, status: AttendanceStatus, by: Person | None
) -> Attendance:
    """Record presence; ``by`` is the facilitator who marked it, None for a self check-in."""
    if meeting.status not in {S.CONVENED, S.OPEN}:
        raise DomainError(_l("Presence is recorded only for a convened or open meeting."))
    if person.id not in member_ids(meeting.group_id, meeting.starts_at.date(), any_role=True):
        raise Forbidden(_l("%(name)s is not a member of this group.", name=person.display_name))
    attendance = db.session.scalar(
        select(Attendance).where(
            Attendance.meeting_id == meeting.id, Attendance.person_id == person.id
        )
    )
    if attendance is None:
        attendance = Attendance(meeting_id=meeting.id, person=person, status=status)
        db.session.add(attendance)
    attendance.status, attendance.updated_at = status, utcnow()
    attendance.marked_by_id = by.id if by is not None else None
    _touch_live(meeting)
    db.session.flush()
    return attendance


def check_in_opens_at(meeting: Meeting) -> datetime:
    return meeting.starts_at - timedelta(minutes=meeting.group.check_in_minutes_before)


def check_in_is_open(meeting: Meeting, now: datetime | None = None) -> bool:
    """Members check in themselves only in the room: while the meeting is open, or from a
    while before its start (the group's setting) once it is convened."""
    if meeting.status is S.OPEN:
        return True
    return meeting.status is S.CONVENED and (now or utcnow()) >= check_in_opens_at(meeting)


def check_in(code: str, person: Person) -> Meeting:
    """A member checks in from their phone with the code shown in the room."""
    normalized = "".join(c for c in code.upper() if c.isalnum())
    meeting = db.session.scalar(select(Meeting).where(Meeting.code == normalized))
    if meeting is None or meeting.status not in {S.CONVENED, S.OPEN}:
        raise NotFound(_l("No meeting is open with this code. Check the code on the screen."))
    if not check_in_is_open(meeting):
        raise DomainError(
            _l(
                "Checking in opens when the meeting starts, in the room. Come back then: the "
                "code is on the screen."
            ),
            field="code",
        )
    # A whole room checks in at once: only this meeting's check-ins take turns, and the write
    # reads the meeting again (``mark_attendance`` checks its status once more).
    end_reading(db.session, scope=("meeting", meeting.id))
    mark_attendance(meeting, person, AttendanceStatus.PRESENT, by=None)
    return meeting


# --- the live room ------------------------------------------------------------------------


def _touch_live(meeting: Meeting) -> None:
    """Every phone polling the room sees the change at its next poll (a new ETag)."""
    meeting.live_version = (meeting.live_version or 0) + 1


def touch_live(meeting: Meeting) -> None:
    """For the panels of other packages (a round opened, a position given…)."""
    _touch_live(meeting)
    db.session.flush()


def elapsed_seconds(meeting: Meeting, now: datetime | None = None) -> int:
    running = 0
    if meeting.timer_started_at is not None:
        running = int(((now or utcnow()) - meeting.timer_started_at).total_seconds())
    return meeting.timer_elapsed_seconds + max(0, running)


def _stop_timer(meeting: Meeting, now: datetime) -> None:
    meeting.timer_elapsed_seconds = elapsed_seconds(meeting, now)
    meeting.timer_started_at = None


def _require_open(meeting: Meeting) -> None:
    if meeting.status is not S.OPEN:
        raise DomainError(_l("The meeting is not open."))


def start_timer(meeting: Meeting) -> None:
    _require_open(meeting)
    if meeting.timer_started_at is None:
        meeting.timer_started_at = utcnow()
        _touch_live(meeting)


def pause_timer(meeting: Meeting) -> None:
    _require_open(meeting)
    if meeting.timer_started_at is not None:
        _stop_timer(meeting, utcnow())
        _touch_live(meeting)


def go_to(meeting: Meeting, offset: int) -> None:
    """Next (+1) or previous (-1) item; its timer starts from zero, running if it was."""
    _require_open(meeting)
    items = list(meeting.items)
    ids = [i.id for i in items]
    index = ids.index(meeting.current_item_id) if meeting.current_item_id in ids else -1
    target = index + offset
    if not 0 <= target < len(items):
        raise DomainError(_l("There is no item in that direction."))
    was_running = meeting.timer_started_at is not None
    meeting.current_item_id = items[target].id
    meeting.timer_elapsed_seconds = 0
    meeting.timer_started_at = utcnow() if was_running else None
    _touch_live(meeting)


# --- minutes ------------------------------------------------------------------------------


def save_minutes(meeting: Meeting, texts: dict[int, str]) -> Meeting:
    if meeting.status not in MINUTES_WRITTEN:
        raise DomainError(_l("Minutes are written during or after the meeting, before publishing."))
    by_id = {item.id: item for item in meeting.items}
    for item_id, text in texts.items():
        if item_id not in by_id:
            raise NotFound(_l("This agenda item does not belong to this meeting."))
        by_id[item_id].minutes = text.strip()
    # Any change after a review needs a new review.
    meeting.minutes_reviewed_at, meeting.minutes_reviewed_by_id = None, None
    db.session.flush()
    return meeting


def review_minutes(meeting: Meeting, by: Person) -> None:
    if meeting.status is not S.CLOSED:
        raise DomainError(_l("Minutes are reviewed once the meeting is closed."))
    if not any(item.minutes for item in meeting.items):
        raise DomainError(_l("The minutes are empty: write them before reviewing."))
    meeting.minutes_reviewed_at, meeting.minutes_reviewed_by_id = utcnow(), by.id
    db.session.flush()
