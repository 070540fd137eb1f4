"""Reports per territory: the operations of its households only (grants and reimbursements
belong to the whole caisse), the whole caisse being their sum plus those."""

from __future__ import annotations

from governance.budget import reports
from governance.conventionnement import territories
from tests.budget.test_reports import APRIL, MARCH, _books


def test_totals_share_and_purchases_per_territory() -> None:
    one, two, _shops = _books()
    north = territories.save_territory(None, "Nord", None, [])
    south = territories.save_territory(None, "Sud", None, [])
    one.territory_id, two.territory_id = north.id, south.id
    whole = reports.monthly_totals(MARCH, MARCH)[0]
    a = reports.monthly_totals(MARCH, MARCH, north.id)[0]
    b = reports.monthly_totals(MARCH, MARCH, south.id)[0]
    # F-1: 150 € a month, paid 5 €, bought 60 + 10 + 5; F-2: 240 €, paid 2 €, bought 30 + 20 + 1.
    assert (a.grants, a.contributions, a.allocations, a.purchases) == (0, 5_00, 150_00, 75_00)
    assert (b.grants, b.contributions, b.allocations, b.purchases) == (0, 2_00, 240_00, 51_00)
    assert whole.grants == 1000_00
    for name in ("contributions", "allocations", "purchases"):
        assert getattr(a, name) + getattr(b, name) == getattr(whole, name)
    assert reports.contribution_share(MARCH, MARCH, north.id)[0].share_permille == 33
    assert reports.monthly_totals(APRIL, APRIL, north.id)[0].contributions == 0  # reversed
    bought = reports.purchases(MARCH, MARCH, south.id)
    assert bought.total == 51_00
    assert [(p.name, p.cents) for p in bought.by_point] == [
        ("Biocoop B", 30_00),
        ("Biocoop A", 20_00),
        ("Épicerie", 1_00),
    ]
