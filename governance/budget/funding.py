"""Funders by kind, their pledges and schedules against what the ledger received, and the
operating costs beside the allocations (the caisse's socio-economic model)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from governance.budget.models import (
    Account,
    AccountKind,
    CostKind,
    CostLine,
    Funder,
    FunderKind,
    Pledge,
    Schedule,
)
from governance.errors import DomainError
from governance.extensions import db

GRANTS = "income:grants:"
STEP = {Schedule.MONTHLY: 1, Schedule.QUARTERLY: 3, Schedule.YEARLY: 12}


def month_index(month: date) -> int:
    return month.year * 12 + month.month - 1


def month_of(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def installments(pledge: Pledge) -> list[tuple[date, int]]:
    """The months a pledge is paid and how much each time: the amount split in whole cents,
    the first installments taking the remainder."""
    first, last = month_index(pledge.first_month), month_index(pledge.last_month)
    if pledge.schedule is Schedule.ONCE:
        return [(month_of(first), pledge.cents)]
    months = list(range(first, last + 1, STEP[pledge.schedule]))
    share, rest = divmod(pledge.cents, len(months))
    return [(month_of(m), share + (1 if n < rest else 0)) for n, m in enumerate(months)]


def expected_by(pledge: Pledge, day: date) -> int:
    return sum(cents for month, cents in installments(pledge) if month <= day)


def account_code(name: str) -> str:
    return f"{GRANTS}{name.lower()}"


def received() -> dict[str, int]:
    """Grant account code → euros received (cents), from the ledger's balances."""
    rows = db.session.execute(
        select(Account.code, Account.balance_cents).where(
            Account.kind == AccountKind.INCOME, Account.code.startswith(GRANTS)
        )
    )
    return {code: -int(balance) for code, balance in rows}


@dataclass
class PledgeState:
    pledge: Pledge
    expected: int  # due by today under its schedule
    received: int  # the funder's receipts, given to its pledges in order

    @property
    def remaining(self) -> int:
        return self.pledge.cents - self.received

    @property
    def late(self) -> int:
        return max(0, self.expected - self.received)


@dataclass
class FunderState:
    funder: Funder
    pledges: list[PledgeState]
    received: int

    @property
    def pledged(self) -> int:
        return sum(p.pledge.cents for p in self.pledges if p.pledge.firm)

    @property
    def hoped(self) -> int:
        return sum(p.pledge.cents for p in self.pledges if not p.pledge.firm)

    @property
    def expected(self) -> int:
        return sum(p.expected for p in self.pledges if p.pledge.firm)

    @property
    def remaining(self) -> int:
        return max(0, self.pledged - self.received)


@dataclass
class Totals:
    pledged: int = 0
    hoped: int = 0
    expected: int = 0
    received: int = 0
    remaining: int = 0

    def add(self, state: FunderState) -> None:
        self.pledged += state.pledged
        self.hoped += state.hoped
        self.expected += state.expected
        self.received += state.received
        self.remaining += state.remaining


@dataclass
class Overview:
    funders: list[FunderState]
    by_kind: dict[FunderKind, Totals]
    total: Totals
    unclassified: list[tuple[str, int]] = field(default_factory=list)  # grants of no funder


def overview(today: date | None = None) -> Overview:
    """Every funder with its pledges: pledged, expected by today, received, remaining; the
    same per kind; and grants the ledger holds from names that are no funder yet."""
    today = today or date.today()
    got = received()
    pledges: dict[int, list[Pledge]] = defaultdict(list)
    for pledge in db.session.scalars(select(Pledge).order_by(Pledge.first_month, Pledge.id)):
        pledges[pledge.funder_id].append(pledge)
    states = []
    for funder in db.session.scalars(select(Funder).order_by(Funder.name)):
        left = total = got.pop(account_code(funder.name), 0)
        shown = []
        for pledge in pledges[funder.id]:
            part = min(left, pledge.cents) if pledge.firm else 0
            left -= part
            shown.append(PledgeState(pledge, expected_by(pledge, today), part))
        states.append(FunderState(funder, shown, total))
    by_kind = {kind: Totals() for kind in FunderKind}
    total = Totals()
    for state in states:
        by_kind[state.funder.kind].add(state)
        total.add(state)
    unclassified = sorted((code.removeprefix(GRANTS), c) for code, c in got.items() if c)
    return Overview(states, by_kind, total, unclassified)


def add_funder(name: str, kind: FunderKind) -> Funder:
    name = " ".join(name.split())
    taken = db.session.scalar(select(Funder.id).where(Funder.name == name)) or any(
        f.lower() == name.lower() for f in db.session.scalars(select(Funder.name))
    )
    if taken:
        raise DomainError(_l("A funder has this name already."), "name")
    funder = Funder(name=name, kind=kind)
    db.session.add(funder)
    db.session.flush()
    return funder


def add_pledge(
    funder: Funder,
    cents: int,
    first_month: date,
    last_month: date,
    schedule: Schedule,
    firm: bool,
    note: str = "",
) -> Pledge:
    first_month, last_month = first_month.replace(day=1), last_month.replace(day=1)
    if last_month < first_month:
        raise DomainError(_l("The last month comes after the first one."), "last_month")
    if month_index(last_month) - month_index(first_month) >= 120:
        raise DomainError(_l("At most ten years at once."), "last_month")
    pledge = Pledge(
        funder_id=funder.id,
        cents=cents,
        first_month=first_month,
        last_month=last_month,
        schedule=schedule,
        firm=firm,
        note=note.strip()[:200],
    )
    db.session.add(pledge)
    db.session.flush()
    return pledge


def expected_per_month(firm_only: bool = False) -> dict[date, tuple[int, int]]:
    """Month → (pledged, hoped for) cents expected that month, over every pledge."""
    months: dict[date, list[int]] = defaultdict(lambda: [0, 0])
    for pledge in db.session.scalars(select(Pledge)):
        if firm_only and not pledge.firm:
            continue
        for month, cents in installments(pledge):
            months[month][0 if pledge.firm else 1] += cents
    return {month: (firm, hoped) for month, (firm, hoped) in months.items()}


# --- operating costs --------------------------------------------------------------------------


def add_cost(label: str, kind: CostKind, month: date, forecast_cents: int) -> CostLine:
    line = CostLine(
        label=" ".join(label.split())[:120],
        kind=kind,
        month=month.replace(day=1),
        forecast_cents=forecast_cents,
    )
    db.session.add(line)
    db.session.flush()
    return line


def pay_cost(line: CostLine, cents: int, on: date) -> CostLine:
    """What was actually paid for a cost line (said again, it corrects the amount)."""
    line.paid_cents, line.paid_on = cents, on
    db.session.flush()
    return line


@dataclass
class CostMonth:
    month: date
    lines: list[CostLine]

    @property
    def forecast(self) -> int:
        return sum(line.forecast_cents for line in self.lines)

    @property
    def paid(self) -> int:
        return sum(line.paid_cents or 0 for line in self.lines)

    @property
    def expected(self) -> int:
        """What the month costs as best known: paid where paid, else the forecast."""
        return sum(
            line.paid_cents if line.paid_cents is not None else line.forecast_cents
            for line in self.lines
        )


def costs_by_month() -> list[CostMonth]:
    months: dict[date, list[CostLine]] = defaultdict(list)
    for line in db.session.scalars(select(CostLine).order_by(CostLine.month, CostLine.id)):
        months[line.month].append(line)
    return [CostMonth(month, lines) for month, lines in sorted(months.items())]


# --- what is still to come in and to go out, for a projection -------------------------------


@dataclass
class ToCome:
    """Month → cents still to come in (pledged, hoped for) or to go out (costs), from a first
    month on. Pledged money late or costs left unpaid before that month fall on it."""

    grants: dict[date, int] = field(default_factory=dict)
    hoped: dict[date, int] = field(default_factory=dict)
    costs: dict[date, int] = field(default_factory=dict)


def _spread(remaining: int, pledge: Pledge, start: date, into: dict[date, int]) -> None:
    """The money a pledge still owes, given to its last installments first; what was due
    before ``start`` and not received falls on ``start``."""
    for month, cents in reversed(installments(pledge)):
        part = min(remaining, cents)
        if part <= 0:
            break
        into[max(month, start)] = into.get(max(month, start), 0) + part
        remaining -= part


def to_come(start: date) -> ToCome:
    """The inputs of the runway report and of the scenarios, read the same way: firm pledges
    minus what each funder gave (to its pledges in order), hoped-for pledges from ``start``
    on, cost lines not paid yet (a month whose lines are all paid costs nothing more)."""
    start = start.replace(day=1)
    state = overview(start)
    out = ToCome()
    for funder in state.funders:
        for p in funder.pledges:
            if p.pledge.firm:
                _spread(p.remaining, p.pledge, start, out.grants)
            else:
                for month, cents in installments(p.pledge):
                    if month >= start:
                        out.hoped[month] = out.hoped.get(month, 0) + cents
    for month in costs_by_month():
        unpaid = sum(line.forecast_cents for line in month.lines if line.paid_cents is None)
        at = max(month.month, start)
        if month.month >= start or unpaid:
            out.costs[at] = out.costs.get(at, 0) + unpaid
    return out
