"""Scenarios worked out by hand: Lyon 8e's budget (200 shares for a year, 30 % from
contributions), a ramp from 108 to 200 households, and the page with its exports."""

from __future__ import annotations

import io
from datetime import date

from openpyxl import load_workbook

from governance.budget import funding, scenarios
from governance.budget.models import FunderKind, Schedule
from governance.extensions import db
from governance.people.models import Role
from tests import factories
from tests.budget.test_ledger import _household, _scale

START = date(2027, 1, 1)


def _lyon(**changes: object) -> scenarios.Assumptions:
    values: dict[str, object] = {
        "name": "CALIM 8",
        "start": START,
        "months": 12,
        "households_from": 200,
        "households_to": 200,
        "ramp_months": 0,
        "allocation_cents": 154_17,  # 370 000 € ÷ 200 shares ÷ 12 months, to the cent
        "contribution_cents": 0,
        "share_permille": 300,
    }
    values.update(changes)
    return scenarios.Assumptions(**values)  # type: ignore[arg-type]


def test_lyon_370_thousand_for_200_shares_with_30_percent() -> None:
    alone = scenarios.project(_lyon())
    assert alone.allocations == 200 * 154_17 * 12 == 370_008_00
    assert alone.contributions == 12 * 925_020 == 111_002_40  # 30 % of 30 834 € a month
    assert alone.share_permille == 300 and alone.coverage_permille == 300
    assert alone.gap == 370_008_00 - 111_002_40 == 259_005_60  # what grants must bring
    assert alone.runs_out == START
    # The Métropole's 300 000 €, paid each quarter, and the State's 180 000 € hoped for in June.
    grants = {scenarios.add_months(START, q): 75_000_00 for q in (0, 3, 6, 9)}
    hoped = {date(2027, 6, 1): 180_000_00}
    funded = scenarios.project(_lyon(grants=grants, hoped=hoped))
    assert funded.grants == 300_000_00 and funded.gap == 0 and funded.runs_out is None
    assert funded.coverage_permille == (1000 * 411_002_40) // 370_008_00 == 1110
    assert funded.months[-1].cash == 411_002_40 - 370_008_00
    # Staff costs of 4 000 € a month make the year short of 7 005,60 € by December, and the
    # money runs out a first time in March, before the April installment.
    costly = scenarios.project(_lyon(grants=grants, cost_per_month=4_000_00))
    assert costly.gap == 48_000_00 - 40_994_40 and costly.runs_out == date(2027, 3, 1)
    assert costly.months[2].cash == 75_000_00 + 3 * (9_250_20 - 30_834_00 - 4_000_00)
    counted = scenarios.project(_lyon(grants=grants, hoped=hoped, count_hoped=True))
    assert counted.grants == 480_000_00


def test_a_ramp_from_108_to_200_households_over_six_months() -> None:
    ramp = scenarios.project(
        _lyon(
            households_from=108,
            ramp_months=6,
            allocation_cents=150_00,
            contribution_cents=45_00,
            share_permille=None,
        )
    )
    assert [m.households for m in ramp.months] == [108, 123, 139, 154, 169, 185] + [200] * 6
    assert ramp.allocations == 2078 * 150_00 == 311_700_00
    assert ramp.contributions == 2078 * 45_00 and ramp.share_permille == 300
    assert ramp.months[0].cash == 108 * (45_00 - 150_00)


def test_the_scenario_page_reads_the_books_and_exports(client) -> None:  # type: ignore[no-untyped-def]
    _scale()
    _household("F-1")
    metropole = funding.add_funder("Métropole", FunderKind.PUBLIC)
    funding.add_pledge(metropole, 12_000_00, START, date(2027, 12, 1), Schedule.MONTHLY, True)
    db.session.commit()
    factories.login(client, factories.with_role(Role.TREASURER))
    query = (
        "/budget/scenarios?start=2027-01&cash=0&a-name=Lent&a-households_from=108"
        "&a-households_to=200&a-ramp_months=6&a-months=12&a-scale=0&a-share=30"
        "&b-name=Vite&b-households_from=108&b-households_to=400&b-ramp_months=3&b-months=36"
        "&b-scale=0&b-share=25&b-cost=2000"
    )
    page = client.get(query)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Lent" in html and "Vite" in html
    assert "Reste à trouver" in html and html.count("<svg") == 1
    csv_text = client.get(query + "&format=csv").get_data(as_text=True)
    lines = csv_text.splitlines()
    assert lines[0].startswith("scenario,month,households") and len(lines) == 1 + 12 + 36
    assert lines[1].startswith("Lent,2027-01,108,")
    book = load_workbook(io.BytesIO(client.get(query + "&format=xlsx").data))
    assert book.active.max_row == 1 + 12 + 36
    bad = client.get("/budget/scenarios?a-households_to=beaucoup&a-share=120")
    assert bad.status_code == 422 and "beaucoup" in bad.get_data(as_text=True)
    assert client.get("/budget/scenarios").status_code == 200
