"""The fund's books: double entry in EUR and MonA, append-only, hash-chained, idempotent.

Every transaction balances per currency. Postings are only ever added; a correction is the
reversal of a whole transaction, at most once. A household's wallet never goes below zero: the
balance is moved by one guarded UPDATE, so two purchases at once cannot both spend the same MonA.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select
from sqlalchemy.orm.attributes import set_committed_value

from governance.budget.models import (
    Account,
    AccountKind,
    ClosedMonth,
    Currency,
    Household,
    LedgerTransaction,
    Posting,
    TransactionKind,
)
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


EARLIEST_DAY = date(2000, 1, 1)
AHEAD_DAYS = 366  # a grant or contribution may be booked up to a year ahead, never further


def check_day(on: date) -> None:
    """The books hold dates from 2000 to a year from today: 9999-12-31 is a slip, not a plan."""
    latest = date.today() + timedelta(days=AHEAD_DAYS)
    if not EARLIEST_DAY <= on <= latest:
        raise DomainError(
            _l(
                "A date in the books is between %(first)s and %(last)s.",
                first=EARLIEST_DAY.isoformat(),
                last=latest.isoformat(),
            ),
            "on",
        )


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
    check_day(on)
    content = _content(kind, on, lines, reverses.id if reverses else None)
    lock_chain(db.session, "ledger")  # before the key is looked up: a retry waits, then finds it
    # One round trip for the three things to know first: this key's earlier transaction, a
    # closed month, the head of the chain.
    existing_id, closed, previous = db.session.execute(
        _BEFORE_POSTING, {"key": key, "month": on.replace(day=1)}
    ).one()
    if existing_id is not None:
        existing = db.session.get(LedgerTransaction, existing_id)
        if existing.content_hash != content:
            raise Conflict(_l("This operation was already recorded with other amounts."))
        return existing
    if closed:
        raise DomainError(_l("This month is closed: nothing can be recorded in it any more."))
    totals: dict[Currency, int] = defaultdict(int)
    for acc, cents in lines:
        if cents == 0:
            raise DomainError(_l("An amount of zero cannot be recorded."))
        totals[acc.currency] += cents
    if any(totals.values()):
        raise DomainError(_l("This operation does not balance."))
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
        db.session.execute(
            insert(Posting),
            [
                {
                    "transaction_id": tx.id,
                    "account_id": acc.id,
                    "currency": acc.currency,
                    "amount_cents": cents,
                }
                for acc, cents in lines
            ],
        )
    return tx


_table = Account.__table__
# Built once: a posting's hot path should not pay for building its statements each time.
_MOVE = (
    _table.update()
    .where(
        _table.c.id == bindparam("account"),
        _table.c.allow_negative.is_(True) | (_table.c.balance_cents + bindparam("delta") >= 0),
    )
    .values(balance_cents=_table.c.balance_cents + bindparam("delta"))
    .returning(_table.c.balance_cents)
)
_BEFORE_POSTING = select(
    select(LedgerTransaction.id)
    .where(LedgerTransaction.idempotency_key == bindparam("key"))
    .scalar_subquery(),
    select(ClosedMonth.month).where(ClosedMonth.month == bindparam("month")).exists(),
    select(LedgerTransaction.hash).order_by(LedgerTransaction.id.desc()).limit(1).scalar_subquery(),
)


def _move(acc: Account, cents: int) -> None:
    """One guarded UPDATE: a wallet that would go negative is refused, even under races."""
    balance = db.session.connection().execute(_MOVE, {"account": acc.id, "delta": cents}).scalar()
    if balance is None:
        raise DomainError(_l("Not enough MonA in this wallet."))
    set_committed_value(acc, "balance_cents", balance)


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


def contributions_account(household: Household) -> Account:
    """One income account per household, so that what each one paid is read from the books."""
    return account(
        f"{CONTRIBUTIONS}:{household.reference}",
        f"Cotisations {household.reference}",
        Currency.EUR,
        AccountKind.INCOME,
        household,
    )


def record_contribution(household: Household, cents: int, on: date, key: str) -> LedgerTransaction:
    income = contributions_account(household)
    return post(
        TransactionKind.CONTRIBUTION,
        on,
        [(bank(), cents), (income, -cents)],
        key,
        household.reference,
    )


def close_month(month: date) -> date:
    """Close a month that is over: nothing more is recorded in it (a correction goes in an
    open month). Closing it again changes nothing."""
    if month.replace(day=1) >= date.today().replace(day=1):
        raise DomainError(_l("Only a month that is over can be closed."), "month")
    if not is_closed(month):
        from governance.chains import chain_month
        from governance.db import utcnow

        closed = ClosedMonth(month=month.replace(day=1), closed_at=utcnow())
        chain_month(closed)
        db.session.add(closed)
        db.session.flush()
    return month.replace(day=1)
