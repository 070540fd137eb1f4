"""Many transactions at once — the monthly run, purchase imports — under the same rules as
``ledger.post`` (idempotent, balanced, closed months refused, wallets never below zero, the
same hash chain), in a few statements whatever their number."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from blinker import Namespace
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, insert, select, text

from governance.budget import rules
from governance.budget.assessments import apply_pending, due_for
from governance.budget.ledger import (
    EARLIEST_DAY,
    GENESIS,
    ISSUANCE,
    Line,
    _chain_hash,
    _content,
    account,
    check_day,
    is_closed,
)
from governance.budget.models import (
    Account,
    AccountKind,
    ContributionAssessment,
    ContributionDue,
    Currency,
    Household,
    HouseholdStatus,
    LedgerTransaction,
    Posting,
    TransactionKind,
)
from governance.budget.services import active_scale
from governance.db import lock_chain, utcnow
from governance.errors import Conflict, DomainError
from governance.extensions import db


@dataclass(frozen=True)
class Entry:
    """One transaction to record with ``post_many``."""

    kind: TransactionKind
    on: date
    lines: list[Line]
    key: str
    description: str = ""


# Sent between two batches of one long write (an import, a monthly run), inside its
# transaction: where a test stops a worker half-way, to see that nothing of it stays.
batch_written = Namespace().signal("batch-written")

CHUNK = 500  # bound parameters per IN (...) stay well under SQLite's limit


def recorded_keys(keys: list[str]) -> dict[str, tuple[int, str]]:
    """Idempotency key → (transaction id, content hash), for the keys already recorded."""
    found: dict[str, tuple[int, str]] = {}
    for start in range(0, len(keys), CHUNK):
        rows = db.session.execute(
            select(
                LedgerTransaction.idempotency_key,
                LedgerTransaction.id,
                LedgerTransaction.content_hash,
            ).where(LedgerTransaction.idempotency_key.in_(keys[start : start + CHUNK]))
        )
        found.update({key: (tx_id, content) for key, tx_id, content in rows})
    return found


def post_many(entries: list[Entry]) -> int:
    """Record many balanced transactions at once, with the same rules as ``post`` (idempotent,
    balanced, closed months refused, wallets never below zero), in a few statements: the
    monthly run and purchase imports. All of them, or none. Returns how many were new."""
    for day in {e.on for e in entries}:
        check_day(day)
    lock_chain(db.session, "ledger")  # before the keys are looked up, as ``post`` does
    existing = recorded_keys([e.key for e in entries])
    new: list[tuple[Entry, str]] = []
    for entry in entries:
        content = _content(entry.kind, entry.on, entry.lines, None)
        if entry.key in existing:
            if existing[entry.key][1] != content:
                raise Conflict(_l("This operation was already recorded with other amounts."))
            continue
        totals: dict[Currency, int] = defaultdict(int)
        for acc, cents in entry.lines:
            if cents == 0:
                raise DomainError(_l("An amount of zero cannot be recorded."))
            totals[acc.currency] += cents
        if any(totals.values()):
            raise DomainError(_l("This operation does not balance."))
        new.append((entry, content))
        existing[entry.key] = (0, content)
    if not new:
        return 0
    if any(is_closed(month) for month in {e.on.replace(day=1) for e, _c in new}):
        raise DomainError(_l("This month is closed: nothing can be recorded in it any more."))
    with db.session.begin_nested():
        _insert(new)
    return len(new)


@dataclass
class _Chained:
    """What ``_chain_hash`` reads of a transaction, without building an ORM object."""

    idempotency_key: str
    content_hash: str
    previous_hash: str
    description: str


def _insert(entries: list[tuple[Entry, str]]) -> None:
    last = db.session.execute(
        select(LedgerTransaction.id, LedgerTransaction.hash)
        .order_by(LedgerTransaction.id.desc())
        .limit(1)
    ).first()
    # Writers hold the database's write lock (BEGIN IMMEDIATE), so these ids are ours.
    next_id, previous = (last[0] + 1, last[1]) if last else (1, GENESIS)
    now = utcnow()
    txs, postings = [], []
    moves: dict[int, list[int]] = defaultdict(list)
    for tx_id, (e, content) in enumerate(entries, start=next_id):
        chained = _Chained(e.key, content, previous, e.description[:500])
        digest = _chain_hash(chained, e.lines)  # type: ignore[arg-type]
        txs.append(
            {
                "id": tx_id,
                "kind": e.kind,
                "occurred_on": e.on,
                "description": chained.description,
                "idempotency_key": e.key,
                "content_hash": content,
                "reverses_id": None,
                "previous_hash": previous,
                "hash": digest,
                "created_at": now,
            }
        )
        previous = digest
        for acc, cents in e.lines:
            postings.append(
                {
                    "transaction_id": tx_id,
                    "account_id": acc.id,
                    "currency": acc.currency,
                    "amount_cents": cents,
                }
            )
            moves[acc.id].append(cents)
    # Core inserts on the tables: the ORM's bulk path costs more than the rest together.
    connection = db.session.connection()
    connection.execute(LedgerTransaction.__table__.insert(), txs)
    connection.execute(Posting.__table__.insert(), postings)
    if db.session.get_bind().dialect.name == "postgresql":  # ids were given: move the sequence on
        db.session.execute(
            text("SELECT setval(pg_get_serial_sequence('ledger_transaction', 'id'), :last)"),
            {"last": next_id + len(entries) - 1},
        )
    _move_many(moves)


def _move_many(moves: dict[int, list[int]]) -> None:
    """One guarded UPDATE per account: the lowest point the balance reaches while the
    amounts are applied in order must stay at or above zero for a wallet."""
    params = []
    for account_id, amounts in moves.items():
        running = lowest = 0
        for cents in amounts:
            running += cents
            lowest = min(lowest, running)
        params.append({"account": account_id, "delta": running, "lowest": lowest})
    table = Account.__table__
    result = db.session.connection().execute(
        table.update()
        .where(
            table.c.id == bindparam("account"),
            table.c.allow_negative.is_(True) | (table.c.balance_cents + bindparam("lowest") >= 0),
        )
        .values(balance_cents=table.c.balance_cents + bindparam("delta")),
        params,
    )
    if result.rowcount != len(params):
        raise DomainError(_l("Not enough MonA in this wallet."))
    for obj in list(db.session.identity_map.values()):
        if isinstance(obj, Account) and obj.id in moves:
            db.session.expire(obj, ["balance_cents"])


def wallets(households: list[Household]) -> dict[int, Account]:
    """Every household's wallet (household id → account), made in bulk where missing."""
    found = {
        a.household_id: a
        for a in db.session.scalars(select(Account).where(Account.kind == AccountKind.WALLET))
    }
    missing = [h for h in households if h.id not in found]
    if missing:
        db.session.execute(
            insert(Account),
            [
                {
                    "code": f"wallet:{h.reference}",
                    "name": f"Porte-monnaie {h.reference}",
                    "currency": Currency.MONA,
                    "kind": AccountKind.WALLET,
                    "allow_negative": False,
                    "balance_cents": 0,
                    "household_id": h.id,
                }
                for h in missing
            ],
        )
        return wallets([])
    return found


@dataclass(frozen=True)
class RunLine:
    household: Household
    allocation_cents: int


def monthly_run(month: date, confirm: bool) -> list[RunLine]:
    """Credit every active household's wallet with its allocation under the scale in force
    that month. The preview changes nothing; running a month twice changes nothing."""
    month = month.replace(day=1)
    next_month = (date.today().replace(day=1) + timedelta(days=32)).replace(day=1)
    if not EARLIEST_DAY <= month <= next_month:
        raise DomainError(
            _l("The monthly run is for this month, the next one, or a month already past."),
            "month",
        )
    scale = active_scale(month)
    if scale is None:
        raise DomainError(_l("No scale is in force for this month."))
    # What households declared since the last run (their /ma-cotisation) is applied, once; the
    # preview already counts the allocations with the compositions they declared.
    declared = {} if confirm else {h.id: a for a, h in due_for(month)}
    if confirm:
        apply_pending(month)
    households = db.session.scalars(
        select(Household)
        .where(Household.status == HouseholdStatus.ACTIVE, Household.starts_on <= month)
        .order_by(Household.reference)
    ).all()
    lines = [
        RunLine(h, rules.allocation_cents(scale.allocation, _composition(declared.get(h.id, h))))
        for h in households
    ]
    if confirm:
        issuance = account(
            ISSUANCE, "MonA mises en circulation", Currency.MONA, AccountKind.ISSUANCE
        )
        by_household = wallets(list(households))
        entries = [
            Entry(
                TransactionKind.ALLOCATION,
                month,
                [
                    (by_household[line.household.id], line.allocation_cents),
                    (issuance, -line.allocation_cents),
                ],
                f"allocation:{month:%Y-%m}:{line.household.reference}",
                f"Allocation {month:%m/%Y}",
            )
            for line in lines
            if line.allocation_cents
        ]
        batch = current_app.config["LEDGER_BATCH"]
        for start in range(0, len(entries), batch):
            if start:
                batch_written.send("monthly_run", done=start, total=len(entries))
            post_many(entries[start : start + batch])
        _record_dues(month, list(households))
    return lines


def _composition(of: Household | ContributionAssessment) -> rules.Composition:
    return rules.Composition(of.adults, of.teens, of.children)


def _record_dues(month: date, households: list[Household]) -> None:
    """The contribution each household is asked for this month, once."""
    done = set(
        db.session.scalars(
            select(ContributionDue.household_id).where(ContributionDue.month == month)
        )
    )
    rows = [
        {"household_id": h.id, "month": month, "cents": h.contribution_cents}
        for h in households
        if h.id not in done
    ]
    if rows:
        db.session.execute(insert(ContributionDue), rows)
