"""The ledger's hash chain under concurrent writers, on the suite's database (SQLite, or
PostgreSQL where the append is serialised by advisory locks): one chain, nothing doubled."""

from __future__ import annotations

import contextvars
import threading
from datetime import date

from flask_migrate import upgrade

from governance import create_app
from governance.budget import checks, ledger
from governance.extensions import db
from tests import databases

THREADS, EACH = 4, 8


def test_concurrent_grants_make_one_unbroken_chain(database_url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})

    def within(work, *args):  # type: ignore[no-untyped-def]
        def run():  # type: ignore[no-untyped-def]
            with app.app_context():
                return work(*args)

        return contextvars.Context().run(run)

    within(upgrade)
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def grant(key: str) -> int:
        tx = ledger.record_grant("Métropole", 1000, date(2026, 3, 1), key)
        db.session.commit()
        return tx.id

    def writer(n: int) -> None:
        try:
            barrier.wait(timeout=10)
            # The same retried operation from every thread: recorded once, the same answer.
            within(grant, "shared")
            for i in range(EACH):
                within(grant, f"grant-{n}-{i}")
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    check = within(checks.verify)
    assert check.transactions == THREADS * EACH + 1
    assert (check.broken, check.unbalanced, check.wrong_balances) == (None, [], [])
    assert within(lambda: ledger.bank().balance_cents) == 1000 * (THREADS * EACH + 1)
    within(databases.close_pool, db)
