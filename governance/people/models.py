"""People, groups, memberships, and the ways of logging in."""

from __future__ import annotations

import enum
import unicodedata
from datetime import date

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.db import Base, created_at, intpk, str40, str120, str255, utc
from governance.db import enum_column as _enum


class Role(enum.StrEnum):
    MEMBER = "member"
    FACILITATOR = "facilitator"
    TREASURER = "treasurer"
    ADMIN = "admin"
    # Reads the evaluation's aggregates and exports the pseudonymised research dataset.
    EVALUATOR = "evaluator"


class GroupKind(enum.StrEnum):
    COMMITTEE = "committee"
    WORKING_GROUP = "working_group"
    LOCAL_COMMITTEE = "local_committee"


class QuorumKind(enum.StrEnum):
    PERCENT = "percent"
    COUNT = "count"


class SecretKind(enum.StrEnum):
    PASSWORD = "password"  # noqa: S105 — the kind of secret, not a secret
    PIN = "pin"


class Person(Base):
    __tablename__ = "person"

    id: Mapped[intpk]
    display_name: Mapped[str120]
    username: Mapped[str40] = mapped_column(unique=True)
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Name, username and e-mail folded to lowercase without accents: "ines" finds "Inès".
    search_text: Mapped[str] = mapped_column(String(500), default="", index=True)
    secret_hash: Mapped[str | None] = mapped_column(String(255))
    secret_kind: Mapped[SecretKind | None] = mapped_column(_enum(SecretKind, "secret_kind"))
    must_choose_pin: Mapped[bool] = mapped_column(Boolean, default=False)
    locale: Mapped[str | None] = mapped_column(String(8))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[created_at]
    deactivated_at: Mapped[utc | None]
    # Second factor (TOTP) of admins and treasurers: the shared secret, and the last time step
    # accepted, so that a code is never accepted twice.
    totp_secret: Mapped[str | None] = mapped_column(String(64))
    totp_last_step: Mapped[int | None]
    # Set when the person was erased: name and contact replaced, the rows kept (see GDPR).
    erased_at: Mapped[utc | None]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="person", cascade="all, delete-orphan", order_by="Membership.starts_on"
    )

    __table_args__ = (CheckConstraint("email = lower(email)", name="email_lowercase"),)

    # Flask-Login: the id stored in the cookie is the login session's token, not the person's
    # id, so that ending the login session on the server makes a copied cookie worthless.
    login_token = None  # set per instance: the token of the login session in use
    # Set with the login session: whether a role held today needs the second factor.
    needs_second_factor = False
    is_anonymous = False

    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    def get_id(self) -> str | None:
        return self.login_token

    def __repr__(self) -> str:
        return f"<Person {self.id} {self.username}>"


def fold(text: str) -> str:
    """Lowercase without accents, for searching as people type on a phone."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@event.listens_for(Person, "before_insert")
@event.listens_for(Person, "before_update")
def _fold_search_text(_mapper: object, _connection: object, person: Person) -> None:
    person.search_text = fold(
        " ".join(filter(None, (person.display_name, person.username, person.email)))
    )


class Group(Base):
    __tablename__ = "group"

    id: Mapped[intpk]
    name: Mapped[str120] = mapped_column(unique=True)
    kind: Mapped[GroupKind] = mapped_column(_enum(GroupKind, "group_kind"))
    description: Mapped[str] = mapped_column(String(2000), default="")
    quorum_kind: Mapped[QuorumKind] = mapped_column(
        _enum(QuorumKind, "quorum_kind"), default=QuorumKind.PERCENT
    )
    quorum_value: Mapped[int] = mapped_column(default=50)
    # Short code of the group in decision references (CCA-2026-014).
    code: Mapped[str] = mapped_column(String(12), unique=True)
    # The decision rule: which positions exist besides consent and objection, how many consent
    # rounds before a fallback vote may be called, and the fallback's threshold (None: none).
    allow_concern: Mapped[bool] = mapped_column(Boolean, default=True)
    allow_abstention: Mapped[bool] = mapped_column(Boolean, default=True)
    rounds_before_fallback: Mapped[int] = mapped_column(default=2)
    fallback_numerator: Mapped[int | None]
    fallback_denominator: Mapped[int | None]
    # Without quorum the group decides nothing (the item is postponed) unless its rule says so.
    decide_without_quorum: Mapped[bool] = mapped_column(Boolean, default=False)
    # Between sessions: a facilitator may open a consent round online, with a deadline.
    allow_online_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    # Members check in on their phone while the meeting is open, or this long before its start.
    check_in_minutes_before: Mapped[int] = mapped_column(default=30)
    created_at: Mapped[created_at]

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="group", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("quorum_value >= 0", name="quorum_not_negative"),
        CheckConstraint(
            "quorum_kind <> 'percent' OR quorum_value <= 100", name="quorum_percent_at_most_100"
        ),
        CheckConstraint("rounds_before_fallback >= 1", name="at_least_one_round"),
        CheckConstraint("check_in_minutes_before BETWEEN 0 AND 240", name="check_in_window"),
        CheckConstraint(
            "(fallback_numerator IS NULL AND fallback_denominator IS NULL) OR "
            "(fallback_numerator > 0 AND fallback_denominator >= fallback_numerator)",
            name="fallback_fraction",
        ),
    )

    @property
    def has_fallback(self) -> bool:
        return self.fallback_numerator is not None

    def __repr__(self) -> str:
        return f"<Group {self.id} {self.name}>"


class Membership(Base):
    """A person's role in a group between two dates (the end date is included)."""

    __tablename__ = "membership"

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="CASCADE"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[created_at]

    person: Mapped[Person] = relationship(back_populates="memberships")
    group: Mapped[Group] = relationship(back_populates="memberships")

    __table_args__ = (
        CheckConstraint("ends_on IS NULL OR ends_on >= starts_on", name="ends_after_start"),
        UniqueConstraint("person_id", "group_id", "role", "starts_on"),
        Index("ix_membership_group_role", "group_id", "role"),
    )

    @hybrid_method
    def is_current(self, on: date) -> bool:
        """Whether the membership holds on that day (its last day included): the one rule,
        in Python and, on the class, in SQL."""
        return self.starts_on <= on and (self.ends_on is None or on <= self.ends_on)

    @is_current.expression  # type: ignore[no-redef]
    def is_current(cls, on: date) -> ColumnElement[bool]:
        return (cls.starts_on <= on) & (cls.ends_on.is_(None) | (cls.ends_on >= on))


class LoginCard(Base):
    """A printed one-time code (and QR) for a member without e-mail; only its hash is kept."""

    __tablename__ = "login_card"

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    expires_at: Mapped[utc]
    used_at: Mapped[utc | None]
    revoked_at: Mapped[utc | None]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])


class LoginSession(Base):
    """One login on one device; ended on logout, on deactivation, or when it grows too old."""

    __tablename__ = "login_session"

    id: Mapped[intpk]
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    expires_at: Mapped[utc]
    ended_at: Mapped[utc | None]
    user_agent: Mapped[str255] = mapped_column(default="")

    person: Mapped[Person] = relationship()


class LoginAttempt(Base):
    """Failed and successful attempts, read back to throttle guessing."""

    __tablename__ = "login_attempt"

    id: Mapped[intpk]
    account_key: Mapped[str] = mapped_column(String(254))
    address: Mapped[str] = mapped_column(String(64))
    succeeded: Mapped[bool] = mapped_column(Boolean)
    at: Mapped[created_at]

    __table_args__ = (
        Index("ix_login_attempt_account_at", "account_key", "at"),
        Index("ix_login_attempt_address_at", "address", "at"),
    )


class Territory(Base):
    """A part of the caisse (a neighbourhood, a town, a *bassin de vie*) with its local
    committee, if it has one: that committee runs the conventionnement of its territory."""

    __tablename__ = "territory"

    id: Mapped[intpk]
    name: Mapped[str120] = mapped_column(unique=True)
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("group.id", ondelete="SET NULL"), unique=True
    )
    created_at: Mapped[created_at]

    group: Mapped[Group | None] = relationship()

    def __repr__(self) -> str:
        return f"<Territory {self.id} {self.name}>"
