"""The story since the start: what the caisse distributed and where its money came from, from
its first operation to this month — totals, per year, and the grants by kind of funder."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select

from governance.budget import funding, reports
from governance.budget.models import Funder, FunderKind, LedgerTransaction
from governance.extensions import db


@dataclass
class YearTotals:
    year: int
    contributions: int = 0
    grants: int = 0
    allocations: int = 0
    purchases: int = 0

    @property
    def share_permille(self) -> int | None:
        if not self.allocations:
            return None
        return round(1000 * self.contributions / self.allocations)


@dataclass
class Story:
    first_month: date | None
    total: YearTotals
    years: list[YearTotals] = field(default_factory=list)
    # grants received by kind of funder; None: under a name that is no funder yet
    grants_by_kind: dict[FunderKind | None, int] = field(default_factory=dict)

    @property
    def sources(self) -> list[tuple[str, int]]:
        """Where the money came from: contributions, then grants by kind (key, cents)."""
        found = [("contributions", self.total.contributions)]
        found += [(kind.value, self.grants_by_kind.get(kind, 0)) for kind in FunderKind]
        if self.grants_by_kind.get(None):
            found.append(("other", self.grants_by_kind[None]))
        return found


def since_start(today: date | None = None) -> Story:
    """Every month from the first operation to this one (reversals taken off)."""
    end = (today or date.today()).replace(day=1)
    first = db.session.scalar(select(func.min(LedgerTransaction.occurred_on)))
    if first is None:
        return Story(None, YearTotals(0))
    first_month = reports._as_date(first).replace(day=1)
    months = reports.monthly_totals(first_month, max(end, first_month))
    total, years = YearTotals(0), {}
    for m in months:
        year = years.setdefault(m.month.year, YearTotals(m.month.year))
        for part in (total, year):
            part.contributions += m.contributions
            part.grants += m.grants
            part.allocations += m.allocations
            part.purchases += m.purchases
    return Story(first_month, total, list(years.values()), _grants_by_kind())


def _grants_by_kind() -> dict[FunderKind | None, int]:
    kinds = {
        funding.account_code(name): kind
        for name, kind in db.session.execute(select(Funder.name, Funder.kind))
    }
    found: dict[FunderKind | None, int] = {}
    for code, cents in funding.received().items():
        kind = kinds.get(code)
        found[kind] = found.get(kind, 0) + cents
    return found


def headline(today: date | None = None) -> YearTotals | None:
    """The home page's line: allocations and contributions since the start (two queries)."""
    end = (today or date.today()).replace(day=1)
    first = db.session.scalar(select(func.min(LedgerTransaction.occurred_on)))
    if first is None:
        return None
    start = reports._as_date(first).replace(day=1)
    total = YearTotals(start.year)
    for m in reports.monthly_totals(start, max(end, start)):
        total.allocations += m.allocations
        total.contributions += m.contributions
    return total if total.allocations else None
