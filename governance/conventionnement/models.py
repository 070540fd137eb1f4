"""Points of sale, their versioned questionnaires and grids, the binômes' visits and answers."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.db import Base, created_at, intpk, str120, str255, utc
from governance.db import enum_column as _enum
from governance.people.models import Group, Person, Territory


class PosKind(enum.StrEnum):
    SHOP = "shop"
    GROCERY = "grocery"  # épicerie, dont solidaire
    BAKERY = "bakery"
    BUTCHER = "butcher"
    RESTAURANT = "restaurant"
    PRODUCER = "producer"
    MARKET = "market"
    AMAP = "amap"


class FormKind(enum.StrEnum):
    """Which questionnaire (and grid) a point of sale is visited with."""

    SHOP = "shop"
    PRODUCER = "producer"


PRODUCER_KINDS = {PosKind.PRODUCER, PosKind.MARKET, PosKind.AMAP}


def form_kind(kind: PosKind) -> FormKind:
    return FormKind.PRODUCER if kind in PRODUCER_KINDS else FormKind.SHOP


class PosStatus(enum.StrEnum):
    PROPOSED = "proposed"
    VISITING = "visiting"
    REPORTED = "reported"
    APPROVED = "approved"  # conventionné
    REFUSED = "refused"
    SUSPENDED = "suspended"
    ENDED = "ended"


class LinkAction(enum.StrEnum):
    """What an adopted decision on the linked agenda item does to the point of sale."""

    APPROVE = "approve"
    SUSPEND = "suspend"
    END = "end"


class PointOfSale(Base):
    __tablename__ = "point_of_sale"

    id: Mapped[intpk]
    name: Mapped[str120]
    kind: Mapped[PosKind] = mapped_column(_enum(PosKind, "pos_kind"))
    address: Mapped[str255] = mapped_column(default="")
    neighbourhood: Mapped[str120] = mapped_column(default="")
    contact: Mapped[str255] = mapped_column(default="")
    sells: Mapped[str] = mapped_column(String(1000), default="")
    why: Mapped[str] = mapped_column(String(2000), default="")
    status: Mapped[PosStatus] = mapped_column(
        _enum(PosStatus, "pos_status"), default=PosStatus.PROPOSED
    )
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="RESTRICT"))
    proposed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    approved_since: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    # The days it is open, as ISO weekday numbers ("1,3,6": Monday, Wednesday, Saturday).
    opening_days: Mapped[str] = mapped_column(String(20), default="")
    created_at: Mapped[created_at]

    group: Mapped[Group] = relationship()
    places: Mapped[list[TerritoryPlace]] = relationship(
        back_populates="pos", cascade="all, delete-orphan"
    )

    @property
    def weekdays(self) -> list[int]:
        return [int(d) for d in self.opening_days.split(",") if d.strip().isdigit()]

    proposed_by: Mapped[Person | None] = relationship()
    events: Mapped[list[PosEvent]] = relationship(
        order_by="PosEvent.id", cascade="all, delete-orphan"
    )


class TerritoryPlace(Base):
    """A point of sale in one territory, and where it stands there: a place can be approved
    in several territories, each by the decision of that territory's committee."""

    __tablename__ = "territory_place"

    territory_id: Mapped[int] = mapped_column(
        ForeignKey("territory.id", ondelete="CASCADE"), primary_key=True
    )
    pos_id: Mapped[int] = mapped_column(
        ForeignKey("point_of_sale.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    status: Mapped[PosStatus] = mapped_column(
        _enum(PosStatus, "pos_status"), default=PosStatus.PROPOSED
    )
    approved_since: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    decision_reference: Mapped[str | None] = mapped_column(String(30))

    territory: Mapped[Territory] = relationship()
    pos: Mapped[PointOfSale] = relationship(back_populates="places")


class PosEvent(Base):
    """The point of sale's history, one line per step."""

    __tablename__ = "pos_event"

    id: Mapped[intpk]
    pos_id: Mapped[int] = mapped_column(
        ForeignKey("point_of_sale.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[created_at]
    what: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str] = mapped_column(String(1000), default="")
    decision_reference: Mapped[str | None] = mapped_column(String(30))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))


class FormVersion(Base):
    """A published version of a questionnaire (``role`` questionnaire) or an analysis grid
    (``role`` grid) for one kind; never changed once published."""

    __tablename__ = "form_version"

    id: Mapped[intpk]
    role: Mapped[str] = mapped_column(String(20))
    kind: Mapped[FormKind] = mapped_column(_enum(FormKind, "form_kind"))
    number: Mapped[int]
    definition: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    published_at: Mapped[created_at]

    __table_args__ = (
        UniqueConstraint("role", "kind", "number"),
        CheckConstraint("role IN ('questionnaire', 'grid')", name="role_known"),
    )


class Visit(Base):
    __tablename__ = "visit"

    id: Mapped[intpk]
    pos_id: Mapped[int] = mapped_column(
        ForeignKey("point_of_sale.id", ondelete="CASCADE"), index=True
    )
    questionnaire_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    grid_id: Mapped[int] = mapped_column(ForeignKey("form_version.id"))
    visit_on: Mapped[date] = mapped_column(Date)
    # The committee the binôme reports to and that decides (the point's, or that of another
    # territory where the place is visited too).
    group_id: Mapped[int] = mapped_column(ForeignKey("group.id", ondelete="RESTRICT"))
    submitted_at: Mapped[utc | None]
    submitted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    opinion_band: Mapped[str | None] = mapped_column(String(20))
    opinion: Mapped[str] = mapped_column(Text, default="")
    score: Mapped[dict | None] = mapped_column(JSON)  # type: ignore[type-arg]
    agenda_item_id: Mapped[int | None] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="SET NULL")
    )
    created_at: Mapped[created_at]

    pos: Mapped[PointOfSale] = relationship()
    group: Mapped[Group] = relationship()
    questionnaire: Mapped[FormVersion] = relationship(foreign_keys=[questionnaire_id])
    grid: Mapped[FormVersion] = relationship(foreign_keys=[grid_id])
    members: Mapped[list[VisitMember]] = relationship(cascade="all, delete-orphan")


class VisitMember(Base):
    __tablename__ = "visit_member"

    visit_id: Mapped[int] = mapped_column(
        ForeignKey("visit.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    person: Mapped[Person] = relationship()


class Answer(Base):
    """One answer to one question of a visit. Writes carry the time the phone took the
    answer: a replayed or late write never overwrites a newer one."""

    __tablename__ = "answer"

    id: Mapped[intpk]
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(4000))
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    answered_at_ms: Mapped[int] = mapped_column(BigInteger)
    key: Mapped[str] = mapped_column(String(64))

    answered_by: Mapped[Person | None] = relationship()

    __table_args__ = (UniqueConstraint("visit_id", "question"),)


class PosLink(Base):
    """An agenda item where the committee decides about a point of sale."""

    __tablename__ = "pos_link"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True
    )
    pos_id: Mapped[int] = mapped_column(
        ForeignKey("point_of_sale.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[LinkAction] = mapped_column(_enum(LinkAction, "pos_link_action"))
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="SET NULL"))
