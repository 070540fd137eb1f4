"""The fund's books: double entry in EUR and MonA, append-only, hash-chained, idempotent.

Every transaction balances per currency. Postings are only ever added; a correction is the
reversal of a whole transaction, at most once. A household's wallet never goes below zero: the
balance is moved by one guarded UPDATE, so two purchases at once cannot both spend the same MonA.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from governance.budget import rules
from governance.budget.models import (
    Account,
    AccountKind,
    ClosedMonth,
    Currency,
    Household,
    HouseholdStatus,
    LedgerTransaction,
    Posting,
    TransactionKind,
)
from governance.budget.services import active_scale
from governance.db import lock_chain
from governance.errors import Conflict, DomainError
from governance.extensions import db

GENESIS = "0" * 64
BANK, CONTRIBUTIONS, ISSUANCE = "bank", "income:contributions", "issuance:mona"

Line = tuple[Account, int]  # (account, cents: debit positive, credit negative)


def account(
    code: str, name: str, currency: Currency, kind: AccountKind, household: Household | None = None
) -> Account:
    found = db.session.scalar(select(Account).where(Account.code == code))
    if found is None:
        found = Account(
            code=code,
            name=name,
            currency=currency,
            kind=kind,
            allow_negative=kind is not AccountKind.WALLET,
            household_id=household.id if household else None,
        )
        db.session.add(found)
        db.session.flush()
    return found


def bank() -> Account:
    return account(BANK, "Compte bancaire de la caisse", Currency.EUR, AccountKind.ASSET)


def wallet(household: Household) -> Account:
    return account(
        f"wallet:{household.reference}",
        f"Porte-monnaie {household.reference}",
        Currency.MONA,
        AccountKind.WALLET,
        household,
    )


def _content(kind: TransactionKind, on: date, lines: list[Line], reverses: int | None) -> str:
    body = {
        "kind": kind.value,
        "on": on.isoformat(),
        "reverses": reverses,
        "lines": sorted([a.code, cents] for a, cents in lines),
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def _chain_hash(tx: LedgerTransaction, lines: list[Line]) -> str:
    body = {
        "key": tx.idempotency_key,
        "content": tx.content_hash,
        "previous": tx.previous_hash,
        "description": tx.description,
        "lines": [[a.code, a.currency.value, cents] for a, cents in lines],
    }
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def is_closed(on: date) -> bool:
    return db.session.get(ClosedMonth, on.replace(day=1)) is not None


def post(
    kind: TransactionKind,
    on: date,
    lines: list[Line],
    key: str,
    description: str = "",
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Record one balanced transaction. The same key with the same content gives back the
    first result; the same key with other content is refused."""
    content = _content(kind, on, lines, reverses.id if reverses else None)
    lock_chain(db.session, "ledger")  # before the key is looked up: a retry waits, then finds it
    existing = db.session.scalar(
        select(LedgerTransaction).where(LedgerTransaction.idempotency_key == key)
    )
    if existing is not None:
        if existing.content_hash != content:
            raise Conflict(_l("This operation was already recorded with other amounts."))
        return existing
    if is_closed(on):
        raise DomainError(_l("This month is closed: nothing can be recorded in it any more."))
    totals: dict[Currency, int] = defaultdict(int)
    for acc, cents in lines:
        if cents == 0:
            raise DomainError(_l("An amount of zero cannot be recorded."))
        totals[acc.currency] += cents
    if any(totals.values()):
        raise DomainError(_l("This operation does not balance."))
    previous = db.session.scalar(
        select(LedgerTransaction.hash).order_by(LedgerTransaction.id.desc()).limit(1)
    )
    tx = LedgerTransaction(
        kind=kind,
        occurred_on=on,
        description=description[:500],
        idempotency_key=key,
        content_hash=content,
        reverses_id=reverses.id if reverses else None,
        previous_hash=previous or GENESIS,
        hash="",
    )
    tx.hash = _chain_hash(tx, lines)
    with db.session.begin_nested():  # all postings and balances, or nothing
        db.session.add(tx)
        db.session.flush()
        for acc, cents in lines:
            _move(acc, cents)
            db.session.add(
                Posting(
                    transaction_id=tx.id,
                    account_id=acc.id,
                    currency=acc.currency,
                    amount_cents=cents,
                )
            )
        db.session.flush()
    return tx


def _move(acc: Account, cents: int) -> None:
    """One guarded UPDATE: a wallet that would go negative is refused, even under races."""
    guard = Account.allow_negative.is_(True) | (Account.balance_cents + cents >= 0)
    result = db.session.execute(
        update(Account)
        .where(Account.id == acc.id, guard)
        .values(balance_cents=Account.balance_cents + cents)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise DomainError(_l("Not enough MonA in this wallet."))
    db.session.refresh(acc, ["balance_cents"])


def reverse(tx: LedgerTransaction, reason: str, on: date) -> LedgerTransaction:
    if tx.kind is TransactionKind.REVERSAL:
        raise DomainError(_l("A reversal is not reversed: record the operation again."))
    if db.session.scalar(
        select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == tx.id)
    ):
        raise DomainError(_l("This operation is already reversed."))
    rows = db.session.execute(
        select(Account, Posting.amount_cents)
        .join(Posting, Posting.account_id == Account.id)
        .where(Posting.transaction_id == tx.id)
    ).all()
    return post(
        TransactionKind.REVERSAL,
        on,
        [(a, -cents) for a, cents in rows],
        f"reversal:{tx.id}",
        reason,
        reverses=tx,
    )


def record_grant(funder: str, cents: int, on: date, key: str) -> LedgerTransaction:
    income = account(
        f"income:grants:{funder.lower()}", f"Subvention {funder}", Currency.EUR, AccountKind.INCOME
    )
    return post(TransactionKind.GRANT, on, [(bank(), cents), (income, -cents)], key, funder)


def record_contribution(household: Household, cents: int, on: date, key: str) -> LedgerTransaction:
    income = account(CONTRIBUTIONS, "Cotisations", Currency.EUR, AccountKind.INCOME)
    return post(
        TransactionKind.CONTRIBUTION,
        on,
        [(bank(), cents), (income, -cents)],
        key,
        household.reference,
    )


@dataclass(frozen=True)
class RunLine:
    household: Household
    allocation_cents: int


def monthly_run(month: date, confirm: bool) -> list[RunLine]:
    """Credit every active household's wallet with its allocation under the scale in force
    that month. The preview changes nothing; running a month twice changes nothing."""
    month = month.replace(day=1)
    scale = active_scale(month)
    if scale is None:
        raise DomainError(_l("No scale is in force for this month."))
    households = db.session.scalars(
        select(Household)
        .where(Household.status == HouseholdStatus.ACTIVE, Household.starts_on <= month)
        .order_by(Household.reference)
    ).all()
    lines = [
        RunLine(
            h,
            rules.allocation_cents(
                scale.allocation, rules.Composition(h.adults, h.teens, h.children)
            ),
        )
        for h in households
    ]
    if confirm:
        issuance = account(
            ISSUANCE, "MonA mises en circulation", Currency.MONA, AccountKind.ISSUANCE
        )
        for line in lines:
            post(
                TransactionKind.ALLOCATION,
                month,
                [
                    (wallet(line.household), line.allocation_cents),
                    (issuance, -line.allocation_cents),
                ],
                f"allocation:{month:%Y-%m}:{line.household.reference}",
                f"Allocation {month:%m/%Y}",
            )
    return lines


def close_month(month: date) -> None:
    if not is_closed(month):
        db.session.add(ClosedMonth(month=month.replace(day=1)))
        db.session.flush()


@dataclass(frozen=True)
class LedgerCheck:
    transactions: int
    head: str
    broken: int | None  # id of the first transaction whose link does not hold
    unbalanced: list[int]  # transactions that do not balance per currency
    wrong_balances: list[str]  # accounts whose kept balance differs from its postings


def verify() -> LedgerCheck:
    postings: dict[int, list[Line]] = defaultdict(list)
    accounts = {a.id: a for a in db.session.scalars(select(Account))}
    for tx_id, account_id, cents in db.session.execute(
        select(Posting.transaction_id, Posting.account_id, Posting.amount_cents).order_by(
            Posting.id
        )
    ):
        postings[tx_id].append((accounts[account_id], cents))
    previous, count, broken, unbalanced = GENESIS, 0, None, []
    for tx in db.session.scalars(select(LedgerTransaction).order_by(LedgerTransaction.id)):
        count += 1
        lines = postings[tx.id]
        if broken is None and (tx.previous_hash != previous or _chain_hash(tx, lines) != tx.hash):
            broken = tx.id
        sums: dict[Currency, int] = defaultdict(int)
        for acc, cents in lines:
            sums[acc.currency] += cents
        if any(sums.values()):
            unbalanced.append(tx.id)
        previous = tx.hash
    sums_by_account = dict(
        db.session.execute(
            select(Posting.account_id, func.sum(Posting.amount_cents)).group_by(Posting.account_id)
        ).all()
    )
    wrong = [
        a.code for a in accounts.values() if a.balance_cents != (sums_by_account.get(a.id) or 0)
    ]
    return LedgerCheck(count, previous, broken, unbalanced, wrong)
