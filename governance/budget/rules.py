"""Allocation and contribution rules, the INSEE consumption units, and the simulator.

Everything here is a pure function on integers: amounts are cents, consumption units are
tenths (1 first adult = 10, other person aged 14+ = 5, child under 14 = 3). Rounding: a
percentage of income is rounded to the nearest cent, half up; everything else is exact.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

# Monthly income per consumption unit, in euros: the brackets households declare. Bounds follow
# INSEE's 2023 figures (poverty line 1 288 €, median 2 150 € per UC).
BRACKETS = [
    (0, 600),
    (600, 900),
    (900, 1288),
    (1288, 1700),
    (1700, 2150),
    (2150, 3000),
    (3000, 4500),
]
# The income used for percentage rules: the middle of the bracket, in cents per UC.
MIDPOINTS = [(low + high) * 50 for low, high in BRACKETS]


@dataclass(frozen=True)
class Composition:
    adults: int
    teens: int = 0
    children: int = 0

    @property
    def persons(self) -> int:
        return self.adults + self.teens + self.children

    @property
    def uc_tenths(self) -> int:
        return 10 + 5 * (self.adults - 1 + self.teens) + 3 * self.children


def allocation_cents(rule: dict[str, Any], who: Composition) -> int:
    kind = rule["kind"]
    if kind == "per_person":
        return rule["per_person"] * who.persons
    if kind == "composition":  # Lyon 8e: first person, other people 14+, children
        return (
            rule["first"]
            + rule["other"] * (who.adults - 1 + who.teens)
            + rule["child"] * who.children
        )
    if kind == "household_and_person":  # Gironde
        return rule["household"] + rule["per_person"] * who.persons
    if kind == "by_size":  # Grenoble: the last amount for every larger household
        amounts = rule["amounts"]
        return amounts[min(who.persons, len(amounts)) - 1]
    raise ValueError(f"unknown allocation rule {kind}")


def to_cents(euros: object) -> int:
    """Euros as typed (text or Decimal) to whole cents, half up: "12,345" is never a float."""
    try:
        value = Decimal(str(euros).strip())
    except InvalidOperation as error:
        raise ValueError(f"not an amount: {euros!r}") from error
    if not value.is_finite() or abs(value) >= 10**12:  # sNaN, Infinity, 1E+999999
        raise ValueError(f"not an amount: {euros!r}")
    return int(value.scaleb(2).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _round_half_up(numerator: int, denominator: int) -> int:
    return (2 * numerator + denominator) // (2 * denominator)


def contribution_cents(rule: dict[str, Any], who: Composition, bracket: int) -> int:
    kind = rule["kind"]
    if kind == "guide_grid":  # suggested amount per UC by bracket, within a minimum and maximum
        amount = _round_half_up(rule["per_uc"][bracket] * who.uc_tenths, 10)
        return max(rule["minimum"], min(rule["maximum"], amount))
    if kind == "percentage":  # Ariège: a share of income (basis points), at least a minimum
        income = _round_half_up(MIDPOINTS[bracket] * who.uc_tenths, 10)
        return max(rule["minimum"], _round_half_up(income * rule["basis_points"], 10000))
    if kind == "tiers":  # a fixed amount per household by bracket
        return rule["amounts"][bracket]
    raise ValueError(f"unknown contribution rule {kind}")


PRESETS: dict[str, dict[str, Any]] = {
    "montpellier": {
        "name": "Montpellier : 100 MonA par personne, grille indicative",
        "allocation": {"kind": "per_person", "per_person": 10000},
        "contribution": {
            "kind": "guide_grid",
            "per_uc": [500, 2000, 3500, 5500, 8000, 11000, 15000],
            "minimum": 100,
            "maximum": 25000,
        },
    },
    "lyon8": {
        "name": "Lyon 8e : 150 + 75 par personne de 14 ans et plus + 45 par enfant",
        "allocation": {"kind": "composition", "first": 15000, "other": 7500, "child": 4500},
        "contribution": {
            "kind": "guide_grid",
            "per_uc": [100, 1500, 3000, 5000, 7500, 10000, 14000],
            "minimum": 100,
            "maximum": 30000,
        },
    },
    "gironde": {
        "name": "Gironde : 75 par foyer + 75 par personne",
        "allocation": {"kind": "household_and_person", "household": 7500, "per_person": 7500},
        "contribution": {"kind": "tiers", "amounts": [500, 2000, 4000, 7000, 10000, 14000, 20000]},
    },
    "grenoble": {
        "name": "Grenoble : 100 / 150 / 200 selon la taille du foyer",
        "allocation": {"kind": "by_size", "amounts": [10000, 15000, 20000]},
        "contribution": {
            "kind": "guide_grid",
            "per_uc": [300, 1500, 3000, 5000, 7000, 9500, 13000],
            "minimum": 100,
            "maximum": 20000,
        },
    },
    "ariege": {
        "name": "Ariège : 2,5 % du revenu, au moins 10 €",
        "allocation": {"kind": "per_person", "per_person": 10000},
        "contribution": {"kind": "percentage", "basis_points": 250, "minimum": 1000},
    },
}


def check_rules(allocation: dict[str, Any], contribution: dict[str, Any]) -> None:
    """Raise ValueError when a rule cannot be applied to every household and bracket."""
    for who in (Composition(1), Composition(2, 1, 3), Composition(4, 2, 6)):
        if allocation_cents(allocation, who) < 0:
            raise ValueError("negative allocation")
        for bracket in range(len(BRACKETS)):
            if contribution_cents(contribution, who, bracket) < 0:
                raise ValueError("negative contribution")


# --- the simulator ------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One kind of household in the population, and how many there are."""

    who: Composition
    bracket: int
    current_cents: int  # what these households pay today
    count: int = 1


@dataclass(frozen=True)
class Outcome:
    allocations: int  # cents per month
    contributions: int
    outside_needed: int  # per month
    share_permille: int  # contributions / allocations
    runway_months: float | None
    paying_more: int
    paying_less: int
    decile_net: list[int]  # average monthly net transfer (allocation − contribution) per decile
    households: int


def group(population: list[Member]) -> list[Member]:
    """Fold identical households together: a city of 100 000 is a few hundred kinds."""
    counts: Counter[tuple[Composition, int, int]] = Counter()
    for member in population:
        counts[(member.who, member.bracket, member.current_cents)] += member.count
    return [Member(who, bracket, current, n) for (who, bracket, current), n in counts.items()]


def simulate(
    allocation: dict[str, Any],
    contribution: dict[str, Any],
    population: list[Member],
    balance_cents: int = 0,
    grants_cents_per_month: int = 0,
) -> Outcome:
    kinds = group(population)
    total = sum(m.count for m in kinds)
    allocations = contributions = more = less = 0
    rows = []
    for m in kinds:
        given = allocation_cents(allocation, m.who)
        paid = contribution_cents(contribution, m.who, m.bracket)
        allocations += given * m.count
        contributions += paid * m.count
        more += m.count if paid > m.current_cents else 0
        less += m.count if paid < m.current_cents else 0
        # Deciles of "niveau de vie": income per consumption unit, as INSEE counts them.
        rows.append((MIDPOINTS[m.bracket], given - paid, m.count))
    outside = max(0, allocations - contributions - grants_cents_per_month)
    runway = None if outside == 0 else round(balance_cents / outside, 1)
    return Outcome(
        allocations,
        contributions,
        outside,
        (1000 * contributions) // allocations if allocations else 0,
        runway,
        more,
        less,
        _deciles(sorted(rows), total),
        total,
    )


def _deciles(rows: list[tuple[int, int, int]], total: int) -> list[int]:
    """Average net transfer of each tenth of households, poorest first (by income per UC)."""
    if total == 0:
        return [0] * 10
    sums, sizes = [0] * 10, [0] * 10
    seen = 0
    for _income, net, count in rows:
        while count:
            decile = min(9, seen * 10 // total)
            room = (decile + 1) * total // 10 - seen if decile < 9 else total - seen
            take = max(1, min(count, room))
            sums[decile] += net * take
            sizes[decile] += take
            seen += take
            count -= take
    return [s // n if n else 0 for s, n in zip(sums, sizes, strict=True)]


# The synthetic population the simulator uses by default, and a scale's frozen simulation where
# no household is enrolled yet: the share (in %) of each composition and of each income bracket.
SYNTHETIC_HOUSEHOLDS = 1000
SYNTHETIC_MIX = {"single": 40, "couple": 20, "single_parent": 15, "family": 20, "large_family": 5}
SYNTHETIC_BRACKETS = [10, 15, 20, 20, 15, 12, 8]


def synthetic(households: int, mix: dict[str, int], brackets: list[int]) -> list[Member]:
    """A population described by a few parameters: how many households, the share (in %) of
    each composition, and the share (in %) of each income bracket."""
    shapes = {
        "single": Composition(1),
        "couple": Composition(2),
        "single_parent": Composition(1, 0, 2),
        "family": Composition(2, 0, 2),
        "large_family": Composition(2, 1, 3),
    }
    population = []
    for shape, share in mix.items():
        for bracket, bracket_share in enumerate(brackets):
            count = households * share * bracket_share // 10000
            if count:
                population.append(Member(shapes[shape], bracket, 0, count))
    return population


def bracket_label(index: int) -> str:
    """The bracket as records keep it (a draw's features): the same in every language."""
    low, high = BRACKETS[index]
    return f"{low} – {high} €"


# --- a household's own assessment ---------------------------------------------------------

# What a household is asked at most, whatever the scale says: never more than it spends on food
# today (the MonA replace that spending), nor more than a fifth of what is left each month once
# rent and bills are paid (the rest of daily life must still be paid for).
LEFT_SHARE_DIVISOR = 5
FLOOR_CENTS = 100  # 1 €: the smallest contribution, where a rule names no minimum


@dataclass(frozen=True)
class Suggestion:
    scale_cents: int  # what the scale alone asks
    suggested_cents: int  # what the household is advised to give
    capped_by: str | None  # "food", "left", or None when the scale's amount stands


def self_assessment(
    rule: dict[str, Any], who: Composition, bracket: int, left_cents: int, food_cents: int
) -> Suggestion:
    """The scale's amount for this household, lowered to what it can give (see above), never
    below the rule's minimum (or 1 €)."""
    scale = contribution_cents(rule, who, bracket)
    floor = rule.get("minimum", FLOOR_CENTS)
    caps = {"food": max(0, food_cents), "left": max(0, left_cents) // LEFT_SHARE_DIVISOR}
    reason = min(caps, key=lambda name: caps[name])
    if caps[reason] >= scale:
        return Suggestion(scale, scale, None)
    return Suggestion(scale, max(floor, caps[reason]), reason)


# Three households every member can picture, for the plain-words summary of a simulation:
# a person alone just under the poverty line, a single parent of two, a couple with two children
# around the median.
EXAMPLES = [(Composition(1), 1), (Composition(1, 0, 2), 2), (Composition(2, 0, 2), 4)]


def examples(allocation: dict[str, Any], contribution: dict[str, Any]) -> list[dict[str, int]]:
    return [
        {
            "adults": who.adults,
            "teens": who.teens,
            "children": who.children,
            "bracket": bracket,
            "allocation": allocation_cents(allocation, who),
            "contribution": contribution_cents(contribution, who, bracket),
        }
        for who, bracket in EXAMPLES
    ]
