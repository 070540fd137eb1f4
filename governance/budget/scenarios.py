"""Scenarios of enlargement: month by month over one to three years, what the caisse gives
(allocations to a number of households that grows, operating costs) against what it receives
(contributions, at an assumed share or as a scale yields them, grants pledged and hoped for),
and the cash that results: coverage, the gap still to find, the month the money runs out.

Pure arithmetic on integers (cents); the page gathers the inputs from the books."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from governance.budget import rules

MIX = {"single": 40, "couple": 20, "single_parent": 15, "family": 20, "large_family": 5}
BRACKETS = [10, 15, 20, 20, 15, 12, 8]


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Assumptions:
    name: str
    start: date  # first month
    months: int
    households_from: int
    households_to: int
    ramp_months: int  # months to go from the first number to the second (0: at once)
    allocation_cents: int  # per household per month, on average
    contribution_cents: int  # per household per month, on average (the scale's yield)
    share_permille: int | None = None  # an assumed contribution share instead of the yield
    cash_cents: int = 0  # money at the start
    grants: dict[date, int] = field(default_factory=dict)  # pledged, per month
    hoped: dict[date, int] = field(default_factory=dict)  # hoped for, per month
    count_hoped: bool = False
    costs: dict[date, int] = field(default_factory=dict)  # operating costs known per month
    cost_per_month: int = 0  # for the months without known costs


@dataclass(frozen=True)
class Month:
    month: date
    households: int
    allocations: int
    contributions: int
    grants: int
    costs: int
    cash: int  # at the month's end


@dataclass
class Projection:
    assumptions: Assumptions
    months: list[Month]

    def _sum(self, name: str) -> int:
        return sum(getattr(m, name) for m in self.months)

    @property
    def allocations(self) -> int:
        return self._sum("allocations")

    @property
    def contributions(self) -> int:
        return self._sum("contributions")

    @property
    def grants(self) -> int:
        return self._sum("grants")

    @property
    def costs(self) -> int:
        return self._sum("costs")

    @property
    def spending(self) -> int:
        return self.allocations + self.costs

    @property
    def coverage_permille(self) -> int | None:
        """What comes in (contributions and grants) ÷ what goes out, over the whole period."""
        if not self.spending:
            return None
        return (1000 * (self.contributions + self.grants)) // self.spending

    @property
    def share_permille(self) -> int | None:
        return (1000 * self.contributions) // self.allocations if self.allocations else None

    @property
    def gap(self) -> int:
        """Money still to find so that the cash never goes below zero."""
        return max(0, -min((m.cash for m in self.months), default=0))

    @property
    def runs_out(self) -> date | None:
        return next((m.month for m in self.months if m.cash < 0), None)


def households_in(a: Assumptions, index: int) -> int:
    """Households of the ``index``-th month: a straight ramp, reached after ``ramp_months``."""
    if a.ramp_months <= 0 or index >= a.ramp_months:
        return a.households_to
    step = (a.households_to - a.households_from) * index
    return a.households_from + (2 * step + a.ramp_months) // (2 * a.ramp_months)


def project(a: Assumptions) -> Projection:
    months, cash = [], a.cash_cents
    for index in range(a.months):
        month = add_months(a.start, index)
        households = households_in(a, index)
        allocations = households * a.allocation_cents
        if a.share_permille is not None:
            contributions = (allocations * a.share_permille + 500) // 1000
        else:
            contributions = households * a.contribution_cents
        grants = a.grants.get(month, 0) + (a.hoped.get(month, 0) if a.count_hoped else 0)
        costs = a.costs.get(month, a.cost_per_month)
        cash += contributions + grants - allocations - costs
        months.append(Month(month, households, allocations, contributions, grants, costs, cash))
    return Projection(a, months)


def averages(scale: Any, kinds: list[rules.Member]) -> tuple[int, int]:
    """A scale's allocation and contribution per household per month, on average over the
    population (the enrolled households, or a synthetic one), folded once by ``rules.group``
    for every scenario."""
    total = sum(m.count for m in kinds)
    if not total:
        return 0, 0
    given = sum(rules.allocation_cents(scale.allocation, m.who) * m.count for m in kinds)
    paid = sum(
        rules.contribution_cents(scale.contribution, m.who, m.bracket) * m.count for m in kinds
    )
    return given // total, paid // total


def synthetic_population(count: int = 1000) -> list[rules.Member]:
    return rules.synthetic(count, MIX, BRACKETS)
