"""The tampering drill: someone with the database file drops the append-only triggers and edits
one column of one hashed record (or removes records); ``verify`` names the record every time.
Removing the newest records is seen against a head published earlier (``--expect-head``)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from governance import chains
from governance.audit import AuditEvent
from governance.budget import checks, ledger
from governance.budget.models import Account, AccountKind, LedgerTransaction, Posting
from governance.cli import verify_command
from governance.db import utcnow
from governance.extensions import db
from governance.votes import register
from governance.votes.models import Decision
from tests.votes.helpers import open_proposal


def _unguard() -> None:
    """What someone holding the file can do first: lift the append-only guards."""
    connection = db.session.connection()
    if connection.dialect.name == "sqlite":
        names = connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%RAISE%'"
        ).scalars()
        for name in list(names):
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
    else:
        for table in ("decision", "ledger_transaction", "posting", "audit_event"):
            connection.exec_driver_sql(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')


def _problems() -> list[str]:
    """Everything verify says is wrong, as text naming records."""
    found = []
    decisions = register.verify()
    if decisions.broken:
        found.append(f"decision {decisions.broken}")
    books = checks.verify()
    if books.broken:
        found.append(f"transaction {books.broken}")
    found += [f"transaction {t}" for t in books.unbalanced]
    found += [f"account {code}: balance" for code in books.wrong_balances]
    found += books.wrong_records
    found += [line for line, good in chains.verify_all() if not good]
    return found


# Both tests start from the same demo caisse (tests/conftest.py: demo_caisse).
pytestmark = pytest.mark.usefixtures("demo_caisse")


@pytest.fixture
def books(app: Any) -> dict[str, Any]:
    open_proposal(members=1)  # a proposal without a decision, to move a decision to
    ledger.close_month(date(2026, 6, 1))
    ledger.close_month(date(2026, 7, 1))
    ledger.close_month(date(2026, 8, 1))
    for n in range(3):
        event = AuditEvent(
            at=utcnow(),
            actor_id=None,
            endpoint="budget.grant",
            method="POST",
            path="/budget/comptes/subvention",
            details={"form": {"funder": [f"F{n}"]}},
        )
        chains.chain_audit_event(event)
        db.session.add(event)
        db.session.flush()
    db.session.commit()
    assert _problems() == []
    grant = db.session.scalar(
        select(LedgerTransaction).where(LedgerTransaction.idempotency_key == "demo-grant-1")
    )
    wallet = db.session.scalar(select(Account).where(Account.kind == AccountKind.WALLET))
    posting = db.session.scalar(select(Posting).where(Posting.transaction_id == grant.id))
    return {
        "tx": grant.id,
        "posting": posting.id,
        "wallet": wallet.code,
        "decision": db.session.scalar(select(Decision).order_by(Decision.id)).reference,
        "audit": db.session.scalar(select(AuditEvent.id).order_by(AuditEvent.id)),
    }


EDITS = [
    # ledger transactions: every column
    ("transaction {tx}", "UPDATE ledger_transaction SET kind = 'contribution' WHERE id = {tx}"),
    (
        "transaction {tx}",
        "UPDATE ledger_transaction SET occurred_on = '2026-06-15' WHERE id = {tx}",
    ),
    (
        "transaction {tx}",
        "UPDATE ledger_transaction SET reverses_id = (SELECT min(id) FROM ledger_transaction)"
        " WHERE id = {tx}",
    ),
    ("transaction {tx}", "UPDATE ledger_transaction SET description = 'x' WHERE id = {tx}"),
    ("transaction {tx}", "UPDATE ledger_transaction SET idempotency_key = 'k' WHERE id = {tx}"),
    ("transaction {tx}", "UPDATE ledger_transaction SET content_hash = 'c' WHERE id = {tx}"),
    ("transaction {tx}", "UPDATE ledger_transaction SET previous_hash = 'p' WHERE id = {tx}"),
    ("transaction {tx}", "UPDATE ledger_transaction SET hash = 'h' WHERE id = {tx}"),
    # postings
    ("transaction {tx}", "UPDATE posting SET amount_cents = amount_cents + 1 WHERE id = {posting}"),
    ("transaction {tx}", "UPDATE posting SET currency = 'MONA' WHERE id = {posting}"),
    (
        "transaction {tx}",
        "UPDATE posting SET account_id = (SELECT min(a.id) FROM account a"
        " WHERE a.id <> posting.account_id) WHERE id = {posting}",
    ),
    ("transaction {tx}", "DELETE FROM posting WHERE id = {posting}"),
    # accounts: the flags and links the reports rely on
    (
        "account {wallet}: allow_negative",
        "UPDATE account SET allow_negative = true WHERE code = '{wallet}'",
    ),
    (
        "account {wallet}: household",
        "UPDATE account SET household_id = NULL WHERE code = '{wallet}'",
    ),
    ("account {wallet}", "UPDATE account SET kind = 'asset' WHERE code = '{wallet}'"),
    (
        "account {wallet}",
        "UPDATE account SET balance_cents = balance_cents + 1 WHERE code = '{wallet}'",
    ),
    ("transaction", "UPDATE account SET code = 'wallet:X' WHERE code = '{wallet}'"),
    ("transaction", "UPDATE account SET currency = 'EUR' WHERE code = '{wallet}'"),
    # decisions: every column
    *[
        (
            "decision {decision}",
            f"UPDATE decision SET {assignment} WHERE reference = '{{decision}}'",  # noqa: S608
        )
        for assignment in (
            'group_id = (SELECT min(g.id) FROM "group" g WHERE g.id <> decision.group_id)',
            "proposal_id = (SELECT min(id) FROM proposal"
            " WHERE id NOT IN (SELECT proposal_id FROM decision))",
            "year = year + 1",
            "sequence = sequence + 100",
            "decided_on = '2020-01-01'",
            "title = 'x'",
            "text = 'x'",
            "outcome = CASE outcome WHEN 'adopted' THEN 'rejected' ELSE 'adopted' END",
            "kind = CASE kind WHEN 'budget' THEN 'general' ELSE 'budget' END",
            "effect = 'x'",
            "review_on = '2030-01-01'",
            "previous_hash = 'p'",
            "hash = 'h'",
        )
    ],
    (
        "decision X-2026-001",
        "UPDATE decision SET reference = 'X-2026-001' WHERE reference = '{decision}'",
    ),
    # closed months and the audit log
    ("closed month 2026-08", "DELETE FROM closed_month WHERE month = '2026-07-01'"),
    (
        "closed month 2026-09",
        "UPDATE closed_month SET month = '2026-09-01' WHERE month = '2026-07-01'",
    ),
    ("audit event {audit}", "UPDATE audit_event SET path = '/' WHERE id = {audit}"),
    (
        "audit event {audit}",
        "UPDATE audit_event SET actor_id = (SELECT min(id) FROM person) WHERE id = {audit}",
    ),
    ("audit event {audit}", "UPDATE audit_event SET endpoint = 'x' WHERE id = {audit}"),
    ("audit event {audit}", "UPDATE audit_event SET method = 'GET' WHERE id = {audit}"),
    ("audit event {audit}", "UPDATE audit_event SET at = '2020-01-01 00:00:00' WHERE id = {audit}"),
    ("audit event", "DELETE FROM audit_event WHERE id = {audit}"),
]


def test_verify_names_every_edited_record(books: dict[str, Any]) -> None:
    """One edit at a time, each undone before the next (a savepoint), on one demo caisse."""
    missed = []
    for named, edit in EDITS:
        nested = db.session.begin_nested()
        try:
            _unguard()
            db.session.execute(text(edit.format(**books)))
            db.session.expire_all()
            problems = _problems()
        finally:
            nested.rollback()
            db.session.expire_all()
        if not any(named.format(**books) in p for p in problems):
            missed.append((edit, problems))
    assert missed == [], "\n".join(f"{edit}: {problems}" for edit, problems in missed)
    assert _problems() == []  # every edit was undone: the drill itself left nothing


def test_removing_the_newest_records_is_seen_against_a_published_head(
    books: dict[str, Any],
) -> None:
    decision_head = register.verify().head
    ledger_head = checks.verify().head
    runner = CliRunner()
    ok = runner.invoke(
        verify_command, ["--expect-head", decision_head, "--expect-head", ledger_head]
    )
    assert ok.exit_code == 0, ok.output
    nested = db.session.begin_nested()
    try:
        _unguard()
        db.session.execute(text("DELETE FROM decision WHERE hash = :h"), {"h": decision_head})
        last = db.session.scalar(select(LedgerTransaction.id).order_by(LedgerTransaction.id.desc()))
        db.session.execute(text("DELETE FROM posting WHERE transaction_id = :t"), {"t": last})
        db.session.execute(text("DELETE FROM ledger_transaction WHERE id = :t"), {"t": last})
        db.session.expire_all()
        assert register.verify().broken is None  # the shorter chain holds on its own…
        assert not register.holds(decision_head) and not checks.holds(ledger_head)  # …not the head
    finally:
        nested.rollback()
