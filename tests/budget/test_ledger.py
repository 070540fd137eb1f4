"""The books: balanced, append-only, idempotent, never overdrawn, chained — and a Hypothesis
state machine that checks every balance against an independent model after every step."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from governance.budget import bulk, checks, ledger, rules, services
from governance.budget.models import (
    AccountKind,
    Currency,
    HouseholdStatus,
    LedgerTransaction,
    Posting,
    ScaleStatus,
    TransactionKind,
)
from governance.errors import Conflict, DomainError
from governance.extensions import db
from tests import databases

DAY = date(2026, 3, 10)


def _household(reference: str, adults: int = 1, children: int = 0):  # type: ignore[no-untyped-def]
    return services.save_household(
        None,
        reference=reference,
        adults=adults,
        teens=0,
        children=children,
        income_bracket=1,
        contribution_cents=500,
        starts_on=date(2026, 1, 1),
        status=HouseholdStatus.ACTIVE,
    )


def _scale() -> None:
    lyon = rules.PRESETS["lyon8"]
    scale = services.save_scale(None, "Lyon", lyon["allocation"], lyon["contribution"], None)
    scale.status, scale.effective_month = ScaleStatus.ACTIVE, date(2026, 1, 1)


def _shop():  # type: ignore[no-untyped-def]
    return ledger.account("merchant:biocoop", "Biocoop", Currency.MONA, AccountKind.MERCHANT)


def test_grant_contribution_and_an_unbalanced_operation() -> None:
    household = _household("F-1")
    ledger.record_grant("Métropole", 100_000_00, DAY, "grant-1")
    ledger.record_contribution(household, 1500, DAY, "contrib-1")
    assert ledger.bank().balance_cents == 100_000_00 + 1500
    with pytest.raises(DomainError):
        ledger.post(TransactionKind.GRANT, DAY, [(ledger.bank(), 100)], "unbalanced")
    assert (
        db.session.scalar(
            select(LedgerTransaction).where(LedgerTransaction.idempotency_key == "unbalanced")
        )
        is None
    )


def test_same_key_same_content_is_the_same_result_other_content_is_refused() -> None:
    first = ledger.record_grant("Métropole", 5000, DAY, "grant-x")
    again = ledger.record_grant("Métropole", 5000, DAY, "grant-x")
    assert again.id == first.id and ledger.bank().balance_cents == 5000
    with pytest.raises(Conflict):
        ledger.record_grant("Métropole", 6000, DAY, "grant-x")


def test_monthly_run_credits_wallets_once() -> None:
    _scale()
    single, family = _household("F-1"), _household("F-2", adults=2, children=2)
    preview = bulk.monthly_run(date(2026, 3, 1), confirm=False)
    assert [line.allocation_cents for line in preview] == [15000, 31500]
    assert db.session.scalar(select(Posting.id)) is None  # the preview writes nothing
    bulk.monthly_run(date(2026, 3, 15), confirm=True)
    bulk.monthly_run(date(2026, 3, 1), confirm=True)  # the same month again: nothing new
    assert ledger.wallet(single).balance_cents == 15000
    assert ledger.wallet(family).balance_cents == 31500


def test_a_wallet_never_goes_negative() -> None:
    household = _household("F-1")
    wallet, issuance = (
        ledger.wallet(household),
        ledger.account(ledger.ISSUANCE, "MonA", Currency.MONA, AccountKind.ISSUANCE),
    )
    ledger.post(TransactionKind.ALLOCATION, DAY, [(wallet, 1000), (issuance, -1000)], "a")
    ledger.post(TransactionKind.PURCHASE, DAY, [(wallet, -800), (_shop(), 800)], "p1")
    with pytest.raises(DomainError):
        ledger.post(TransactionKind.PURCHASE, DAY, [(wallet, -300), (_shop(), 300)], "p2")
    assert wallet.balance_cents == 200 and _shop().balance_cents == 800


def test_reversal_once_and_closed_months() -> None:
    grant = ledger.record_grant("Région", 7000, DAY, "g")
    ledger.reverse(grant, "Saisie en double", date(2026, 3, 12))
    assert ledger.bank().balance_cents == 0
    with pytest.raises(DomainError):
        ledger.reverse(grant, "Encore", date(2026, 3, 12))
    ledger.close_month(date(2026, 3, 1))
    with pytest.raises(DomainError):
        ledger.record_grant("Région", 100, date(2026, 3, 31), "late")
    ledger.record_grant("Région", 100, date(2026, 4, 1), "on-time")


def test_the_books_are_append_only_and_tampering_is_found() -> None:
    ledger.record_grant("Région", 7000, DAY, "g1")
    ledger.record_grant("Région", 3000, DAY, "g2")
    for statement in (
        "UPDATE posting SET amount_cents = 1",
        "DELETE FROM posting",
        "UPDATE ledger_transaction SET description = 'x'",
    ):
        with pytest.raises(Exception, match="append-only"), db.session.begin_nested():
            db.session.execute(text(statement))
    check = checks.verify()
    assert (check.transactions, check.broken, check.unbalanced, check.wrong_balances) == (
        2,
        None,
        [],
        [],
    )
    on = " ON posting" if db.session.connection().dialect.name == "postgresql" else ""
    db.session.execute(text(f"DROP TRIGGER posting_never_updated{on}"))
    first = db.session.scalar(select(LedgerTransaction.id).order_by(LedgerTransaction.id))
    db.session.execute(
        text("UPDATE posting SET amount_cents = amount_cents * 2 WHERE transaction_id = :id"),
        {"id": first},
    )
    db.session.expire_all()
    check = checks.verify()
    assert check.broken == first and check.wrong_balances


class Books(RuleBasedStateMachine):
    """Random grants, contributions, allocations, purchases, reimbursements and reversals."""

    def __init__(self) -> None:
        super().__init__()
        self.nested = db.session.begin_nested()
        self.households = [_household(f"H-{n}") for n in range(3)]
        self.model = {"bank": 0, "shop": 0}
        self.wallets = [0, 0, 0]
        self.done: list[tuple[LedgerTransaction, dict[str, int], list[int]]] = []
        self.keys = 0

    def teardown(self) -> None:
        self.nested.rollback()

    def _key(self) -> str:
        self.keys += 1
        return f"k{self.keys}"

    def _remember(self, tx: LedgerTransaction, bank: int, shop: int, wallets: list[int]) -> None:
        self.model["bank"] += bank
        self.model["shop"] += shop
        self.wallets = [a + b for a, b in zip(self.wallets, wallets, strict=True)]
        self.done.append((tx, {"bank": bank, "shop": shop}, wallets))

    @rule(cents=st.integers(1, 10_000_00))
    def grant(self, cents: int) -> None:
        self._remember(
            ledger.record_grant("Métropole", cents, DAY, self._key()), cents, 0, [0, 0, 0]
        )

    @rule(who=st.integers(0, 2), cents=st.integers(1, 10_000))
    def allocate(self, who: int, cents: int) -> None:
        issuance = ledger.account(ledger.ISSUANCE, "MonA", Currency.MONA, AccountKind.ISSUANCE)
        tx = ledger.post(
            TransactionKind.ALLOCATION,
            DAY,
            [(ledger.wallet(self.households[who]), cents), (issuance, -cents)],
            self._key(),
        )
        self._remember(tx, 0, 0, [cents if n == who else 0 for n in range(3)])

    @rule(who=st.integers(0, 2), cents=st.integers(1, 20_000))
    def purchase(self, who: int, cents: int) -> None:
        lines = [(ledger.wallet(self.households[who]), -cents), (_shop(), cents)]
        if cents > self.wallets[who]:
            with pytest.raises(DomainError):
                ledger.post(TransactionKind.PURCHASE, DAY, lines, self._key())
            return
        tx = ledger.post(TransactionKind.PURCHASE, DAY, lines, self._key())
        self._remember(tx, 0, cents, [-cents if n == who else 0 for n in range(3)])

    @precondition(lambda self: self.done)
    @rule(pick=st.integers(0, 100))
    def reverse(self, pick: int) -> None:
        tx, moves, wallets = self.done[pick % len(self.done)]
        already = db.session.scalar(
            select(LedgerTransaction.id).where(LedgerTransaction.reverses_id == tx.id)
        )
        overdraws = any(w - m < 0 for w, m in zip(self.wallets, wallets, strict=True))
        if tx.kind is TransactionKind.REVERSAL or already or overdraws:
            with pytest.raises(DomainError):
                ledger.reverse(tx, "erreur", DAY)
            return
        reversal = ledger.reverse(tx, "erreur", DAY)
        self._remember(reversal, -moves["bank"], -moves["shop"], [-w for w in wallets])

    @invariant()
    def balances_match_the_model(self) -> None:
        assert ledger.bank().balance_cents == self.model["bank"]
        assert _shop().balance_cents == self.model["shop"]
        assert [ledger.wallet(h).balance_cents for h in self.households] == self.wallets
        assert min(self.wallets) >= 0

    @invariant()
    def everything_balances_and_chains(self) -> None:
        check = checks.verify()
        assert check.broken is None and check.unbalanced == [] and check.wrong_balances == []


def test_the_books_hold_whatever_happens() -> None:
    Books.TestCase.settings = settings(max_examples=25, stateful_step_count=20, deadline=None)
    Books.TestCase().runTest()


@databases.postgres_only
def test_postgresql_refuses_truncating_the_books_and_the_register() -> None:
    """SQLite has no TRUNCATE; on PostgreSQL it would bypass the row triggers, so it has its own."""
    ledger.record_grant("Région", 7000, DAY, "g1")
    for table in ("posting", "ledger_transaction", "decision"):
        with pytest.raises(IntegrityError), db.session.begin_nested():
            db.session.execute(text(f"TRUNCATE {table} CASCADE"))
    assert checks.verify().transactions == 1
