"""The books as a journal: CSV for spreadsheets, Beancount so that an independent program
(`bean-check`) can agree with them."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from governance import tabular
from governance.budget.models import (
    Account,
    AccountKind,
    ClosedMonth,
    LedgerTransaction,
    Posting,
)
from governance.extensions import db

ROOTS = {
    AccountKind.ASSET: "Assets:Caisse",
    AccountKind.INCOME: "Income",
    AccountKind.ISSUANCE: "Equity:MonA",
    AccountKind.WALLET: "Assets:MonA:Foyers",
    AccountKind.MERCHANT: "Assets:MonA:PointsDeVente",
    AccountKind.PAYABLE: "Expenses",
}


def _component(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = [w for w in re.split(r"[^A-Za-z0-9-]+", ascii_text) if w]
    name = "".join(w[:1].upper() + w[1:] for w in words) or "X"
    return name if name[0].isalnum() else f"X{name}"


def beancount_name(account: Account) -> str:
    parts = [p for p in account.code.split(":")[1:] if p] or [account.code]
    return ":".join([ROOTS[account.kind], *(_component(p) for p in parts)])


def beancount_names(accounts: list[Account]) -> dict[int, str]:
    """Each account's Beancount name, unique: names that the ASCII spelling merges ("Café" and
    "Cafe", or two names in another script) each get a short hash of their own code."""
    names = {a.id: beancount_name(a) for a in accounts}
    count: dict[str, int] = defaultdict(int)
    for name in names.values():
        count[name] += 1
    for a in accounts:
        if count[names[a.id]] > 1:
            digest = hashlib.sha256(a.code.encode()).hexdigest()[:8].upper()
            names[a.id] = f"{names[a.id]}-{digest}"
    return names


def _string(text: str) -> str:
    """A Beancount string literal: backslashes and quotes escaped, one line."""
    one_line = " ".join(text.split())
    return '"' + one_line.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _amount(cents: int) -> str:
    sign = "-" if cents < 0 else ""
    return f"{sign}{abs(cents) // 100}.{abs(cents) % 100:02d}"


def _journal() -> tuple[dict[int, Account], list[LedgerTransaction], dict[int, list[Posting]]]:
    accounts = {a.id: a for a in db.session.scalars(select(Account))}
    transactions = list(
        db.session.scalars(select(LedgerTransaction).order_by(LedgerTransaction.id))
    )
    postings: dict[int, list[Posting]] = defaultdict(list)
    for posting in db.session.scalars(select(Posting).order_by(Posting.id)):
        postings[posting.transaction_id].append(posting)
    return accounts, transactions, postings


def beancount() -> str:
    accounts, transactions, postings = _journal()
    names = beancount_names(list(accounts.values()))
    first = min((t.occurred_on for t in transactions), default=None)
    opened = first.isoformat() if first else "2000-01-01"
    lines = ['option "title" "Tablée"', 'option "operating_currency" "EUR"', ""]
    lines += [
        f"{opened} open {names[a.id]} {a.currency.value}"
        for a in sorted(accounts.values(), key=lambda a: names[a.id])
    ]
    for tx in transactions:
        lines += [
            "",
            f"{tx.occurred_on.isoformat()} * {_string(tx.description or tx.kind.value)}",
            f'  tablee-id: "{tx.id}"',
            f'  hash: "{tx.hash}"',
        ]
        for p in postings[tx.id]:
            lines.append(f"  {names[p.account_id]}  {_amount(p.amount_cents)} {p.currency.value}")
    lines += _assertions(accounts, transactions, postings, names)
    return "\n".join(lines) + "\n"


def _assertions(
    accounts: dict[int, Account],
    transactions: list[LedgerTransaction],
    postings: dict[int, list[Posting]],
    names: dict[int, str],
) -> list[str]:
    """A ``balance`` assertion for every account at the start of the day after each closed
    month, and after the last operation. The amounts come from the balances Tablée keeps on
    its accounts (less what was posted since), not from the postings above: ``bean-check``
    then verifies Tablée's own balances, not only its arithmetic."""
    if not transactions:
        return []
    first = min(t.occurred_on for t in transactions)
    last = max(t.occurred_on for t in transactions)
    days = sorted(
        {
            _next_month(month)
            for month in db.session.scalars(select(ClosedMonth.month))
            if first < _next_month(month) <= last
        }
        | {last + timedelta(days=1)}
    )
    # what was posted to each account from each day on
    moves = sorted(
        (tx.occurred_on, p.account_id, p.amount_cents)
        for tx in transactions
        for p in postings[tx.id]
    )
    since: dict[int, int] = defaultdict(int)  # posted on or after the day being asserted
    for _on, account_id, cents in moves:
        since[account_id] += cents
    lines: list[str] = []
    index = 0
    for day in days:
        while index < len(moves) and moves[index][0] < day:
            since[moves[index][1]] -= moves[index][2]
            index += 1
        lines.append("")
        for a in sorted(accounts.values(), key=lambda a: names[a.id]):
            held = a.balance_cents - since[a.id]
            lines.append(
                f"{day.isoformat()} balance {names[a.id]}  {_amount(held)} {a.currency.value}"
            )
    return lines


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def journal_csv() -> str:
    accounts, transactions, postings = _journal()
    return tabular.csv_text(
        ["transaction", "date", "kind", "description", "account", "currency", "amount", "hash"],
        (
            [
                tx.id,
                tx.occurred_on.isoformat(),
                tx.kind.value,
                tx.description,
                accounts[p.account_id].code,
                p.currency.value,
                Decimal(p.amount_cents).scaleb(-2),
                tx.hash,
            ]
            for tx in transactions
            for p in postings[tx.id]
        ),
    )
