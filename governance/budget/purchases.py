"""Purchases imported from the payment operator's export, reimbursements, and reports."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from governance import tabular
from governance.budget import bulk, ledger, rules
from governance.budget.models import (
    Account,
    AccountKind,
    Currency,
    Household,
    LedgerTransaction,
    OperatorCode,
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
    already: bool = False  # recorded by an earlier import of the same operator id


def check_shape(text: str) -> int:
    """What can be said at once, before the file goes to the worker: a readable CSV of at most
    ``MAX_CSV_LINES`` lines with the expected columns. Returns the number of lines."""
    reader = tabular.reader(text)
    if [c for c in COLUMNS if c not in (reader.fieldnames or [])]:
        raise DomainError(_l("The file needs the columns: %(names)s", names=", ".join(COLUMNS)))
    return sum(1 for _row in reader)


def parse(
    text: str, read: Callable[[int, int], None] | None = None, operator_id: int | None = None
) -> list[Line]:
    """Read and check every line; wallets are checked against the whole file, in order.
    A few queries for the whole file, whatever its length. ``read(done, total)`` is told how
    far the checking is (the job's progress). A point of sale is named by the code the
    operator ``operator_id`` gives it, by its name, or by its number."""
    reader = tabular.reader(text)
    if [c for c in COLUMNS if c not in (reader.fieldnames or [])]:
        raise DomainError(_l("The file needs the columns: %(names)s", names=", ".join(COLUMNS)))
    rows = list(reader)
    households = _households({(row["household"] or "").strip() for row in rows})
    points = _points(operator_id)
    recorded = bulk.recorded_keys(
        [f"purchase:{(row['operator_id'] or '').strip()[:80]}" for row in rows]
    )
    balances = _wallet_balances()
    lines: list[Line] = []
    spent: dict[int, int] = defaultdict(int)
    seen: set[str] = set()
    for number, row in enumerate(rows, start=2):
        if read is not None and number % 1000 == 0:
            read(number - 1, len(rows))
        line = _check(number, row, households, points)
        if line.operator_id in seen:
            line.errors.append(str(_l("This operator id appears twice in the file.")))
        seen.add(line.operator_id)
        line.already = _key(line) in recorded
        if not line.errors and not line.already:
            left = balances.get(line.household.id, 0) - spent[line.household.id]
            if left < line.cents:
                line.errors.append(str(_l("Not enough MonA in this wallet.")))
            else:
                spent[line.household.id] += line.cents
        lines.append(line)
    return lines


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


AMBIGUOUS = object()  # two points of sale share this name: the line must use a code


def _points(operator_id: int | None) -> dict[str, PointOfSale | object]:
    """How a file may name a point of sale → the point of sale: its number, its name
    (letter case and spaces aside), and the codes its operator gives it (these win)."""
    every = db.session.scalars(select(PointOfSale)).all()
    found: dict[str, PointOfSale | object] = {str(p.id): p for p in every}
    names: dict[str, PointOfSale | object] = {}
    for pos in every:
        key = _name_key(pos.name)
        names[key] = AMBIGUOUS if key in names and names[key] is not pos else pos
    found.update(names)
    if operator_id is not None:
        by_id = {p.id: p for p in every}
        found.update(
            (_name_key(code), by_id[pos_id])
            for code, pos_id in db.session.execute(
                select(OperatorCode.code, OperatorCode.point_of_sale_id).where(
                    OperatorCode.operator_id == operator_id
                )
            )
        )
    return found


def _households(references: set[str]) -> dict[str, Household]:
    found: dict[str, Household] = {}
    refs = sorted(references)
    for start in range(0, len(refs), bulk.CHUNK):
        found.update(
            (h.reference, h)
            for h in db.session.scalars(
                select(Household).where(Household.reference.in_(refs[start : start + bulk.CHUNK]))
            )
        )
    return found


def _wallet_balances() -> dict[int, int]:
    return dict(
        db.session.execute(
            select(Account.household_id, Account.balance_cents).where(
                Account.kind == AccountKind.WALLET
            )
        ).all()
    )


def _check(
    number: int, row: dict[str, str], households: dict[str, Household], points: dict[str, object]
) -> Line:
    line = Line(number, (row["operator_id"] or "").strip()[:80])
    try:
        line.on = date.fromisoformat(row["date"].strip())
        line.cents = rules.to_cents(row["amount"].replace(",", "."))
    except (ValueError, ArithmeticError, AttributeError):
        line.errors.append(str(_l("The date or the amount is not written as expected.")))
    line.household = households.get((row["household"] or "").strip())
    pos = points.get(_name_key(row["point_of_sale"] or ""))
    line.pos = pos if isinstance(pos, PointOfSale) else None
    if not line.operator_id:
        line.errors.append(str(_l("The operator's transaction id is missing.")))
    if line.household is None:
        line.errors.append(str(_l("Unknown household.")))
    if pos is AMBIGUOUS:
        line.errors.append(
            str(_l("Several points of sale have this name: give the operator's code instead."))
        )
    elif line.pos is None:
        line.errors.append(str(_l("Unknown point of sale.")))
    elif line.on and not approved_on(line.pos, line.on):
        line.errors.append(
            str(_l("%(name)s was not conventionné on that date.", name=line.pos.name))
        )
    if line.cents <= 0 and not line.errors:
        line.errors.append(str(_l("The amount must be more than zero.")))
    return line


def _key(line: Line) -> str:
    return f"purchase:{line.operator_id}"


def apply(lines: list[Line]) -> int:
    """The whole file or nothing; lines already recorded (same operator id) add nothing."""
    if any(line.errors for line in lines):
        raise DomainError(_l("Some lines are refused: nothing was imported."))
    todo = [line for line in lines if not line.already]
    wallets = bulk.wallets(list({line.household.id: line.household for line in todo}.values()))
    merchants = {pos.id: merchant(pos) for pos in {line.pos for line in todo}}
    created = 0
    batch = current_app.config["LEDGER_BATCH"]
    with db.session.begin_nested():
        for start in range(0, len(todo), batch):
            if start:
                bulk.batch_written.send("purchases", done=start, total=len(todo))
            created += bulk.post_many(
                [
                    bulk.Entry(
                        TransactionKind.PURCHASE,
                        line.on,
                        [
                            (wallets[line.household.id], -line.cents),
                            (merchants[line.pos.id], line.cents),
                        ],
                        _key(line),
                        f"{line.pos.name} — {line.household.reference}",
                    )
                    for line in todo[start : start + batch]
                ]
            )
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
    # A form sent twice gives back the first reimbursement (``post``), not a refusal.
    if key not in bulk.recorded_keys([key]) and merchant(pos).balance_cents < cents:
        raise DomainError(_l("This point of sale has not received that many MonA."))
    return ledger.post(
        TransactionKind.REIMBURSEMENT,
        on,
        [(merchant(pos), -cents), (issuance, cents), (ledger.bank(), -cents), (paid, cents)],
        key,
        pos.name,
    )


def trial_balance() -> list[tuple[str, str, int]]:
    """Every account with its balance; the households' own accounts (wallets, contributions)
    in one line per family, ``wallet:*`` and ``income:contributions:*`` — each household's
    detail is its statement. The balance kept on each account is the sum of its postings
    (moved by the same guarded UPDATE that adds them; ``verify`` and a test check it), so the
    trial balance reads the accounts, not the postings."""
    family = case(
        (
            Account.household_id.is_not(None),
            func.substr(
                Account.code, 1, func.length(Account.code) - func.length(Household.reference)
            )
            + "*",
        ),
        else_=Account.code,
    ).label("code")
    rows = db.session.execute(
        select(family, Account.currency, func.sum(Account.balance_cents))
        .outerjoin(Household, Household.id == Account.household_id)
        .group_by(family, Account.currency)
        .order_by(Account.currency, family)
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


def contributions_paid(household: Household) -> list[tuple[date, int]]:
    """The household's contributions as received (a reversal shows as a negative amount)."""
    rows = db.session.execute(
        select(LedgerTransaction.occurred_on, Posting.amount_cents)
        .join(Posting, Posting.transaction_id == LedgerTransaction.id)
        .join(Account, Account.id == Posting.account_id)
        .where(Account.household_id == household.id, Account.kind == AccountKind.INCOME)
        .order_by(LedgerTransaction.id)
    )
    return [(on, -int(cents)) for on, cents in rows]
