"""Reports: contributions due and paid, share against the target, purchases by point of sale
and kind, months of runway — checked against amounts worked out by hand."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from governance.budget import bulk, checks, funding, ledger, purchases, reports, scenarios
from governance.budget.models import Account, CostKind, FunderKind, Posting, Schedule
from governance.conventionnement.models import PointOfSale, PosKind, PosStatus
from governance.extensions import db
from tests import factories
from tests.budget.test_ledger import _household, _scale
from tests.budget.test_purchases import HEADER

MARCH, APRIL = date(2026, 3, 1), date(2026, 4, 1)


def _shops():  # type: ignore[no-untyped-def]
    group = factories.group()
    shops = [
        PointOfSale(
            name=name,
            kind=kind,
            group=group,
            status=PosStatus.APPROVED,
            approved_since=date(2026, 1, 1),
        )
        for name, kind in [
            ("Biocoop A", PosKind.SHOP),
            ("Biocoop B", PosKind.SHOP),
            ("Épicerie", PosKind.GROCERY),
        ]
    ]
    db.session.add_all(shops)
    db.session.flush()
    return shops


def _books():  # type: ignore[no-untyped-def]
    """Two households (150 € and 150 + 45 + 45 € a month, 5 € due each), two months."""
    _scale()
    one, two = _household("F-1"), _household("F-2", children=2)
    shops = _shops()
    ledger.record_grant("Métropole", 1000_00, date(2026, 3, 2), "g1")
    for month in (MARCH, APRIL):
        bulk.monthly_run(month, confirm=True)
    ledger.record_contribution(one, 5_00, date(2026, 3, 3), "c1")  # March: paid
    ledger.record_contribution(two, 2_00, date(2026, 3, 4), "c2")  # March: partly
    wrong = ledger.record_contribution(one, 9_00, date(2026, 4, 5), "c3")
    ledger.reverse(wrong, "Mauvais foyer", date(2026, 4, 6))  # April: F-1 paid nothing
    text = HEADER + "".join(
        f"2026-03-{10 + n},op-{n},F-{1 + n % 2},{shops[n % 3].id},{amount}\n"
        for n, amount in enumerate([60, 30, 10, 20, 5, 1])
    )
    purchases.apply(purchases.parse(text))
    return one, two, shops


def test_contributions_due_and_paid_by_month_and_household() -> None:
    _books()
    months = reports.contributions_by_month(MARCH, APRIL)
    assert [(m.month, m.due_cents, m.paid_cents) for m in months] == [
        (MARCH, 10_00, 7_00),
        (APRIL, 10_00, 0),
    ]
    assert (months[0].paid, months[0].partly, months[0].unpaid) == (1, 1, 0)
    assert (months[1].paid, months[1].partly, months[1].unpaid) == (0, 0, 2)
    status = reports.household_status(MARCH)
    assert [(h.reference, h.due_cents, h.paid_cents, h.status) for h in status] == [
        ("F-1", 5_00, 5_00, reports.DueStatus.PAID),
        ("F-2", 5_00, 2_00, reports.DueStatus.PARTLY),
    ]
    assert {h.status for h in reports.household_status(APRIL)} == {reports.DueStatus.DUE}


def test_monthly_totals_share_and_target() -> None:
    _books()
    march, april = reports.monthly_totals(MARCH, APRIL)
    assert (march.grants, march.contributions, march.allocations) == (1000_00, 7_00, 390_00)
    assert march.purchases == 126_00 and april.contributions == 0  # the reversal takes it off
    reports.set_target(MARCH, 30, "CCA-2026-001", None)
    reports.set_target(APRIL, 50, "", None)
    share = reports.contribution_share(date(2026, 2, 1), APRIL)
    assert [(s.share_permille, s.target_permille, s.met) for s in share] == [
        (None, None, None),
        (1000 * 7_00 // 390_00, 30, False),
        (0, 50, False),
    ]


def test_purchases_by_point_of_sale_and_kind() -> None:
    _books()
    report = reports.purchases(MARCH, MARCH)
    assert report.total == 126_00
    # op-0 and op-3 at A (60 + 20), op-1 and op-4 at B (30 + 5), op-2 and op-5 at the épicerie
    assert [(p.name, p.cents) for p in report.by_point] == [
        ("Biocoop A", 80_00),
        ("Biocoop B", 35_00),
        ("Épicerie", 11_00),
    ]
    assert report.by_kind == [(PosKind.SHOP, 115_00, 912), (PosKind.GROCERY, 11_00, 87)]
    assert report.top_two_permille == 912
    assert reports.purchases(APRIL, APRIL).total == 0


def test_runway_is_available_euros_over_the_recent_net_outflow() -> None:
    _books()
    runway = reports.runway(date(2026, 5, 20))  # over February, March, April
    assert runway.bank == 1000_00 + 7_00
    assert runway.mona_out == 2 * 390_00  # nothing reimbursed yet
    assert runway.allocations == 780_00 // 3 and runway.contributions == 7_00 // 3
    assert runway.outflow == 260_00 - 2_33
    # 227 € available, 257,67 € going out a month, nothing pledged: gone in June already.
    assert runway.runs_out == date(2026, 6, 1) and runway.months_left == 0


def test_runway_counts_pledges_still_to_come_and_costs_not_paid() -> None:
    """1 600 € pledged by the Métropole over March–June (400 € a month), 1 000 € received:
    600 € still to come, June's 400 € and 200 € late from May, both counted in June. Costs:
    50 € of April unpaid (counted in June), 100 € forecast for June, July's 80 € already
    paid. June: 227 + 2,33 + 600 − 260 − 150 = 419,33 €; July: 419,33 + 2,33 − 260 = 161,66 €;
    August: 161,66 − 257,67 < 0."""
    _books()
    metropole = funding.add_funder("Métropole", FunderKind.PUBLIC)
    funding.add_pledge(metropole, 1600_00, MARCH, date(2026, 6, 1), Schedule.MONTHLY, True)
    hoped = funding.add_funder("Fondation", FunderKind.PRIVATE)
    funding.add_pledge(hoped, 5000_00, date(2026, 6, 1), date(2026, 6, 1), Schedule.ONCE, False)
    funding.add_cost("Loyer", CostKind.PREMISES, APRIL, 50_00)
    funding.add_cost("Salaire", CostKind.STAFF, date(2026, 6, 1), 100_00)
    paid = funding.add_cost("Frais", CostKind.PAYMENT_FEES, date(2026, 7, 1), 80_00)
    funding.pay_cost(paid, 80_00, date(2026, 5, 2))
    runway = reports.runway(date(2026, 5, 20))
    assert runway.grants_to_come == 600_00 and runway.costs_to_come == 150_00
    cash = [m.cash for m in runway.projection.months[:3]]
    assert cash == [419_33, 161_66, 161_66 - 257_67]
    assert runway.runs_out == date(2026, 8, 1) and runway.months_left == 2
    # The scenario page reads the same inputs: the same assumptions give the same month.
    ahead = funding.to_come(date(2026, 6, 1))
    same = scenarios.project(
        scenarios.Assumptions(
            name="même",
            start=date(2026, 6, 1),
            months=12,
            households_from=1,
            households_to=1,
            ramp_months=0,
            allocation_cents=260_00,
            contribution_cents=2_33,
            cash_cents=227_00,
            grants=ahead.grants,
            hoped=ahead.hoped,
            costs=ahead.costs,
        )
    )
    assert same.runs_out == runway.runs_out
    assert ahead.hoped == {date(2026, 6, 1): 5000_00}


def test_every_kept_balance_is_the_sum_of_its_postings() -> None:
    """The only stored balance is Account.balance_cents: after bulk runs and imports, single
    posts and a reversal, each equals the sum of its postings, read straight from SQL."""
    _books()
    sums = dict(
        db.session.execute(
            select(Posting.account_id, func.sum(Posting.amount_cents)).group_by(Posting.account_id)
        ).all()
    )
    accounts = db.session.scalars(select(Account)).all()
    assert len(accounts) > 8
    for account in accounts:
        db.session.refresh(account)
        assert account.balance_cents == sums.get(account.id, 0), account.code
    assert not checks.verify().wrong_balances
