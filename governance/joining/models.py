"""Applications to join, and how the caisse gives its places."""

from __future__ import annotations

import enum

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, created_at, intpk, str120, utc
from governance.db import enum_column as _enum


class ApplicantStatus(enum.StrEnum):
    NEW = "new"
    INVITED = "invited"  # to an information or welcome meeting
    CAME = "came"
    ENROLLED = "enrolled"
    WAITING = "waiting"  # on the waiting list
    WITHDRAWN = "withdrawn"


class HeardFrom(enum.StrEnum):
    ORGANISATION = "organisation"
    SOCIAL_SERVICES = "social_services"
    WORD_OF_MOUTH = "word_of_mouth"
    OTHER = "other"


class PlacesMode(enum.StrEnum):
    ORDER = "order"  # in order of arrival
    DRAW = "draw"  # by the caisse's fair draw (governance.lottery)


class Applicant(Base):
    """A household that asked to join, from the public form: no account, contact optional."""

    __tablename__ = "applicant"

    id: Mapped[intpk]
    name: Mapped[str120]
    adults: Mapped[int]
    teens: Mapped[int] = mapped_column(default=0)
    children: Mapped[int] = mapped_column(default=0)
    income_bracket: Mapped[int]
    neighbourhood: Mapped[str120]
    heard_from: Mapped[HeardFrom] = mapped_column(_enum(HeardFrom, "heard_from"))
    heard_detail: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(30))
    # Who the application is, to recognise it sent again: the contact, else name and place.
    identity: Mapped[str] = mapped_column(String(64), index=True)
    status: Mapped[ApplicantStatus] = mapped_column(
        _enum(ApplicantStatus, "applicant_status"), default=ApplicantStatus.NEW
    )
    sent_again: Mapped[int] = mapped_column(default=0)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="SET NULL"), unique=True
    )
    # The welcome meeting the applicant is invited to (they check in there without an account).
    meeting_id: Mapped[int | None] = mapped_column(
        ForeignKey("meeting.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[created_at]
    changed_at: Mapped[utc | None]
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))

    __table_args__ = (
        CheckConstraint(
            "adults >= 1 AND teens >= 0 AND children >= 0", name="applicant_composition"
        ),
        Index("ix_applicant_status_created_at", "status", "created_at"),
    )


class Intake(Base):
    """How many households the caisse can take and how it gives its places (one row)."""

    __tablename__ = "intake"

    id: Mapped[int] = mapped_column(primary_key=True)
    capacity: Mapped[int | None]  # None: no limit set
    mode: Mapped[PlacesMode] = mapped_column(
        _enum(PlacesMode, "places_mode"), default=PlacesMode.ORDER
    )
    decision_reference: Mapped[str] = mapped_column(String(30), default="")
    changed_at: Mapped[utc | None]

    __table_args__ = (CheckConstraint("capacity IS NULL OR capacity >= 0", name="capacity"),)
