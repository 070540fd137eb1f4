"""Meetings of a group: agenda, attendance, the live room's state, minutes."""

from __future__ import annotations

import enum
from datetime import date, datetime, timedelta

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.db import Base, created_at, intpk, str120, str255, utc
from governance.db import enum_column as _enum
from governance.people.models import Group, Person


class MeetingStatus(enum.StrEnum):
    DRAFT = "draft"
    CONVENED = "convened"
    OPEN = "open"
    CLOSED = "closed"
    PUBLISHED = "published"  # the minutes are published


class ItemKind(enum.StrEnum):
    INFORMATION = "information"
    DISCUSSION = "discussion"
    DECISION = "decision"
    CONVENTIONNEMENT = "conventionnement"
    CONTRIBUTION_SCALE = "contribution_scale"


class AttendanceStatus(enum.StrEnum):
    PRESENT = "present"
    REMOTE = "remote"
    EXCUSED = "excused"
    ABSENT = "absent"


COUNTS_FOR_QUORUM = {AttendanceStatus.PRESENT, AttendanceStatus.REMOTE}
# Before the session, its agenda, proposals and suggestions still change.
AHEAD = frozenset({MeetingStatus.DRAFT, MeetingStatus.CONVENED})
# Until it closes, items can still be added to its agenda.
AGENDA_OPEN = AHEAD | {MeetingStatus.OPEN}
# Members check in (the code is shown in the room) and presence is marked.
PRESENCE = frozenset({MeetingStatus.CONVENED, MeetingStatus.OPEN})


class Meeting(Base):
    __tablename__ = "meeting"

    id: Mapped[intpk]
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str120]
    starts_at: Mapped[utc]
    duration_minutes: Mapped[int]
    place: Mapped[str255] = mapped_column(default="")
    status: Mapped[MeetingStatus] = mapped_column(
        _enum(MeetingStatus, "meeting_status"), default=MeetingStatus.DRAFT
    )
    # The short code members type (or scan) to check in.
    code: Mapped[str] = mapped_column(String(8), unique=True)
    # Bumped on every agenda change: a save made from an older version is refused.
    agenda_version: Mapped[int] = mapped_column(default=1)
    # Bumped on every change the live room shows: the ETag of the polled fragment.
    live_version: Mapped[int] = mapped_column(default=1)
    # The agenda version the members were last told about (None: never convened).
    notified_version: Mapped[int | None]
    current_item_id: Mapped[int | None]
    timer_started_at: Mapped[utc | None]
    timer_elapsed_seconds: Mapped[int] = mapped_column(default=0)
    # A decision taken online between sessions: no room, no presence; members answer until
    # the round's deadline.
    online: Mapped[bool] = mapped_column(Boolean, default=False)
    facilitator_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    secretary_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    timekeeper_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    minutes_reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_at]
    convened_at: Mapped[utc | None]
    opened_at: Mapped[utc | None]
    closed_at: Mapped[utc | None]
    minutes_reviewed_at: Mapped[utc | None]
    published_at: Mapped[utc | None]

    group: Mapped[Group] = relationship()
    items: Mapped[list[AgendaItem]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="AgendaItem.position"
    )
    facilitator: Mapped[Person | None] = relationship(foreign_keys=[facilitator_id])
    secretary: Mapped[Person | None] = relationship(foreign_keys=[secretary_id])
    timekeeper: Mapped[Person | None] = relationship(foreign_keys=[timekeeper_id])
    minutes_reviewed_by: Mapped[Person | None] = relationship(foreign_keys=[minutes_reviewed_by_id])

    __table_args__ = (
        CheckConstraint("duration_minutes BETWEEN 15 AND 720", name="duration_range"),
        CheckConstraint("timer_elapsed_seconds >= 0", name="elapsed_not_negative"),
        Index("ix_meeting_status_starts_at", "status", "starts_at"),
    )

    @property
    def ahead(self) -> bool:
        """The session has not begun: its agenda, proposals and suggestions still change."""
        return self.status in AHEAD

    @property
    def is_open(self) -> bool:
        return self.status is MeetingStatus.OPEN

    @property
    def agenda_open(self) -> bool:
        return self.status in AGENDA_OPEN

    @property
    def takes_presence(self) -> bool:
        return self.status in PRESENCE

    @property
    def ends_at(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.duration_minutes)

    @property
    def planned_minutes(self) -> int:
        return sum(item.timebox_minutes for item in self.items)

    @property
    def planned_end(self) -> datetime:
        return self.starts_at + timedelta(minutes=self.planned_minutes)

    @property
    def overrun_minutes(self) -> int:
        return max(0, self.planned_minutes - self.duration_minutes)

    @property
    def current_item(self) -> AgendaItem | None:
        return next((i for i in self.items if i.id == self.current_item_id), None)

    @property
    def published(self) -> bool:
        return self.status is MeetingStatus.PUBLISHED

    @property
    def notice_outdated(self) -> bool:
        return self.notified_version is not None and self.notified_version != self.agenda_version


class AgendaItem(Base):
    __tablename__ = "agenda_item"

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    position: Mapped[int]
    kind: Mapped[ItemKind] = mapped_column(_enum(ItemKind, "item_kind"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(2000), default="")
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    timebox_minutes: Mapped[int]
    minutes: Mapped[str] = mapped_column(Text, default="")

    meeting: Mapped[Meeting] = relationship(back_populates="items")
    presenter: Mapped[Person | None] = relationship()

    __table_args__ = (
        UniqueConstraint("meeting_id", "position"),
        CheckConstraint("timebox_minutes BETWEEN 1 AND 240", name="timebox_range"),
    )


class Attendance(Base):
    """A person's presence at a meeting; ``marked_by`` is empty when they checked in themselves."""

    __tablename__ = "attendance"

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    status: Mapped[AttendanceStatus] = mapped_column(_enum(AttendanceStatus, "attendance_status"))
    marked_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    updated_at: Mapped[created_at]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    __table_args__ = (UniqueConstraint("meeting_id", "person_id"),)

    @property
    def counts(self) -> bool:
        """Present in the room or remotely: counted for the quorum."""
        return self.status in COUNTS_FOR_QUORUM


class SuggestionStatus(enum.StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"  # it became an item of the agenda
    DECLINED = "declined"  # with an answer the member reads


class ItemSuggestion(Base):
    """An item a member suggests for a coming meeting: the facilitator accepts it into the
    agenda, or declines it and says why."""

    __tablename__ = "item_suggestion"

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    why: Mapped[str] = mapped_column(String(2000))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[SuggestionStatus] = mapped_column(
        _enum(SuggestionStatus, "suggestion_status"), default=SuggestionStatus.PENDING
    )
    answer: Mapped[str] = mapped_column(String(1000), default="")
    item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    answered_at: Mapped[utc | None]

    meeting: Mapped[Meeting] = relationship()
    person: Mapped[Person | None] = relationship(foreign_keys=[person_id])

    __table_args__ = (
        CheckConstraint("status <> 'declined' OR answer <> ''", name="declined_has_answer"),
        CheckConstraint(
            "(status = 'pending') = (answered_at IS NULL)", name="answered_when_not_pending"
        ),
    )

    @property
    def pending(self) -> bool:
        return self.status is SuggestionStatus.PENDING


class ActionItem(Base):
    """Who does what, by when: written with the minutes, carried to the group's next meetings
    until it is done."""

    __tablename__ = "action_item"

    id: Mapped[intpk]
    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    who_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    what: Mapped[str] = mapped_column(String(500))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[utc | None]
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    meeting: Mapped[Meeting] = relationship()
    who: Mapped[Person | None] = relationship(foreign_keys=[who_id])
