"""A draw (its pool, quotas, commitment and outcome) and its candidates."""

from __future__ import annotations

import enum

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.db import Base, created_at, intpk, str120, utc
from governance.db import enum_column as _enum


class Purpose(enum.StrEnum):
    HOUSEHOLDS = "households"  # the selected become enrolled households
    GROUP = "group"  # the selected become members of a group


class Method(enum.StrEnum):
    MAXIMIN = "maximin"  # raise the smallest chance as high as the quotas allow
    NASH = "nash"  # maximise the product of the chances (fewer very small chances)


class LotteryStatus(enum.StrEnum):
    DRAFT = "draft"  # pool and quotas may change
    COMMITTED = "committed"  # chances frozen, seed hash published
    DRAWN = "drawn"  # seed revealed, panel and reserve known
    CONFIRMED = "confirmed"  # the selected are enrolled


class Lottery(Base):
    """One draw. Its public record never shows a name: candidates are known by number."""

    __tablename__ = "lottery"

    id: Mapped[intpk]
    title: Mapped[str120]
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose, "lottery_purpose"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("group.id", ondelete="RESTRICT"))
    places: Mapped[int]
    method: Mapped[Method] = mapped_column(_enum(Method, "lottery_method"), default=Method.MAXIMIN)
    status: Mapped[LotteryStatus] = mapped_column(
        _enum(LotteryStatus, "lottery_status"), default=LotteryStatus.DRAFT
    )
    # The features that matter, in order, and {feature: {value: [min, max]}}.
    features: Mapped[list] = mapped_column(JSON, default=list)  # type: ignore[type-arg]
    quotas: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    # The distribution over panels that the method computed, frozen at commitment:
    # [[[candidate numbers], probability], ...], and each candidate's chance {number: p}.
    distribution: Mapped[list | None] = mapped_column(JSON)  # type: ignore[type-arg]
    chances: Mapped[dict | None] = mapped_column(JSON)  # type: ignore[type-arg]
    # How the chances were computed: method, exact or stopped at its time budget, seconds.
    computation: Mapped[dict | None] = mapped_column(JSON)  # type: ignore[type-arg]
    seed_hash: Mapped[str | None] = mapped_column(String(64))
    seed: Mapped[str | None] = mapped_column(String(64))  # secret until the draw
    panel: Mapped[list | None] = mapped_column(JSON)  # type: ignore[type-arg]
    reserve: Mapped[list | None] = mapped_column(JSON)  # type: ignore[type-arg]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
    committed_at: Mapped[utc | None]
    drawn_at: Mapped[utc | None]
    confirmed_at: Mapped[utc | None]

    candidates: Mapped[list[Candidate]] = relationship(
        back_populates="lottery", cascade="all, delete-orphan", order_by="Candidate.number"
    )

    __table_args__ = (
        CheckConstraint("places >= 1", name="at_least_one_place"),
        CheckConstraint("purpose <> 'group' OR group_id IS NOT NULL", name="group_given"),
        CheckConstraint(
            "status = 'draft' OR (seed_hash IS NOT NULL AND distribution IS NOT NULL)",
            name="committed_before_drawn",
        ),
    )


class Candidate(Base):
    """One line of the pool. ``values`` holds the candidate's category for each feature."""

    __tablename__ = "lottery_candidate"

    id: Mapped[intpk]
    lottery_id: Mapped[int] = mapped_column(ForeignKey("lottery.id", ondelete="CASCADE"))
    number: Mapped[int]  # the only thing the public record shows
    name: Mapped[str120]
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    adults: Mapped[int] = mapped_column(default=1)
    teens: Mapped[int] = mapped_column(default=0)
    children: Mapped[int] = mapped_column(default=0)
    income_bracket: Mapped[int | None]
    values: Mapped[dict] = mapped_column(JSON, default=dict)  # type: ignore[type-arg]
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="SET NULL")
    )

    lottery: Mapped[Lottery] = relationship(back_populates="candidates")

    __table_args__ = (
        UniqueConstraint("lottery_id", "number"),
        CheckConstraint("adults >= 1 AND teens >= 0 AND children >= 0", name="composition"),
    )
