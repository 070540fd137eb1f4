"""Funders of each kind and their pledges against what the ledger received (worked out by
hand), and operating costs forecast then paid."""

from __future__ import annotations

from datetime import date

from governance.budget import funding, ledger
from governance.budget.models import CostKind, FunderKind, Pledge, Schedule
from governance.extensions import db
from governance.people.models import Role
from tests import factories


def test_installments_split_in_whole_cents() -> None:
    pledge = Pledge(
        cents=100_00,
        first_month=date(2026, 1, 1),
        last_month=date(2026, 3, 1),
        schedule=Schedule.MONTHLY,
    )
    assert funding.installments(pledge) == [
        (date(2026, 1, 1), 33_34),
        (date(2026, 2, 1), 33_33),
        (date(2026, 3, 1), 33_33),
    ]
    pledge.schedule = Schedule.QUARTERLY
    pledge.last_month = date(2026, 12, 1)
    assert [m.month for m, _c in funding.installments(pledge)] == [1, 4, 7, 10]
    pledge.schedule = Schedule.ONCE
    assert funding.installments(pledge) == [(date(2026, 1, 1), 100_00)]


def test_a_funder_of_each_kind_with_pledges_received_in_part() -> None:
    metropole = funding.add_funder("Métropole de Lyon", FunderKind.PUBLIC)
    state = funding.add_funder("État", FunderKind.PUBLIC)
    foundation = funding.add_funder("Fondation Daniel et Nina Carasso", FunderKind.PRIVATE)
    donors = funding.add_funder("Campagne de dons", FunderKind.CITIZEN)
    # 300 000 € over 2026, paid each quarter: 75 000 € in January, April, July, October.
    funding.add_pledge(
        metropole, 300_000_00, date(2026, 1, 1), date(2026, 12, 1), Schedule.QUARTERLY, True
    )
    funding.add_pledge(state, 180_000_00, date(2026, 6, 1), date(2026, 6, 1), Schedule.ONCE, False)
    funding.add_pledge(
        foundation, 20_000_00, date(2026, 3, 1), date(2026, 3, 1), Schedule.ONCE, True
    )
    funding.add_pledge(
        donors, 5_000_00, date(2026, 1, 1), date(2026, 10, 1), Schedule.MONTHLY, True
    )
    ledger.record_grant("Métropole de Lyon", 75_000_00, date(2026, 1, 20), "m1")
    ledger.record_grant("Métropole de Lyon", 75_000_00, date(2026, 4, 20), "m2")
    ledger.record_grant("Campagne de dons", 1_200_00, date(2026, 3, 31), "d1")
    ledger.record_grant("Région", 1_000_00, date(2026, 2, 1), "r1")  # no funder by that name
    view = funding.overview(today=date(2026, 7, 15))
    by_name = {s.funder.name: s for s in view.funders}
    m = by_name["Métropole de Lyon"]
    assert (m.pledged, m.expected, m.received, m.remaining) == (
        300_000_00,
        225_000_00,  # January, April and July are due
        150_000_00,
        150_000_00,
    )
    assert m.pledges[0].late == 75_000_00
    f = by_name["Fondation Daniel et Nina Carasso"]
    assert (f.expected, f.received, f.remaining) == (20_000_00, 0, 20_000_00)
    d = by_name["Campagne de dons"]
    assert (d.expected, d.received, d.remaining) == (7 * 500_00, 1_200_00, 3_800_00)
    s = by_name["État"]
    assert (s.pledged, s.hoped, s.expected, s.remaining) == (0, 180_000_00, 0, 0)
    public = view.by_kind[FunderKind.PUBLIC]
    assert (public.pledged, public.hoped, public.received) == (300_000_00, 180_000_00, 150_000_00)
    assert view.by_kind[FunderKind.PRIVATE].remaining == 20_000_00
    assert view.by_kind[FunderKind.CITIZEN].received == 1_200_00
    assert view.total.received == 151_200_00 and view.total.remaining == 173_800_00
    assert view.unclassified == [("région", 1_000_00)]


def test_funders_pledges_and_costs_pages(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.TREASURER))
    created = client.post_form("/budget/financeurs", {"name": "Métropole", "kind": "public"})
    assert created.status_code == 302
    twice = client.post_form("/budget/financeurs", {"name": "métropole", "kind": "public"})
    assert twice.status_code == 422 and "déjà" in twice.get_data(as_text=True)
    bad = client.post_form(
        created.location,
        {"amount": "cent", "first_month": "2026-12", "last_month": "2026-01", "schedule": "once"},
    )
    assert bad.status_code == 422 and "cent" in bad.get_data(as_text=True)
    backwards = client.post_form(
        created.location,
        {"amount": "1000", "first_month": "2026-12", "last_month": "2026-01", "schedule": "once"},
    )
    assert backwards.status_code == 422
    good = client.post_form(
        created.location,
        {
            "amount": "300 000,00",
            "first_month": "2026-01",
            "last_month": "2026-12",
            "schedule": "quarterly",
        },
    )
    assert good.status_code == 302
    ledger.record_grant("Métropole", 75_000_00, date(2026, 1, 20), "m1")
    db.session.commit()
    page = client.get(created.location).get_data(as_text=True)
    assert "300\u202f000,00\u00a0€" in page and "225\u202f000,00\u00a0€" in page
    overview = client.get("/budget/financeurs").get_data(as_text=True)
    assert "Organisme public" in overview and "75\u202f000,00\u00a0€" in overview
    cost = client.post_form(
        "/budget/couts",
        {"label": "Salaire coordination", "kind": "staff", "month": "2026-03", "forecast": "2 800"},
    )
    assert cost.status_code == 302
    line = funding.costs_by_month()[0].lines[0]
    paid = client.post_form(
        f"/budget/couts/{line.id}",
        {f"cost-{line.id}-paid": "2 750,50", f"cost-{line.id}-on": "2026-03-28"},
    )
    assert paid.status_code == 302
    db.session.expire_all()
    month = funding.costs_by_month()[0]
    assert (month.forecast, month.paid, month.expected) == (2_800_00, 2_750_50, 2_750_50)
    refused = client.post_form(f"/budget/couts/{line.id}", {f"cost-{line.id}-paid": "x"})
    assert refused.status_code == 422
    assert CostKind.STAFF is line.kind


def test_the_story_since_the_start(client) -> None:  # type: ignore[no-untyped-def]
    """Two years of a small caisse, added by hand: 2025 gives 1 000 € of allocations with
    400 € of contributions, 2026 gives 3 000 € with 800 €; grants of each kind."""
    from governance.budget import story
    from governance.budget.models import AccountKind, Currency, TransactionKind
    from tests.budget.test_ledger import _household

    household = _household("F-1")
    issuance = ledger.account(ledger.ISSUANCE, "MonA", Currency.MONA, AccountKind.ISSUANCE)
    for key, on, cents in (("a1", date(2025, 11, 1), 1_000_00), ("a2", date(2026, 2, 1), 3_000_00)):
        ledger.post(
            TransactionKind.ALLOCATION,
            on,
            [(ledger.wallet(household), cents), (issuance, -cents)],
            key,
        )
    ledger.record_contribution(household, 400_00, date(2025, 11, 5), "c1")
    ledger.record_contribution(household, 800_00, date(2026, 2, 5), "c2")
    funding.add_funder("Métropole", FunderKind.PUBLIC)
    funding.add_funder("Fondation", FunderKind.PRIVATE)
    funding.add_funder("Dons", FunderKind.CITIZEN)
    ledger.record_grant("Métropole", 2_000_00, date(2025, 10, 1), "g1")
    ledger.record_grant("Fondation", 500_00, date(2026, 1, 1), "g2")
    ledger.record_grant("Dons", 120_00, date(2026, 2, 1), "g3")
    ledger.record_grant("Mairie", 80_00, date(2026, 2, 1), "g4")
    told = story.since_start(date(2026, 3, 15))
    assert told.first_month == date(2025, 10, 1)
    assert (told.total.allocations, told.total.contributions, told.total.grants) == (
        4_000_00,
        1_200_00,
        2_700_00,
    )
    assert told.total.share_permille == 300
    assert [(y.year, y.allocations, y.share_permille) for y in told.years] == [
        (2025, 1_000_00, 400),
        (2026, 3_000_00, 267),
    ]
    assert told.sources == [
        ("contributions", 1_200_00),
        ("public", 2_000_00),
        ("private", 500_00),
        ("citizen", 120_00),
        ("other", 80_00),
    ]
    db.session.commit()
    page = client.get("/chiffres").get_data(as_text=True)
    assert "Depuis octobre 2025" in page and "4\u202f000\u00a0€" in page and "30\u00a0%" in page
    home = client.get("/").get_data(as_text=True)
    assert "Depuis 2025 : 4\u202f000\u00a0€ de budget alimentaire distribués" in home
