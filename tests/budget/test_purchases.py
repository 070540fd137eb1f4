"""Purchase imports (whole or nothing, never twice), reimbursements and the reports."""

from __future__ import annotations

from datetime import date

import pytest

from governance.budget import checks, ledger, purchases
from governance.budget.models import AccountKind, Currency, TransactionKind
from governance.conventionnement.models import PointOfSale, PosKind, PosStatus
from governance.errors import DomainError
from governance.extensions import db
from tests import factories
from tests.budget.test_ledger import _household

HEADER = "date,operator_id,household,point_of_sale,amount\n"


def _setup():  # type: ignore[no-untyped-def]
    shop = PointOfSale(
        name="Biocoop",
        kind=PosKind.SHOP,
        group=factories.group(),
        status=PosStatus.APPROVED,
        approved_since=date(2026, 1, 1),
        review_on=date(2027, 12, 31),
    )
    closed = PointOfSale(
        name="Supérette", kind=PosKind.SHOP, group=shop.group, status=PosStatus.PROPOSED
    )
    db.session.add_all([shop, closed])
    household = _household("F-1")
    issuance = ledger.account(ledger.ISSUANCE, "MonA", Currency.MONA, AccountKind.ISSUANCE)
    ledger.post(
        TransactionKind.ALLOCATION,
        date(2026, 3, 1),
        [(ledger.wallet(household), 15000), (issuance, -15000)],
        "alloc",
    )
    db.session.flush()
    return shop, closed, household


def test_a_good_file_is_applied_once() -> None:
    shop, _closed, household = _setup()
    text = HEADER + (f'2026-03-05,op-1,F-1,{shop.id},42.50\n2026-03-06,op-2,F-1,{shop.id},"7,50"\n')
    lines = purchases.parse(text)
    assert [line.errors for line in lines] == [[], []]
    assert purchases.apply(lines) == 2
    assert ledger.wallet(household).balance_cents == 15000 - 5000
    assert purchases.apply(purchases.parse(text)) == 0  # the same file again: nothing new
    assert purchases.merchant(shop).balance_cents == 5000


def test_a_file_with_one_bad_line_records_nothing() -> None:
    shop, closed, household = _setup()
    text = HEADER + (
        f"2026-03-05,op-1,F-1,{shop.id},100\n"
        f"2026-03-05,op-2,F-1,{shop.id},60\n"  # 100 + 60 > 150 MonA
        f"2026-03-05,op-3,F-9,{shop.id},1\n"  # unknown household
        f"2026-03-05,op-4,F-1,{closed.id},1\n"  # not conventionné
        f"2028-03-05,op-5,F-1,{shop.id},1\n"  # past the review date
        f"le 5 mars,op-6,F-1,{shop.id},1\n"
    )
    lines = purchases.parse(text)
    assert [bool(line.errors) for line in lines] == [False, True, True, True, True, True]
    with pytest.raises(DomainError):
        purchases.apply(lines)
    assert ledger.wallet(household).balance_cents == 15000


def test_reimbursement_and_reports() -> None:
    shop, _closed, household = _setup()
    ledger.record_grant("Métropole", 100_00, date(2026, 3, 2), "g")
    purchases.apply(purchases.parse(HEADER + f"2026-03-05,op-1,F-1,{shop.id},40\n"))
    with pytest.raises(DomainError):
        purchases.reimburse(shop, 50_00, date(2026, 3, 20), "r-too-much")
    purchases.reimburse(shop, 40_00, date(2026, 3, 20), "r-1")
    assert ledger.bank().balance_cents == 60_00
    balance = purchases.trial_balance()
    for currency in ("EUR", "MONA"):
        assert sum(total for _code, cur, total in balance if cur == currency) == 0
    statement = purchases.monthly_statement(date(2026, 3, 1))
    assert statement == {
        "allocation": 15000,
        "grant": 100_00,
        "purchase": 40_00,
        "reimbursement": 2 * 40_00,
    }
    lines = purchases.household_statement(household)
    assert [cents for _on, _text, cents in lines] == [15000, -4000]
    check = checks.verify()
    assert check.broken is None and not check.unbalanced and not check.wrong_balances


def test_bean_check_agrees_with_our_books(tmp_path, client) -> None:  # type: ignore[no-untyped-def]
    """An independent program (Beancount) reads the exported journal without an error."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from governance.budget import exports
    from governance.people.models import Role

    shop, _closed, household = _setup()
    ledger.record_grant("Métropole de Montpellier", 100_00, date(2026, 3, 2), "g")
    ledger.record_contribution(household, 12_34, date(2026, 3, 3), "c")
    purchases.apply(purchases.parse(HEADER + f"2026-03-05,op-1,F-1,{shop.id},40\n"))
    purchases.reimburse(shop, 40_00, date(2026, 3, 20), "r-1")
    grant = ledger.record_grant("Région", 5_00, date(2026, 3, 21), "g2")
    ledger.reverse(grant, "Saisie en double", date(2026, 3, 22))
    journal = tmp_path / "tablee.beancount"
    journal.write_text(exports.beancount())
    bean_check = shutil.which("bean-check", path=str(Path(sys.executable).parent))
    result = subprocess.run([bean_check, str(journal)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Assets:MonA:Foyers:F-1" in journal.read_text()
    db.session.commit()
    factories.login(client, factories.with_role(Role.TREASURER))
    csv_text = client.get("/budget/comptes/journal.csv").get_data(as_text=True)
    assert "merchant:" in csv_text and csv_text.count("\n") == 1 + 2 * 6 + 4


def test_an_operator_id_twice_in_one_file_is_refused() -> None:
    shop, _closed, household = _setup()
    text = HEADER + f"2026-03-05,op-1,F-1,{shop.id},1\n2026-03-06,op-1,F-1,{shop.id},2\n"
    lines = purchases.parse(text)
    assert [bool(line.errors) for line in lines] == [False, True]
    with pytest.raises(DomainError):
        purchases.apply(lines)
    assert ledger.wallet(household).balance_cents == 15000


def test_bean_check_takes_hostile_names(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Names ending in a backslash, with quotes and line breaks, or that the ASCII spelling
    merges: the journal still reads, and every funder keeps an account of its own."""
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from governance.budget import exports

    names = ["Fondation \\", 'Le "Collectif"\nde Lyon', "Café", "Cafe", "北京", "東京"]
    for number, name in enumerate(names):
        ledger.record_grant(name, 10_00 + number, date(2026, 3, 2), f"g{number}")
    journal = tmp_path / "hostile.beancount"
    journal.write_text(exports.beancount())
    bean_check = shutil.which("bean-check", path=str(Path(sys.executable).parent))
    result = subprocess.run([bean_check, str(journal)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    opened = [line for line in journal.read_text().splitlines() if " open Income:Grants" in line]
    assert len(opened) == len(set(opened)) == len(names)
