"""The scale rules and the simulator, against cases computed by hand from DESIGN.md."""

from __future__ import annotations

import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance.budget.rules import (
    PRESETS,
    Composition,
    Member,
    allocation_cents,
    contribution_cents,
    simulate,
    synthetic,
)

LYON = PRESETS["lyon8"]["allocation"]


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        (Composition(1), 15000),  # 150 € for the first person
        (Composition(2), 22500),  # + 75 € for the second adult
        (Composition(2, 0, 2), 31500),  # + 45 € per child under 14
        (Composition(1, 1, 0), 22500),  # a teenager of 14 or more counts as another person
    ],
)
def test_lyon_allocation(who: Composition, expected: int) -> None:
    assert allocation_cents(LYON, who) == expected


def test_other_allocation_presets() -> None:
    family = Composition(2, 0, 2)
    assert allocation_cents(PRESETS["montpellier"]["allocation"], family) == 40000
    assert allocation_cents(PRESETS["gironde"]["allocation"], family) == 7500 + 4 * 7500
    grenoble = PRESETS["grenoble"]["allocation"]
    sizes = [allocation_cents(grenoble, Composition(n)) for n in (1, 2, 3, 5)]
    assert sizes == [10000, 15000, 20000, 20000]  # capped from three people on


def test_consumption_units_follow_insee() -> None:
    assert Composition(1).uc_tenths == 10
    assert Composition(2).uc_tenths == 15
    assert Composition(2, 0, 2).uc_tenths == 21  # 1 + 0.5 + 0.3 + 0.3


def test_ariege_percentage_with_a_minimum_and_half_up_rounding() -> None:
    rule = PRESETS["ariege"]["contribution"]
    # bracket 0: 300 € per UC → 2.5 % = 7.50 €, below the 10 € minimum
    assert contribution_cents(rule, Composition(1), 0) == 1000
    # bracket 3: 1 494 € per UC, couple (1.5 UC) → 2 241 € → 2.5 % = 56.025 € → 56.03 €
    assert contribution_cents(rule, Composition(2), 3) == 5603


def test_guide_grid_stays_within_minimum_and_maximum() -> None:
    rule = PRESETS["montpellier"]["contribution"]
    assert contribution_cents(rule, Composition(1), 0) == 500
    assert contribution_cents(rule, Composition(4, 2, 6), 6) == 25000  # the maximum


def test_a_calim_like_population_by_hand() -> None:
    """108 households of CALIM 8: 60 single adults at bracket 1, 48 families of 2+2 at 2,
    all paying 10 € today, under Lyon's rule and a 15 €/30 € per UC grid."""
    contribution = {
        "kind": "guide_grid",
        "per_uc": [0, 1500, 3000, 0, 0, 0, 0],
        "minimum": 100,
        "maximum": 30000,
    }
    population = [Member(Composition(1), 1, 1000, 60), Member(Composition(2, 0, 2), 2, 1000, 48)]
    result = simulate(LYON, contribution, population, balance_cents=3_700_000_00)
    assert result.allocations == 60 * 15000 + 48 * 31500
    assert result.contributions == 60 * 1500 + 48 * 6300  # 30 € × 2.1 UC
    assert result.outside_needed == result.allocations - result.contributions
    assert result.paying_more == 108 and result.paying_less == 0
    assert result.households == 108
    assert result.decile_net[0] == 15000 - 1500  # the poorest tenth: single adults
    assert result.decile_net[9] == 31500 - 6300
    assert result.runway_months == round(3_700_000_00 / result.outside_needed, 1)


@given(st.integers(1, 4), st.integers(0, 3), st.integers(0, 5), st.integers(0, 6))
def test_every_preset_gives_non_negative_whole_cents(
    adults: int, teens: int, children: int, bracket: int
) -> None:
    who = Composition(adults, teens, children)
    for preset in PRESETS.values():
        assert allocation_cents(preset["allocation"], who) >= 0
        assert contribution_cents(preset["contribution"], who, bracket) >= 0


def test_synthetic_population_and_speed() -> None:
    population = synthetic(
        100_000,
        {"single": 40, "couple": 20, "single_parent": 15, "family": 20, "large_family": 5},
        [10, 15, 20, 20, 15, 12, 8],
    )
    assert sum(m.count for m in population) == 100_000
    start = time.perf_counter()
    results = [
        simulate(p["allocation"], p["contribution"], population) for p in list(PRESETS.values())[:3]
    ]
    assert time.perf_counter() - start < 1.0
    assert all(r.households == 100_000 for r in results)
