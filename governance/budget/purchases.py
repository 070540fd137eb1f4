"""Purchases imported from the payment operator's export, reimbursements, and reports."""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from governance.budget import ledger, rules
from governance.budget.models import (
    Account,
    AccountKind,
    Currency,
    Household,
    LedgerTransaction,
    Posting,
    TransactionKind,
)
from governance.conventionnement.models import PointOfSale, PosStatus
from governance.errors import DomainError
from governance.extensions import db

COLUMNS = ["date", "operator_id", "household", "point_of_sale", "amount"]


def merchant(pos: PointOfSale) -> Account:
    return ledger.account(
        f"merchant:{pos.id}", f"MonA reçues — {pos.name}", Currency.MONA, AccountKind.MERCHANT
    )


def approved_on(pos: PointOfSale, on: date) -> bool:
    """Conventionné that day: approved since before it, not past its review date."""
    return (
        pos.status is PosStatus.APPROVED
        and pos.approved_since is not None
        and pos.approved_since <= on
        and (pos.review_on is None or on <= pos.review_on)
    )


@dataclass
class Line:
    number: int
    operator_id: str
    household: Household | None = None
    pos: PointOfSale | None = None
    on: date | None = None
    cents: int = 0
    errors: list[str] = field(default_factory=list)


def parse(text: str) -> list[Line]:
    """Read and check every line; wallets are checked against the whole file, in order."""
    reader = csv.DictReader(io.StringIO(text))
    if [c for c in COLUMNS if c not in (reader.fieldnames or [])]:
        raise DomainError(_l("The file needs the columns: %(names)s", names=", ".join(COLUMNS)))
    lines, spent = [], defaultdict(int)
    for number, row in enumerate(reader, start=2):
        line = Line(number, (row["operator_id"] or "").strip()[:80])
        try:
            line.on = date.fromisoformat(row["date"].strip())
            line.cents = rules.to_cents(row["amount"].replace(",", "."))
        except (ValueError, ArithmeticError, AttributeError):
            line.errors.append(str(_l("The date or the amount is not written as expected.")))
        line.household = db.session.scalar(
            select(Household).where(Household.reference == (row["household"] or "").strip())
        )
        line.pos = (
            db.session.get(PointOfSale, int(row["point_of_sale"]))
            if (row["point_of_sale"] or "").strip().isdigit()
            else None
        )
        if not line.operator_id:
            line.errors.append(str(_l("The operator's transaction id is missing.")))
        if line.household is None:
            line.errors.append(str(_l("Unknown household.")))
        if line.pos is None:
            line.errors.append(str(_l("Unknown point of sale.")))
        elif line.on and not approved_on(line.pos, line.on):
            line.errors.append(
                str(_l("%(name)s was not conventionné on that date.", name=line.pos.name))
            )
        if line.cents <= 0 and not line.errors:
            line.errors.append(str(_l("The amount must be more than zero.")))
        if not line.errors and not _already(line):
            wallet = ledger.wallet(line.household)
            if wallet.balance_cents - spent[wallet.id] < line.cents:
                line.errors.append(str(_l("Not enough MonA in this wallet.")))
            else:
                spent[wallet.id] += line.cents
        lines.append(line)
    return lines


def _key(line: Line) -> str:
    return f"purchase:{line.operator_id}"


def _already(line: Line) -> bool:
    return (
        db.session.scalar(
            select(LedgerTransaction.id).where(LedgerTransaction.idempotency_key == _key(line))
        )
        is not None
    )


def apply(lines: list[Line]) -> int:
    """The whole file or nothing; lines already recorded (same operator id) add nothing."""
    if any(line.errors for line in lines):
        raise DomainError(_l("Some lines are refused: nothing was imported."))
    created = 0
    with db.session.begin_nested():
        for line in lines:
            if _already(line):
                continue
            ledger.post(
                TransactionKind.PURCHASE,
                line.on,
                [(ledger.wallet(line.household), -line.cents), (merchant(line.pos), line.cents)],
                _key(line),
                f"{line.pos.name} — {line.household.reference}",
            )
            created += 1
    return created


def reimburse(pos: PointOfSale, cents: int, on: date, key: str) -> LedgerTransaction:
    """Pay a point of sale in euros for MonA it received; the MonA leave circulation."""
    issuance = ledger.account(
        ledger.ISSUANCE, "MonA mises en circulation", Currency.MONA, AccountKind.ISSUANCE
    )
    paid = ledger.account(
        "expense:reimbursements",
        "Remboursements aux points de vente",
        Currency.EUR,
        AccountKind.PAYABLE,
    )
    if merchant(pos).balance_cents < cents:
        raise DomainError(_l("This point of sale has not received that many MonA."))
    return ledger.post(
        TransactionKind.REIMBURSEMENT,
        on,
        [(merchant(pos), -cents), (issuance, cents), (ledger.bank(), -cents), (paid, cents)],
        key,
        pos.name,
    )


def trial_balance() -> list[tuple[str, str, int]]:
    """Every account with the sum of its postings, from the postings themselves."""
    rows = db.session.execute(
        select(Account.code, Account.currency, func.coalesce(func.sum(Posting.amount_cents), 0))
        .outerjoin(Posting, Posting.account_id == Account.id)
        .group_by(Account.id)
        .order_by(Account.currency, Account.code)
    )
    return [(code, currency.value, int(total)) for code, currency, total in rows]


def monthly_statement(month: date) -> dict[str, int]:
    """Totals per kind of operation for one month, in cents of the operation's currency."""
    start = month.replace(day=1)
    end = date(start.year + start.month // 12, start.month % 12 + 1, 1)
    rows = db.session.execute(
        select(LedgerTransaction.kind, func.sum(Posting.amount_cents))
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .where(
            LedgerTransaction.occurred_on >= start,
            LedgerTransaction.occurred_on < end,
            Posting.amount_cents > 0,
        )
        .group_by(LedgerTransaction.kind)
    )
    return {kind.value: int(total) for kind, total in rows}


def household_statement(household: Household) -> list[tuple[date, str, int]]:
    wallet = ledger.wallet(household)
    rows = db.session.execute(
        select(LedgerTransaction.occurred_on, LedgerTransaction.description, Posting.amount_cents)
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .where(Posting.account_id == wallet.id)
        .order_by(LedgerTransaction.id)
    )
    return [(on, text, int(cents)) for on, text, cents in rows]
