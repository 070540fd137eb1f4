"""The treasurer's and the public's reports: pure queries that add up in SQL, never by walking
the postings in Python. Amounts are cents (1 MonA = 1 €)."""

from __future__ import annotations

import enum
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Date, and_, case, cast, func, or_, select
from sqlalchemy.orm import aliased

from governance.budget import funding, ledger, scenarios
from governance.budget.models import (
    Account,
    AccountKind,
    ContributionDue,
    ContributionTarget,
    Household,
    LedgerTransaction,
    Posting,
    TransactionKind,
)
from governance.conventionnement.models import PointOfSale, PosKind
from governance.extensions import db


def next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """Every first day of a month from ``start`` to ``end``, both included."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = next_month(month)
    return months


def _month_of(column: Any) -> Any:
    """The first day of the month of a date column, in the database's own dialect."""
    if db.session.get_bind().dialect.name == "sqlite":
        return func.strftime("%Y-%m-01", column)
    return cast(func.date_trunc("month", column), Date)


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _between(start: date, end: date, territory_id: int | None = None) -> Any:
    """The operations of these months; in one territory, those of its households (grants and
    reimbursements belong to the whole caisse and are left out there)."""
    within = and_(
        LedgerTransaction.occurred_on >= start.replace(day=1),
        LedgerTransaction.occurred_on < next_month(end),
    )
    if territory_id is None:
        return within
    theirs = aliased(Posting)
    owner = aliased(Account)
    return and_(
        within,
        select(theirs.id)
        .join(owner, owner.id == theirs.account_id)
        .join(Household, Household.id == owner.household_id)
        .where(
            theirs.transaction_id == LedgerTransaction.id, Household.territory_id == territory_id
        )
        .exists(),
    )


# --- contributions due and paid -----------------------------------------------------------


class DueStatus(enum.StrEnum):
    PAID = "paid"
    PARTLY = "partly"
    DUE = "due"


def _status(due: int, paid: int) -> DueStatus:
    if paid >= due:
        return DueStatus.PAID
    return DueStatus.PARTLY if paid > 0 else DueStatus.DUE


def _paid_by_household_month() -> Any:
    """What each household paid, per month (contributions and their reversals)."""
    month = _month_of(LedgerTransaction.occurred_on).label("month")
    return (
        select(
            Account.household_id.label("household_id"),
            month,
            (-func.sum(Posting.amount_cents)).label("paid"),
        )
        .join(Posting, Posting.account_id == Account.id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(Account.kind == AccountKind.INCOME, Account.household_id.is_not(None))
        .group_by(Account.household_id, month)
        .subquery()
    )


@dataclass(frozen=True)
class MonthContributions:
    month: date
    due_cents: int
    paid_cents: int  # paid by the households that were asked, up to nothing more
    households: int
    paid: int
    partly: int
    unpaid: int


def contributions_by_month(start: date, end: date) -> list[MonthContributions]:
    """For each month the run asked for contributions: how much was due and paid, and how
    many households paid, paid part, or paid nothing."""
    paid = _paid_by_household_month()
    got = func.coalesce(paid.c.paid, 0)
    rows = db.session.execute(
        select(
            ContributionDue.month,
            func.sum(ContributionDue.cents),
            func.sum(got),
            func.count(),
            func.sum(case((got >= ContributionDue.cents, 1), else_=0)),
            func.sum(case((and_(got > 0, got < ContributionDue.cents), 1), else_=0)),
        )
        .outerjoin(
            paid,
            and_(
                paid.c.household_id == ContributionDue.household_id,
                paid.c.month == ContributionDue.month,
            ),
        )
        .where(ContributionDue.month >= start.replace(day=1), ContributionDue.month <= end)
        .group_by(ContributionDue.month)
        .order_by(ContributionDue.month)
    )
    return [
        MonthContributions(m, int(due), int(p), n, int(ok), int(part), n - int(ok) - int(part))
        for m, due, p, n, ok, part in rows
    ]


@dataclass(frozen=True)
class HouseholdDue:
    reference: str
    due_cents: int
    paid_cents: int
    status: DueStatus


def household_status(month: date) -> list[HouseholdDue]:
    """Each household asked for a contribution that month, or who paid one, and its status."""
    month = month.replace(day=1)
    paid = (
        select(Account.household_id, (-func.sum(Posting.amount_cents)).label("paid"))
        .join(Posting, Posting.account_id == Account.id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .where(
            Account.kind == AccountKind.INCOME,
            Account.household_id.is_not(None),
            _between(month, month),
        )
        .group_by(Account.household_id)
        .subquery()
    )
    due = select(ContributionDue).where(ContributionDue.month == month).subquery()
    rows = db.session.execute(
        select(Household.reference, func.coalesce(due.c.cents, 0), func.coalesce(paid.c.paid, 0))
        .outerjoin(due, due.c.household_id == Household.id)
        .outerjoin(paid, paid.c.household_id == Household.id)
        .where(or_(due.c.cents.is_not(None), paid.c.paid.is_not(None)))
        .order_by(Household.reference)
    )
    return [HouseholdDue(ref, int(d), int(p), _status(int(d), int(p))) for ref, d, p in rows]


# --- money in and out, by month --------------------------------------------------------------


@dataclass
class MonthTotals:
    month: date
    grants: int = 0
    contributions: int = 0
    allocations: int = 0  # MonA credited to wallets
    purchases: int = 0  # MonA spent at points of sale
    reimbursements: int = 0  # euros paid to points of sale

    @property
    def share_permille(self) -> int | None:
        """Contributions received / allocations given, in thousandths."""
        return 1000 * self.contributions // self.allocations if self.allocations else None


def _effective_kind() -> tuple[Any, Any]:
    """A reversal counts against the kind of the operation it reverses."""
    original = aliased(LedgerTransaction)
    kind = func.coalesce(original.kind, LedgerTransaction.kind)
    return original, kind


# (account kind, effective transaction kind) → (field of MonthTotals, sign)
_MEASURES = {
    (AccountKind.WALLET, TransactionKind.ALLOCATION): ("allocations", 1),
    (AccountKind.MERCHANT, TransactionKind.PURCHASE): ("purchases", 1),
    (AccountKind.PAYABLE, TransactionKind.REIMBURSEMENT): ("reimbursements", 1),
    (AccountKind.INCOME, TransactionKind.GRANT): ("grants", -1),
    (AccountKind.INCOME, TransactionKind.CONTRIBUTION): ("contributions", -1),
}


def monthly_totals(start: date, end: date, territory_id: int | None = None) -> list[MonthTotals]:
    """Grants, contributions, allocations, purchases and reimbursements of each month, every
    month of the range listed (zero when nothing happened), reversals taken off; for the whole
    caisse, or for the households of one territory."""
    original, kind = _effective_kind()
    month = _month_of(LedgerTransaction.occurred_on).label("month")
    rows = db.session.execute(
        select(month, Account.kind, kind, func.sum(Posting.amount_cents))
        .select_from(Posting)
        .join(Account, Account.id == Posting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .outerjoin(original, original.id == LedgerTransaction.reverses_id)
        .where(
            _between(start, end, territory_id),
            Account.kind.in_(
                [AccountKind.WALLET, AccountKind.MERCHANT, AccountKind.PAYABLE, AccountKind.INCOME]
            ),
        )
        .group_by(month, Account.kind, kind)
    )
    totals = {m: MonthTotals(m) for m in months_between(start, end)}
    for m, account_kind, tx_kind, cents in rows:
        measure = _MEASURES.get((account_kind, TransactionKind(tx_kind)))
        if measure and _as_date(m) in totals:
            name, sign = measure
            setattr(
                totals[_as_date(m)], name, getattr(totals[_as_date(m)], name) + sign * int(cents)
            )
    return list(totals.values())


# --- contribution share against the committee's target ---------------------------------------


def target_for(month: date, targets: list[ContributionTarget] | None = None) -> int | None:
    """The share (in thousandths) the committee set, in force that month."""
    if targets is None:
        targets = list(db.session.scalars(select(ContributionTarget)))
    in_force = [t for t in targets if t.effective_month <= month]
    return max(in_force, key=lambda t: t.effective_month).share_permille if in_force else None


@dataclass(frozen=True)
class ShareMonth:
    month: date
    contributions: int
    allocations: int
    share_permille: int | None
    target_permille: int | None

    @property
    def met(self) -> bool | None:
        if self.share_permille is None or self.target_permille is None:
            return None
        return self.share_permille >= self.target_permille


def contribution_share(start: date, end: date, territory_id: int | None = None) -> list[ShareMonth]:
    targets = list(db.session.scalars(select(ContributionTarget)))
    return [
        ShareMonth(
            t.month, t.contributions, t.allocations, t.share_permille, target_for(t.month, targets)
        )
        for t in monthly_totals(start, end, territory_id)
    ]


def set_target(month: date, share_permille: int, reference: str, by_id: int | None) -> None:
    """The committee's target from a month on; setting a month again replaces its target."""
    target = db.session.get(ContributionTarget, month.replace(day=1))
    if target is None:
        target = ContributionTarget(effective_month=month.replace(day=1))
        db.session.add(target)
    target.share_permille, target.decision_reference = share_permille, reference
    target.set_by_id = by_id
    db.session.flush()


# --- purchases by point of sale and by kind ----------------------------------------------


@dataclass(frozen=True)
class PosTotal:
    pos_id: int
    name: str
    kind: PosKind
    cents: int
    permille: int


@dataclass(frozen=True)
class Purchases:
    by_point: list[PosTotal]  # largest first
    by_kind: list[tuple[PosKind, int, int]]  # (kind, cents, permille), largest first
    total: int
    top_two_permille: int  # the share of the two largest points of sale


def purchases(start: date, end: date, territory_id: int | None = None) -> Purchases:
    original, kind = _effective_kind()
    rows = db.session.execute(
        select(Account.code, func.sum(Posting.amount_cents))
        .select_from(Posting)
        .join(Account, Account.id == Posting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .outerjoin(original, original.id == LedgerTransaction.reverses_id)
        .where(
            Account.kind == AccountKind.MERCHANT,
            kind == TransactionKind.PURCHASE,
            _between(start, end, territory_id),
        )
        .group_by(Account.code)
    ).all()
    cents_by_pos = {int(code.split(":")[1]): int(cents) for code, cents in rows if cents}
    points = db.session.scalars(
        select(PointOfSale).where(PointOfSale.id.in_(list(cents_by_pos)))
    ).all()
    total = sum(cents_by_pos.values())

    def permille(cents: int) -> int:
        return 1000 * cents // total if total else 0

    by_point = sorted(
        (
            PosTotal(p.id, p.name, p.kind, cents_by_pos[p.id], permille(cents_by_pos[p.id]))
            for p in points
        ),
        key=lambda t: (-t.cents, t.name),
    )
    kinds: dict[PosKind, int] = defaultdict(int)
    for point in by_point:
        kinds[point.kind] += point.cents
    by_kind = sorted(((k, c, permille(c)) for k, c in kinds.items()), key=lambda r: -r[1])
    return Purchases(by_point, by_kind, total, permille(sum(t.cents for t in by_point[:2])))


# --- months of runway ---------------------------------------------------------------------


@dataclass(frozen=True)
class Runway:
    bank: int  # euros in the fund's bank account
    mona_out: int  # MonA in wallets and at points of sale, to be reimbursed in euros
    available: int  # bank − mona_out
    months: list[MonthTotals]  # the months the average is taken over
    allocations: int  # average per month of the recent months
    contributions: int  # average per month received
    projection: Any  # scenarios.Projection: the months ahead, pledges and costs counted

    @property
    def outflow(self) -> int:
        """Average per month: allocations − contributions received."""
        return self.allocations - self.contributions

    @property
    def runs_out(self) -> date | None:
        """The first month whose end finds the cash below zero; None within the horizon."""
        return self.projection.runs_out

    @property
    def months_left(self) -> int | None:
        """Whole months the money lasts, before the month it runs out."""
        if self.runs_out is None:
            return None
        return month_index(self.runs_out) - month_index(self.projection.assumptions.start)

    @property
    def horizon(self) -> date:
        return self.projection.months[-1].month

    @property
    def grants_to_come(self) -> int:
        return self.projection.grants

    @property
    def costs_to_come(self) -> int:
        return self.projection.costs


RECENT = 3  # months in the average
HORIZON = 36  # months projected


def month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def available_cents() -> tuple[int, int]:
    """(euros in the bank, MonA still to reimburse): the money a projection starts from is
    the first minus the second."""
    bank = ledger.bank().balance_cents
    issuance = db.session.scalar(
        select(Account.balance_cents).where(Account.code == ledger.ISSUANCE)
    )
    return bank, -(issuance or 0)


def runway(today: date) -> Runway:
    """The money available (euros in the bank − MonA still to reimburse) carried month by
    month from next month on, as a scenario does: allocations and contributions at the
    average of the last three complete months, the pledged grants still to come and the
    operating costs not paid yet, each in its month. The month the money runs out is the
    first whose end finds it below zero."""
    this_month = today.replace(day=1)
    months = monthly_totals(add_months(this_month, -RECENT), add_months(this_month, -1))
    bank, mona_out = available_cents()
    start = next_month(this_month)
    ahead = funding.to_come(start)
    assumptions = scenarios.Assumptions(
        name="runway",
        start=start,
        months=HORIZON,
        households_from=1,  # the caisse as it is: the recent totals, not per household
        households_to=1,
        ramp_months=0,
        allocation_cents=sum(m.allocations for m in months) // RECENT,
        contribution_cents=sum(m.contributions for m in months) // RECENT,
        cash_cents=bank - mona_out,
        grants=ahead.grants,
        costs=ahead.costs,
    )
    return Runway(
        bank,
        mona_out,
        bank - mona_out,
        months,
        assumptions.allocation_cents,
        assumptions.contribution_cents,
        scenarios.project(assumptions),
    )
