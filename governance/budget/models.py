"""Households and contribution scales (the ledger comes with its own issue)."""

from __future__ import annotations

import enum
from datetime import date
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, created_at, intpk, str120, utc
from governance.db import enum_column as _enum


class HouseholdStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    LEFT = "left"


class Household(Base):
    """Composition and an income bracket per consumption unit, never the exact income."""

    __tablename__ = "household"

    id: Mapped[intpk]
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    adults: Mapped[int] = mapped_column(default=1)
    teens: Mapped[int] = mapped_column(default=0)  # other people aged 14 and over
    children: Mapped[int] = mapped_column(default=0)  # under 14
    income_bracket: Mapped[int]
    contribution_cents: Mapped[int] = mapped_column(default=0)
    starts_on: Mapped[date] = mapped_column(Date)
    status: Mapped[HouseholdStatus] = mapped_column(
        _enum(HouseholdStatus, "household_status"), default=HouseholdStatus.ACTIVE
    )
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    territory_id: Mapped[int | None] = mapped_column(
        ForeignKey("territory.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[created_at]
    # When it left (set with the status), and when, the retention period over, its composition
    # and income bracket were forgotten (see people.privacy.apply_retention).
    left_on: Mapped[date | None] = mapped_column(Date)
    forgotten_at: Mapped[utc | None]

    __table_args__ = (
        CheckConstraint("adults >= 1 AND teens >= 0 AND children >= 0", name="composition"),
        CheckConstraint("contribution_cents >= 0", name="contribution_not_negative"),
        CheckConstraint("income_bracket >= 0", name="bracket_not_negative"),
    )


class ScaleStatus(enum.StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"  # adopted; in force from its effective month
    REFUSED = "refused"


class Scale(Base):
    """A scale proposal: an allocation rule and a contribution rule (see ``rules``)."""

    __tablename__ = "scale"

    id: Mapped[intpk]
    name: Mapped[str120]
    allocation: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    contribution: Mapped[dict] = mapped_column(JSON)  # type: ignore[type-arg]
    status: Mapped[ScaleStatus] = mapped_column(
        _enum(ScaleStatus, "scale_status"), default=ScaleStatus.DRAFT
    )
    effective_month: Mapped[date | None] = mapped_column(Date)
    decision_reference: Mapped[str | None] = mapped_column(String(30))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]


class ScaleLink(Base):
    """The agenda item where the committee decides on a scale proposal."""

    __tablename__ = "scale_link"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), primary_key=True
    )
    scale_id: Mapped[int] = mapped_column(ForeignKey("scale.id", ondelete="CASCADE"))
    effective_month: Mapped[date] = mapped_column(Date)
    # The simulation members read before deciding, computed once when the scale went on the
    # agenda and never again: what the committee decided on stays what it read
    # (see ``services.frozen_simulation``).
    simulation: Mapped[dict | None] = mapped_column(JSON)  # type: ignore[type-arg]


class AssessmentStatus(enum.StrEnum):
    PENDING = "pending"  # declared; the next monthly run applies it
    APPLIED = "applied"  # the household's figures were changed, once
    REPLACED = "replaced"  # a later declaration came before the run


class ContributionAssessment(Base):
    """What a household declared it can give, with the answers that led to the amount the
    scale in force suggested (a self-assessment, like Montpellier's guide grid)."""

    __tablename__ = "contribution_assessment"

    id: Mapped[intpk]
    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="CASCADE"), index=True
    )
    adults: Mapped[int]
    teens: Mapped[int]
    children: Mapped[int]
    income_bracket: Mapped[int]
    left_cents: Mapped[int | None] = mapped_column(BigInteger)  # after rent and bills, per month
    food_cents: Mapped[int | None] = mapped_column(BigInteger)  # spent on food today, per month
    scale_id: Mapped[int | None] = mapped_column(ForeignKey("scale.id", ondelete="SET NULL"))
    suggested_cents: Mapped[int | None] = mapped_column(BigInteger)
    declared_cents: Mapped[int] = mapped_column(BigInteger)
    status: Mapped[AssessmentStatus] = mapped_column(
        _enum(AssessmentStatus, "assessment_status"), default=AssessmentStatus.PENDING
    )
    applied_month: Mapped[date | None] = mapped_column(Date)
    filled_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    __table_args__ = (
        CheckConstraint("declared_cents >= 0", name="declared_not_negative"),
        CheckConstraint(
            "adults >= 1 AND teens >= 0 AND children >= 0", name="assessment_composition"
        ),
    )


# --- the ledger ---------------------------------------------------------------------------


class Currency(enum.StrEnum):
    EUR = "EUR"
    MONA = "MONA"


class AccountKind(enum.StrEnum):
    ASSET = "asset"  # the fund's bank account (EUR)
    INCOME = "income"  # grants and contributions received (EUR)
    ISSUANCE = "issuance"  # MonA put into circulation by the monthly run
    WALLET = "wallet"  # a household's MonA
    MERCHANT = "merchant"  # MonA received by a point of sale, to reimburse in EUR
    PAYABLE = "payable"  # EUR owed to points of sale


class TransactionKind(enum.StrEnum):
    GRANT = "grant"
    CONTRIBUTION = "contribution"
    ALLOCATION = "allocation"
    PURCHASE = "purchase"
    REIMBURSEMENT = "reimbursement"
    REVERSAL = "reversal"


class Account(Base):
    __tablename__ = "account"

    id: Mapped[intpk]
    code: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str120]
    currency: Mapped[Currency] = mapped_column(_enum(Currency, "currency"))
    kind: Mapped[AccountKind] = mapped_column(_enum(AccountKind, "account_kind"))
    allow_negative: Mapped[bool] = mapped_column(default=True)
    # The sum of this account's postings, kept with each posting; a test and `verify` check it.
    balance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    household_id: Mapped[int | None] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT")
    )

    __table_args__ = (CheckConstraint("allow_negative OR balance_cents >= 0", name="no_overdraft"),)


class LedgerTransaction(Base):
    """Never updated nor deleted (database triggers refuse it); a correction is a reversal."""

    __tablename__ = "ledger_transaction"

    id: Mapped[intpk]
    kind: Mapped[TransactionKind] = mapped_column(_enum(TransactionKind, "transaction_kind"))
    occurred_on: Mapped[date] = mapped_column(Date)
    description: Mapped[str] = mapped_column(String(500), default="")
    idempotency_key: Mapped[str] = mapped_column(String(120), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    reverses_id: Mapped[int | None] = mapped_column(
        ForeignKey("ledger_transaction.id", ondelete="RESTRICT"), unique=True
    )
    previous_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]

    # Covering for the reports by month: the month's operations and their kind, from the index.
    __table_args__ = (Index("ix_ledger_transaction_occurred_on_kind", "occurred_on", "kind"),)


class Posting(Base):
    __tablename__ = "posting"

    id: Mapped[intpk]
    transaction_id: Mapped[int] = mapped_column(
        ForeignKey("ledger_transaction.id", ondelete="RESTRICT")
    )
    account_id: Mapped[int] = mapped_column(
        ForeignKey("account.id", ondelete="RESTRICT"), index=True
    )
    currency: Mapped[Currency] = mapped_column(_enum(Currency, "posting_currency"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)  # debit positive, credit negative

    __table_args__ = (
        CheckConstraint("amount_cents <> 0", name="not_zero"),
        # Covering: a month's statement reads its amounts without touching the table.
        Index("ix_posting_transaction_id_amount_cents", "transaction_id", "amount_cents"),
    )


class ClosedMonth(Base):
    __tablename__ = "closed_month"

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    closed_at: Mapped[created_at]
    # Closed months are a hash chain (governance.chains): a month reopened by deleting its row
    # is seen by ``flask verify``.
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


class ContributionDue(Base):
    """What a household was asked to pay for a month, recorded by the monthly run."""

    __tablename__ = "contribution_due"

    household_id: Mapped[int] = mapped_column(
        ForeignKey("household.id", ondelete="RESTRICT"), primary_key=True
    )
    month: Mapped[date] = mapped_column(Date, primary_key=True, index=True)
    cents: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (CheckConstraint("cents >= 0", name="due_not_negative"),)


class ContributionTarget(Base):
    """The share of the allocations the committee wants contributions to cover, from a month
    on (for example 30 % in Lyon 8e); the latest one started is in force."""

    __tablename__ = "contribution_target"

    effective_month: Mapped[date] = mapped_column(Date, primary_key=True)
    share_permille: Mapped[int]
    decision_reference: Mapped[str] = mapped_column(String(30), default="")
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    set_at: Mapped[created_at]

    __table_args__ = (CheckConstraint("share_permille BETWEEN 0 AND 1000", name="share_in_range"),)


class PaymentOperator(Base):
    """Whoever runs the MonA payments and sends the purchase exports (a card or app operator):
    how its files name their columns, saved once, and the codes it gives the points of sale."""

    __tablename__ = "payment_operator"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(60), unique=True)
    # field of the import (date, operator_id, household, point_of_sale, amount) → the header
    # of that column in the operator's files
    columns: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_at: Mapped[created_at]


class OperatorCode(Base):
    """The identifier a payment operator uses for a point of sale (a shop may have several)."""

    __tablename__ = "operator_code"

    id: Mapped[intpk]
    operator_id: Mapped[int] = mapped_column(
        ForeignKey("payment_operator.id", ondelete="CASCADE"), index=True
    )
    point_of_sale_id: Mapped[int] = mapped_column(
        ForeignKey("point_of_sale.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(80))

    __table_args__ = (UniqueConstraint("operator_id", "code", name="one_shop_per_code"),)


class PurchaseUpload(Base):
    """A purchase file as read, kept between its preview and the treasurer's confirmation:
    its table (header and rows, as the file wrote them) and the columns chosen for it."""

    __tablename__ = "purchase_upload"

    id: Mapped[intpk]
    digest: Mapped[str] = mapped_column(String(64), index=True)  # of the file's bytes
    filename: Mapped[str] = mapped_column(String(200), default="")
    operator_id: Mapped[int | None] = mapped_column(
        ForeignKey("payment_operator.id", ondelete="SET NULL")
    )
    table: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"header": [...], "rows": [[...]]}
    columns: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]


class FunderKind(enum.StrEnum):
    PUBLIC = "public"  # State, region, métropole, city, CAF…
    PRIVATE = "private"  # a foundation or a company
    CITIZEN = "citizen"  # donations, voluntary extra contributions


class Funder(Base):
    """Who funds the caisse besides the households' contributions. Its grants are read from the
    ledger (the grant account named after it, see ``ledger.record_grant``)."""

    __tablename__ = "funder"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(60), unique=True)
    kind: Mapped[FunderKind] = mapped_column(_enum(FunderKind, "funder_kind"))
    created_at: Mapped[created_at]


class Schedule(enum.StrEnum):
    ONCE = "once"  # all at the first month
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"


class Pledge(Base):
    """An amount a funder promised (or that the caisse hopes for) over a period, paid on a
    schedule: what is expected each month, against what the ledger received."""

    __tablename__ = "pledge"

    id: Mapped[intpk]
    funder_id: Mapped[int] = mapped_column(ForeignKey("funder.id", ondelete="CASCADE"), index=True)
    cents: Mapped[int] = mapped_column(BigInteger)
    first_month: Mapped[date] = mapped_column(Date)
    last_month: Mapped[date] = mapped_column(Date)
    schedule: Mapped[Schedule] = mapped_column(_enum(Schedule, "pledge_schedule"))
    firm: Mapped[bool] = mapped_column(default=True)  # signed; else hoped for
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[created_at]

    __table_args__ = (
        CheckConstraint("cents > 0", name="pledge_positive"),
        CheckConstraint("last_month >= first_month", name="pledge_period"),
    )


class CostKind(enum.StrEnum):
    STAFF = "staff"
    PAYMENT_FEES = "payment_fees"
    PREMISES = "premises"
    OTHER = "other"


class CostLine(Base):
    """An operating cost of a month beside the allocations: forecast first, then what was paid."""

    __tablename__ = "cost_line"

    id: Mapped[intpk]
    label: Mapped[str] = mapped_column(String(120))
    kind: Mapped[CostKind] = mapped_column(_enum(CostKind, "cost_kind"))
    month: Mapped[date] = mapped_column(Date, index=True)
    forecast_cents: Mapped[int] = mapped_column(BigInteger)
    paid_cents: Mapped[int | None] = mapped_column(BigInteger)
    paid_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[created_at]

    __table_args__ = (
        CheckConstraint("forecast_cents >= 0", name="forecast_not_negative"),
        CheckConstraint("paid_cents IS NULL OR paid_cents >= 0", name="paid_not_negative"),
    )


class ScenarioLink(Base):
    """Scenarios of enlargement attached to a proposal, frozen: their inputs and their months
    as the treasurer saw them, so that the committee decides on what it read."""

    __tablename__ = "scenario_link"

    proposal_id: Mapped[int] = mapped_column(
        ForeignKey("proposal.id", ondelete="CASCADE"), primary_key=True
    )
    frozen: Mapped[dict[str, Any]] = mapped_column(JSON)  # {"computed_on", "scenarios": [...]}
    attached_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]
