"""The treasurer's report pages, their CSV, the target, reversals, closing and reimbursing over
HTTP: bad input is 422 with what was typed, and writes nothing."""

from __future__ import annotations

import csv
import io
from datetime import date

from sqlalchemy import func, select

from governance.budget import ledger, purchases
from governance.budget.models import ClosedMonth, ContributionTarget, LedgerTransaction
from governance.extensions import db
from governance.people.models import Role
from tests import factories
from tests.budget.test_reports import _books as books


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def _treasurer(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.TREASURER))


def test_each_report_page_and_its_csv(client) -> None:  # type: ignore[no-untyped-def]
    books()
    _treasurer(client)
    period = "start=2026-03&end=2026-04"
    page = client.get(f"/budget/comptes/rapports/cotisations?{period}&month=2026-03")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "F-2" in html and "partie" in html
    rows = list(
        csv.reader(
            io.StringIO(
                client.get(f"/budget/comptes/rapports/cotisations?{period}&format=csv").get_data(
                    as_text=True
                )
            )
        )
    )
    assert rows[1:] == [
        ["2026-03", "10.00", "7.00", "2", "1", "1", "0"],
        ["2026-04", "10.00", "0.00", "2", "0", "0", "2"],
    ]
    households = client.get(
        "/budget/comptes/rapports/cotisations?format=csv&foyers=1&month=2026-03"
    )
    assert "F-2,5.00,2.00,partly" in households.get_data(as_text=True)
    share = client.get(f"/budget/comptes/rapports/part-des-cotisations?{period}")
    assert share.status_code == 200 and "1,7\u00a0%" in share.get_data(as_text=True)
    assert "2026-03,7.00,390.00,1.7," in client.get(
        f"/budget/comptes/rapports/part-des-cotisations?{period}&format=csv"
    ).get_data(as_text=True)
    bought = client.get(f"/budget/comptes/rapports/achats?{period}").get_data(as_text=True)
    assert "Biocoop A" in bought and "91,2\u00a0%" in bought
    assert "two_largest,,,,91.2" in client.get(
        f"/budget/comptes/rapports/achats?{period}&format=csv"
    ).get_data(as_text=True)
    runway = client.get("/budget/comptes/rapports/autonomie")
    assert runway.status_code == 200 and "l’argent" in runway.get_data(as_text=True)
    assert "runs_out," in client.get("/budget/comptes/rapports/autonomie?format=csv").get_data(
        as_text=True
    )


def test_report_pages_cost_the_same_whatever_the_number_of_operations(client, queries) -> None:  # type: ignore[no-untyped-def]
    one, _two, shops = books()
    _treasurer(client)
    urls = [
        "/budget/comptes/rapports/cotisations?start=2026-03&end=2026-04&month=2026-03",
        "/budget/comptes/rapports/part-des-cotisations?start=2026-03&end=2026-04",
        "/budget/comptes/rapports/achats?start=2026-03&end=2026-04",
        "/budget/comptes/operations",
    ]
    counts = []
    for more in (0, 1):
        if more:
            for n in range(6):
                ledger.record_contribution(one, 1_00, date(2026, 3, 20), f"more-{n}")
            purchases.apply(
                purchases.parse(
                    "date,operator_id,household,point_of_sale,amount\n"
                    + "".join(f"2026-03-21,x-{n},F-2,{shops[n % 3].id},1\n" for n in range(6))
                )
            )
        queries.statements.clear()
        for url in urls:
            assert client.get(url).status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1]


def test_a_bad_period_is_422_and_kept(client) -> None:  # type: ignore[no-untyped-def]
    _treasurer(client)
    page = client.get("/budget/comptes/rapports/achats?start=2026-05&end=2026-01")
    assert page.status_code == 422 and "2026-05" in page.get_data(as_text=True)
    page = client.get("/budget/comptes/rapports/cotisations?start=mars")
    assert page.status_code == 422 and 'value="mars"' in page.get_data(as_text=True)


def test_the_target_form(client) -> None:  # type: ignore[no-untyped-def]
    _treasurer(client)
    bad = client.post_form(
        "/budget/comptes/rapports/objectif",
        {"month": "2026-01", "percent": "beaucoup", "reference": "CCA-2026-003"},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "beaucoup" in html and "CCA-2026-003" in html
    too_much = client.post_form(
        "/budget/comptes/rapports/objectif", {"month": "2026-01", "percent": "130"}
    )
    assert too_much.status_code == 422 and _count(ContributionTarget) == 0
    good = client.post_form(
        "/budget/comptes/rapports/objectif",
        {"month": "2026-01", "percent": "30", "reference": "CCA-2026-003"},
    )
    assert good.status_code == 302
    target = db.session.get(ContributionTarget, date(2026, 1, 1))
    assert target.share_permille == 300 and target.decision_reference == "CCA-2026-003"


def test_a_reversal_needs_a_reason_and_happens_once(client) -> None:  # type: ignore[no-untyped-def]
    grant = ledger.record_grant("Région", 50_00, date(2026, 3, 2), "g")
    db.session.commit()
    _treasurer(client)
    url = f"/budget/comptes/operations/{grant.id}"
    assert "Région" in client.get("/budget/comptes/operations").get_data(as_text=True)
    bad = client.post_form(url, {"reason": "", "on": "2026-03-05"})
    assert bad.status_code == 422 and 'value="2026-03-05"' in bad.get_data(as_text=True)
    assert _count(LedgerTransaction) == 1
    good = client.post_form(url, {"reason": "Saisie en double", "on": "2026-03-05"})
    assert good.status_code == 302 and ledger.bank().balance_cents == 0
    page = client.get(url).get_data(as_text=True)
    assert "Saisie en double" in page and "Annuler toute" not in page
    again = client.post_form(url, {"reason": "Encore", "on": "2026-03-06"})
    assert again.status_code == 422 and "Encore" in again.get_data(as_text=True)
    assert _count(LedgerTransaction) == 2
    assert client.get("/budget/comptes/operations/999999").status_code == 404


def test_closing_a_month(client) -> None:  # type: ignore[no-untyped-def]
    _treasurer(client)
    future = client.post_form("/budget/comptes/cloture", {"month": "2999-01"})
    assert future.status_code == 422 and "2999-01" in future.get_data(as_text=True)
    bad = client.post_form("/budget/comptes/cloture", {"month": "janvier"})
    assert bad.status_code == 422 and _count(ClosedMonth) == 0
    assert client.post_form("/budget/comptes/cloture", {"month": "2026-01"}).status_code == 302
    assert client.post_form("/budget/comptes/cloture", {"month": "2026-01"}).status_code == 302
    assert _count(ClosedMonth) == 1
    late = client.post_form(
        "/budget/comptes/subvention",
        {"key": "k1", "funder": "Région", "amount": "10", "on": "2026-01-15"},
    )
    assert late.status_code == 422 and _count(LedgerTransaction) == 0


def test_reimbursing_a_point_of_sale(client) -> None:  # type: ignore[no-untyped-def]
    _one, _two, shops = books()
    db.session.commit()
    _treasurer(client)
    page = client.get("/budget/comptes/remboursement").get_data(as_text=True)
    assert "Biocoop A" in page and "80,00\u00a0€" in page
    before = _count(LedgerTransaction)
    too_much = client.post_form(
        "/budget/comptes/remboursement",
        {"key": "r1", "point_of_sale": shops[0].id, "amount": "81", "on": "2026-03-30"},
    )
    assert too_much.status_code == 422 and 'value="81"' in too_much.get_data(as_text=True)
    assert _count(LedgerTransaction) == before
    for bad in (
        {"key": "r0", "point_of_sale": "999999", "amount": "5", "on": "2026-03-30"},
        {"key": "r0", "point_of_sale": shops[0].id, "amount": "douze", "on": "2026-03-30"},
        {"key": "r0", "point_of_sale": shops[0].id, "amount": "5", "on": "le 30"},
    ):
        refused = client.post_form("/budget/comptes/remboursement", bad)
        assert refused.status_code == 422 and _count(LedgerTransaction) == before
    assert "douze" in client.post_form(
        "/budget/comptes/remboursement",
        {"key": "r0", "point_of_sale": shops[0].id, "amount": "douze", "on": "2026-03-30"},
    ).get_data(as_text=True)
    good = {"key": "r1", "point_of_sale": shops[0].id, "amount": "80", "on": "2026-03-30"}
    assert client.post_form("/budget/comptes/remboursement", good).status_code == 302
    assert client.post_form("/budget/comptes/remboursement", good).status_code == 302
    assert _count(LedgerTransaction) == before + 1
    assert purchases.merchant(shops[0]).balance_cents == 0


def test_a_household_statement_shows_contributions_and_mona(app, client) -> None:  # type: ignore[no-untyped-def]
    one, _two, _shops = books()
    owner = factories.person()
    one.person_id = owner.id
    db.session.commit()
    mine = app.test_client()
    factories.login(mine, owner)
    page = mine.get("/budget/mon-foyer").get_data(as_text=True)
    # F-1: 150 + 150 MonA allocated, 60 + 10 + 5 spent; contributions 5, 9, then −9 reversed
    assert "225,00\u00a0MonA" in page and "Cotisations payées" in page and "-9,00\u00a0€" in page
    assert "F-2" not in page
    _treasurer(client)
    treasurer_view = client.get(f"/budget/foyers/{one.id}").get_data(as_text=True)
    assert "Relevé" in treasurer_view and "225,00\u00a0MonA" in treasurer_view
