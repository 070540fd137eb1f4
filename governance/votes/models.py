"""Consent decisions: proposals and their versions, rounds, positions, objections, decisions."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    JSON,
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

from governance.db import Base, created_at, intpk, utc
from governance.db import enum_column as _enum
from governance.people.models import Group, Person
from governance.sessions.models import AgendaItem


class Stage(enum.StrEnum):
    """The steps of a consent decision, in order; amendment may come back after a round."""

    PRESENTATION = "presentation"
    QUESTIONS = "questions"
    REACTIONS = "reactions"
    AMENDMENT = "amendment"
    CONSENT = "consent"
    FALLBACK = "fallback"
    DONE = "done"


class Outcome(enum.StrEnum):
    ADOPTED = "adopted"
    REJECTED = "rejected"
    POSTPONED = "postponed"
    WITHDRAWN = "withdrawn"


class DecisionKind(enum.StrEnum):
    GENERAL = "general"
    CONVENTIONNEMENT = "conventionnement"
    CONTRIBUTION_SCALE = "contribution_scale"
    BUDGET = "budget"


class RoundKind(enum.StrEnum):
    CONSENT = "consent"
    FALLBACK = "fallback"


class Value(enum.StrEnum):
    """A position. Consent rounds: the first four; fallback votes: for, against, abstention."""

    CONSENT = "consent"
    OBJECTION = "objection"
    CONCERN = "concern"
    ABSTENTION = "abstention"
    FOR = "for"
    AGAINST = "against"


class ObjectionStatus(enum.StrEnum):
    RAISED = "raised"
    INTEGRATED = "integrated"
    WITHDRAWN = "withdrawn"
    NOT_BLOCKING = "not_blocking"


class Proposal(Base):
    __tablename__ = "proposal"

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="RESTRICT"), unique=True
    )
    title: Mapped[str] = mapped_column(String(200))
    presenter_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    kind: Mapped[DecisionKind] = mapped_column(_enum(DecisionKind, "decision_kind"))
    effect: Mapped[str] = mapped_column(String(2000), default="")
    review_on: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[Stage] = mapped_column(_enum(Stage, "proposal_stage"), default=Stage.PRESENTATION)
    outcome: Mapped[Outcome | None] = mapped_column(_enum(Outcome, "proposal_outcome"))
    # Postponed because the group's quorum was not reached (the rule forbade deciding).
    postponed_for_quorum: Mapped[bool] = mapped_column(Boolean, default=False)
    # Notes the secretary takes during the clarifying questions and the reactions.
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[created_at]

    item: Mapped[AgendaItem] = relationship()
    presenter: Mapped[Person | None] = relationship()
    versions: Mapped[list[ProposalVersion]] = relationship(
        back_populates="proposal", order_by="ProposalVersion.number", cascade="all, delete-orphan"
    )
    rounds: Mapped[list[Round]] = relationship(
        back_populates="proposal", order_by="Round.number", cascade="all, delete-orphan"
    )

    @property
    def current_version(self) -> ProposalVersion:
        return self.versions[-1]

    @property
    def open_round(self) -> Round | None:
        return next((r for r in self.rounds if r.closed_at is None), None)


class ProposalVersion(Base):
    __tablename__ = "proposal_version"

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    proposal: Mapped[Proposal] = relationship(back_populates="versions")

    __table_args__ = (UniqueConstraint("proposal_id", "number"),)


class Round(Base):
    """One round of positions; who may answer is frozen when it opens, and it never reopens."""

    __tablename__ = "round"

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposal.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(ForeignKey("proposal_version.id"))
    number: Mapped[int]
    kind: Mapped[RoundKind] = mapped_column(_enum(RoundKind, "round_kind"))
    present_count: Mapped[int]
    members_count: Mapped[int]
    quorum_required: Mapped[int]
    quorum_met: Mapped[bool] = mapped_column(Boolean)
    opened_at: Mapped[created_at]
    closed_at: Mapped[utc | None]
    # An online round takes positions until this moment, then is counted.
    closes_at: Mapped[utc | None]
    # Counts by position, written when the round closes.
    tally: Mapped[dict[str, int] | None] = mapped_column(JSON)

    proposal: Mapped[Proposal] = relationship(back_populates="rounds")
    version: Mapped[ProposalVersion] = relationship()
    eligible: Mapped[list[Eligibility]] = relationship(cascade="all, delete-orphan")
    positions: Mapped[list[Position]] = relationship(
        back_populates="round", cascade="all, delete-orphan"
    )

    __table_args__ = (UniqueConstraint("proposal_id", "number"),)


class Eligibility(Base):
    __tablename__ = "eligibility"

    round_id: Mapped[int] = mapped_column(
        ForeignKey("round.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )


class Position(Base):
    __tablename__ = "position"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    value: Mapped[Value] = mapped_column(_enum(Value, "position_value"))
    argument: Mapped[str] = mapped_column(String(2000), default="")
    # Set when a facilitator recorded it in the room for a member without a phone.
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    updated_at: Mapped[created_at]

    round: Mapped[Round] = relationship(back_populates="positions")
    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    __table_args__ = (
        UniqueConstraint("round_id", "person_id"),
        CheckConstraint("value <> 'objection' OR length(argument) > 0", name="objection_argued"),
    )


class Objection(Base):
    __tablename__ = "objection"

    id: Mapped[intpk]
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    argument: Mapped[str] = mapped_column(String(2000))
    status: Mapped[ObjectionStatus] = mapped_column(
        _enum(ObjectionStatus, "objection_status"), default=ObjectionStatus.RAISED
    )
    resolution: Mapped[str] = mapped_column(String(2000), default="")
    resolved_in_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_version.id", ondelete="SET NULL")
    )
    resolved_at: Mapped[utc | None]

    round: Mapped[Round] = relationship()
    person: Mapped[Person] = relationship()

    __table_args__ = (UniqueConstraint("round_id", "person_id"),)


class ProposalQuestion(Base):
    """A question asked under a proposal decided online, or the answer to one."""

    __tablename__ = "proposal_question"

    id: Mapped[intpk]
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    reply_to_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposal_question.id", ondelete="CASCADE")
    )
    text: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[created_at]

    person: Mapped[Person | None] = relationship()


class ConflictOfInterest(Base):
    __tablename__ = "conflict_of_interest"

    id: Mapped[intpk]
    item_id: Mapped[int] = mapped_column(ForeignKey("agenda_item.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(String(500), default="")
    declared_at: Mapped[created_at]

    __table_args__ = (UniqueConstraint("item_id", "person_id"),)


class Decision(Base):
    """The record of an outcome. Never edited once written: a later decision amends it.
    Each decision carries the hash of the previous one, so the register can be verified."""

    __tablename__ = "decision"

    id: Mapped[intpk]
    reference: Mapped[str] = mapped_column(String(30), unique=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="RESTRICT"))
    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="RESTRICT"), unique=True
    )
    year: Mapped[int]
    sequence: Mapped[int]
    decided_on: Mapped[date] = mapped_column(Date)
    title: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    outcome: Mapped[Outcome] = mapped_column(_enum(Outcome, "decision_outcome"))
    kind: Mapped[DecisionKind] = mapped_column(_enum(DecisionKind, "decision_record_kind"))
    effect: Mapped[str] = mapped_column(String(2000), default="")
    review_on: Mapped[date | None] = mapped_column(Date)
    # Everything the record shows, frozen: rounds and tallies, objections and their fate,
    # presence and quorum when each round opened, the presenter.
    record: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]

    group: Mapped[Group] = relationship()

    __table_args__ = (
        UniqueConstraint("group_id", "year", "sequence"),
        Index("ix_decision_decided_on", "decided_on"),
    )
