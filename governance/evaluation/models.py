"""Profile facts a person gives by choice, their research-use consent, and the record of every
research export."""

from __future__ import annotations

import enum
from datetime import date

from sqlalchemy import JSON, Boolean, CheckConstraint, Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from governance.db import Base, created_at, intpk, utc
from governance.db import enum_column as _enum
from governance.people.models import Person


class AgeBand(enum.StrEnum):
    UNDER_25 = "under_25"
    FROM_25_TO_39 = "25_39"
    FROM_40_TO_54 = "40_54"
    FROM_55_TO_69 = "55_69"
    FROM_70 = "70_plus"


class Gender(enum.StrEnum):
    WOMAN = "woman"
    MAN = "man"
    OTHER = "other"  # in the person's own words, never more precise


class FoodAid(enum.StrEnum):
    """Food aid (food bank, social grocery, parcels) used in the last twelve months."""

    YES = "yes"
    NO = "no"


class CameBy(enum.StrEnum):
    """How the person came to the caisse."""

    WORD_OF_MOUTH = "word_of_mouth"
    SOCIAL_WORKER = "social_worker"
    ASSOCIATION = "association"
    PUBLIC_MEETING = "public_meeting"
    POSTER = "poster"
    OTHER = "other"


class Profile(Base):
    """What a person chose to tell about themselves, each fact optional (None: not said) and
    withdrawn at any time. Read only in aggregates, where a cell of fewer than five people is
    hidden; exported for research only with ``research_consent``, under ``pseudonym``."""

    __tablename__ = "profile"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    age_band: Mapped[AgeBand | None] = mapped_column(_enum(AgeBand, "age_band"))
    gender: Mapped[Gender | None] = mapped_column(_enum(Gender, "gender"))
    household_size: Mapped[int | None]
    # Index of ``budget.rules.BRACKETS`` (monthly income per consumption unit).
    income_bracket: Mapped[int | None]
    food_aid: Mapped[FoodAid | None] = mapped_column(_enum(FoodAid, "food_aid"))
    came_by: Mapped[CameBy | None] = mapped_column(_enum(CameBy, "came_by"))
    research_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    consent_changed_at: Mapped[utc | None]
    # A random identifier, drawn once and kept: the same person across exports, no link to
    # their id, name or account.
    pseudonym: Mapped[str] = mapped_column(String(16), unique=True)
    # Set when a facilitator keyed the facts in with a member who has no phone.
    keyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    updated_at: Mapped[created_at]

    person: Mapped[Person] = relationship(foreign_keys=[person_id])

    __table_args__ = (
        CheckConstraint("household_size IS NULL OR household_size >= 1", name="size_positive"),
        CheckConstraint("income_bracket IS NULL OR income_bracket >= 0", name="bracket_positive"),
    )

    FACTS = ("age_band", "gender", "household_size", "income_bracket", "food_aid", "came_by")

    @property
    def gave_anything(self) -> bool:
        return any(getattr(self, fact) is not None for fact in self.FACTS)


class ResearchExport(Base):
    """One pseudonymised export: who, when, how many people, and the file's SHA-256."""

    __tablename__ = "research_export"

    id: Mapped[intpk]
    at: Mapped[created_at]
    by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    people: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))

    by: Mapped[Person | None] = relationship()


# --- surveys ---------------------------------------------------------------------------------


class Audience(enum.StrEnum):
    HOUSEHOLDS = "households"  # the person who holds each enrolled household
    COMMITTEE = "committee"  # the members of the citizen committees


class SurveyCampaign(Base):
    """A survey and its waves. Its questions (sections of questions, the format of the binômes'
    questionnaires) are frozen when it is created: every wave is answered on the same version."""

    __tablename__ = "survey_campaign"

    id: Mapped[intpk]
    title: Mapped[str] = mapped_column(String(200))
    audience: Mapped[Audience] = mapped_column(_enum(Audience, "survey_audience"))
    definition: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    waves: Mapped[list[SurveyWave]] = relationship(
        order_by="SurveyWave.number", cascade="all, delete-orphan", back_populates="campaign"
    )

    @property
    def from_joining(self) -> bool:
        """Its waves open from each household's own joining date (see surveys.due_on)."""
        return self.audience is Audience.HOUSEHOLDS


class SurveyWave(Base):
    """One wave: the baseline, then 6 and 12 months later (or the one wave of a one-off)."""

    __tablename__ = "survey_wave"

    id: Mapped[intpk]
    campaign_id: Mapped[int] = mapped_column(
        ForeignKey("survey_campaign.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    months_after: Mapped[int] = mapped_column(default=0)
    opens_on: Mapped[date] = mapped_column(Date)

    campaign: Mapped[SurveyCampaign] = relationship(back_populates="waves")

    __table_args__ = (UniqueConstraint("campaign_id", "number"),)


class SurveyResponse(Base):
    """A person's answers to one wave; ``keyed_by`` set when typed in from a paper copy."""

    __tablename__ = "survey_response"

    id: Mapped[intpk]
    wave_id: Mapped[int] = mapped_column(ForeignKey("survey_wave.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    keyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    submitted_at: Mapped[utc | None]
    created_at: Mapped[created_at]

    wave: Mapped[SurveyWave] = relationship()

    __table_args__ = (UniqueConstraint("wave_id", "person_id"),)


class SurveyAnswer(Base):
    """One answer, saved as soon as its screen is sent."""

    __tablename__ = "survey_answer"

    id: Mapped[intpk]
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_response.id", ondelete="CASCADE"))
    question: Mapped[str] = mapped_column(String(40))
    value: Mapped[str] = mapped_column(String(4000))
    answered_at: Mapped[created_at]

    __table_args__ = (UniqueConstraint("response_id", "question"),)
