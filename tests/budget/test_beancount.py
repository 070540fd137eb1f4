"""The Beancount export asserts each account's balance at every closed month's end and after
the last operation, from the balances Tablée keeps: ``bean-check`` agrees with them, and it
notices when a kept balance no longer matches the postings."""

from __future__ import annotations

import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import update

from governance.budget import exports, ledger, purchases
from governance.budget.models import Account
from governance.extensions import db
from tests.budget.test_purchases import HEADER, _setup


def _bean_check(path: Path) -> subprocess.CompletedProcess[str]:
    bean_check = shutil.which("bean-check", path=str(Path(sys.executable).parent))
    assert bean_check
    return subprocess.run([bean_check, str(path)], capture_output=True, text=True, check=False)


def test_balances_are_asserted_at_each_closed_month(tmp_path) -> None:  # type: ignore[no-untyped-def]
    shop, _closed, household = _setup()  # 150 MonA allocated on 1 March 2026
    ledger.record_grant("Métropole", 1_000_00, date(2026, 3, 2), "g")
    purchases.apply(purchases.parse(HEADER + f"2026-03-05,op-1,F-1,{shop.id},40\n"))
    ledger.close_month(date(2026, 3, 1))
    purchases.apply(purchases.parse(HEADER + f"2026-04-03,op-2,F-1,{shop.id},10\n"))
    journal = exports.beancount()
    assert "2026-04-01 balance Assets:MonA:Foyers:F-1  110.00 MONA" in journal
    assert "2026-04-04 balance Assets:MonA:Foyers:F-1  100.00 MONA" in journal
    assert "2026-04-01 balance Assets:Caisse" in journal
    good = tmp_path / "good.beancount"
    good.write_text(journal)
    result = _bean_check(good)
    assert result.returncode == 0, result.stdout + result.stderr
    # A kept balance that drifted from the postings: bean-check says so.
    db.session.execute(
        update(Account).where(Account.id == ledger.wallet(household).id).values(balance_cents=99_00)
    )
    db.session.expire_all()
    bad = tmp_path / "bad.beancount"
    bad.write_text(exports.beancount())
    result = _bean_check(bad)
    assert result.returncode != 0 and "Balance failed" in result.stdout + result.stderr
