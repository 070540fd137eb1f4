"""Checks of the books: ``verify`` reads everything (flask verify); ``quick_check`` is what a
page can afford on every visit, whatever the size of the books."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from sqlalchemy import func, select

from governance.budget.bulk import _Chained
from governance.budget.ledger import CONTRIBUTIONS, GENESIS, Line, _chain_hash, _content
from governance.budget.models import (
    Account,
    AccountKind,
    Currency,
    Household,
    LedgerTransaction,
    Posting,
)
from governance.extensions import db


@dataclass(frozen=True)
class LedgerCheck:
    transactions: int
    head: str
    broken: int | None  # id of the first transaction whose link does not hold
    unbalanced: list[int]  # transactions that do not balance per currency
    wrong_balances: list[str]  # accounts whose kept balance differs from its postings
    # Records whose fields no longer agree with what the hashes cover or what reports rely on:
    # "transaction 12: date, kind or reversal", "account wallet:F-1: allow_negative"…
    wrong_records: list[str] = field(default_factory=list)


# What each kind of account is, read from its code (hashed in every posting's line).
KIND_BY_PREFIX = {
    "bank": AccountKind.ASSET,
    "income:": AccountKind.INCOME,
    "issuance:": AccountKind.ISSUANCE,
    "wallet:": AccountKind.WALLET,
    "merchant:": AccountKind.MERCHANT,
    "expense:": AccountKind.PAYABLE,
}
HOUSEHOLD_PREFIXES = ("wallet:", f"{CONTRIBUTIONS}:")


def _account_problems(accounts: dict[int, Account]) -> list[str]:
    """Flags and links the hashes do not cover but reports and rules rely on: the kind (and so
    the overdraft rule) follows the code; a household's accounts name that household."""
    references = dict(db.session.execute(select(Household.id, Household.reference)).all())
    wrong = []
    for a in accounts.values():
        expected = next((k for p, k in KIND_BY_PREFIX.items() if a.code.startswith(p)), a.kind)
        if a.kind is not expected:
            wrong.append(f"account {a.code}: kind")
        if a.allow_negative != (a.kind is not AccountKind.WALLET):
            wrong.append(f"account {a.code}: allow_negative")
        owner = next((a.code[len(p) :] for p in HOUSEHOLD_PREFIXES if a.code.startswith(p)), None)
        if references.get(a.household_id) != owner:
            wrong.append(f"account {a.code}: household")
    return wrong


def verify() -> LedgerCheck:
    """Every link of the chain, every hash recomputed from the fields it covers (the content:
    kind, date, reversal and lines; the chain: key, description, previous hash), every
    transaction's balance, every posting's currency, every kept balance and account flag: the
    whole books, streamed in id order (flask verify; minutes for millions of postings)."""
    accounts = {a.id: a for a in db.session.scalars(select(Account))}
    postings = groupby(
        db.session.execute(
            select(
                Posting.transaction_id, Posting.account_id, Posting.amount_cents, Posting.currency
            )
            .order_by(Posting.transaction_id, Posting.id)
            .execution_options(yield_per=20_000)
        ),
        key=lambda row: row[0],
    )
    pending = next(postings, None)
    previous, count, broken, unbalanced, wrong = GENESIS, 0, None, [], []
    rows = db.session.execute(
        select(
            LedgerTransaction.id,
            LedgerTransaction.idempotency_key,
            LedgerTransaction.content_hash,
            LedgerTransaction.previous_hash,
            LedgerTransaction.description,
            LedgerTransaction.hash,
            LedgerTransaction.kind,
            LedgerTransaction.occurred_on,
            LedgerTransaction.reverses_id,
        )
        .order_by(LedgerTransaction.id)
        .execution_options(yield_per=20_000)
    )
    for tx_id, key, content, linked, description, digest, kind, on, reverses in rows:
        count += 1
        while pending is not None and pending[0] < tx_id:  # postings of no transaction
            wrong.append(f"postings of no transaction ({pending[0]})")
            pending = next(postings, None)
        lines: list[Line] = []
        if pending is not None and pending[0] == tx_id:
            group = list(pending[1])
            lines = [(accounts[account_id], cents) for _t, account_id, cents, _c in group]
            wrong += [
                f"transaction {tx_id}: posting currency"
                for _t, account_id, _cents, currency in group
                if currency is not accounts[account_id].currency
            ]
            pending = next(postings, None)
        if _content(kind, on, lines, reverses) != content:
            wrong.append(f"transaction {tx_id}: kind, date, reversal or lines")
        if broken is None and (
            linked != previous
            or _chain_hash(_Chained(key, content, linked, description), lines) != digest  # type: ignore[arg-type]
        ):
            broken = tx_id
        sums: dict[Currency, int] = defaultdict(int)
        for acc, cents in lines:
            sums[acc.currency] += cents
        if any(sums.values()):
            unbalanced.append(tx_id)
        previous = digest
    if pending is not None:
        wrong.append(f"postings of no transaction ({pending[0]})")
    wrong += _account_problems(accounts)
    return LedgerCheck(count, previous, broken, unbalanced, _wrong_balances(accounts), wrong)


def holds(digest: str) -> bool:
    """Whether a ledger head published earlier is still in the chain (else entries went)."""
    return (
        digest == GENESIS
        or db.session.scalar(select(LedgerTransaction.id).where(LedgerTransaction.hash == digest))
        is not None
    )


def _wrong_balances(accounts: dict[int, Account]) -> list[str]:
    sums = dict(
        db.session.execute(
            select(Posting.account_id, func.sum(Posting.amount_cents)).group_by(Posting.account_id)
        ).all()
    )
    return [a.code for a in accounts.values() if a.balance_cents != (sums.get(a.id) or 0)]


RECENT_LINKS = 50


def quick_check() -> LedgerCheck:
    """What the books page can afford on every visit, whatever the size of the books: the
    kept balances sum to zero in each currency, and the latest links of the chain hold.
    ``verify`` (flask verify) checks everything."""
    count = db.session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0
    latest = db.session.scalars(
        select(LedgerTransaction).order_by(LedgerTransaction.id.desc()).limit(RECENT_LINKS)
    ).all()[::-1]
    lines: dict[int, list[Line]] = defaultdict(list)
    for posting, acc in db.session.execute(
        select(Posting, Account)
        .join(Account, Account.id == Posting.account_id)
        .where(Posting.transaction_id.in_([t.id for t in latest]))
        .order_by(Posting.id)
    ).all():
        lines[posting.transaction_id].append((acc, posting.amount_cents))
    broken = next(
        (
            t.id
            for n, t in enumerate(latest)
            if _chain_hash(t, lines[t.id]) != t.hash
            or (n and t.previous_hash != latest[n - 1].hash)
        ),
        None,
    )
    off = (
        db.session.execute(
            select(Account.currency)
            .group_by(Account.currency)
            .having(func.sum(Account.balance_cents) != 0)
        )
        .scalars()
        .all()
    )
    head = latest[-1].hash if latest else GENESIS
    return LedgerCheck(count, head, broken, [], [c.value for c in off])
