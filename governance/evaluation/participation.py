"""Participation over time, read for the evaluation: each measure a table of plain values (a
first column that names the row, then numbers), from which the page draws its chart and the
CSV its lines. Nobody is named: members are counted, never listed."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import String, cast, func, literal, select

from governance.budget import reports
from governance.budget.models import Account, AccountKind, LedgerTransaction, Posting
from governance.budget.models import TransactionKind as Tx
from governance.conventionnement.models import PointOfSale, PosKind, Visit, VisitMember
from governance.extensions import db
from governance.people.models import Group, Membership, Role
from governance.sessions.models import COUNTS_FOR_QUORUM, Attendance, AttendanceStatus, Meeting
from governance.sessions.models import MeetingStatus as MS
from governance.votes.models import (
    Decision,
    Objection,
    ObjectionStatus,
    Outcome,
    Position,
    Proposal,
    Round,
)

MONTHS = 12
HELD = (MS.OPEN, MS.CLOSED, MS.PUBLISHED)


@dataclass
class Measure:
    """``kinds`` says how each column is written: month, date, text, count or mona (cents)."""

    key: str
    columns: list[str]  # machine names, for the CSV header
    kinds: list[str]
    rows: list[list[Any]] = field(default_factory=list)


def period(today: date) -> list[date]:
    end = today.replace(day=1)
    return reports.months_between(reports.add_months(end, -(MONTHS - 1)), end)


def at_start(day: date) -> datetime:
    """The first instant of a day, for comparing with the UTC timestamps."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def _month(day: Any) -> date:
    return date(day.year, day.month, 1)


def _held_meetings(group: Group, months: list[date]) -> list[Meeting]:
    start, end = months[0], reports.next_month(months[-1])
    return list(
        db.session.scalars(
            select(Meeting)
            .where(
                Meeting.group_id == group.id,
                Meeting.status.in_(HELD),
                Meeting.starts_at >= at_start(start),
                Meeting.starts_at < at_start(end),
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def _memberships(group: Group) -> list[Any]:
    """(person, from, until) of every membership the group has had: read once per page."""
    return list(
        db.session.execute(
            select(Membership.person_id, Membership.starts_on, Membership.ends_on).where(
                Membership.group_id == group.id, Membership.role != Role.EVALUATOR
            )
        ).all()
    )


def members_on(rows: list[Any], day: date) -> set[int]:
    return {p for p, s, e in rows if s <= day and (e is None or e >= day)}


def attendance(group: Group, months: list[date]) -> tuple[Measure, Measure]:
    """Per meeting (present, excused, absent or not marked, of the members that day), and per
    member: how many members came to none, some, most of the meetings."""
    meetings = _held_meetings(group, months)
    rows = _memberships(group)
    marks = (
        db.session.execute(
            select(Attendance.meeting_id, Attendance.person_id, Attendance.status).where(
                Attendance.meeting_id.in_([m.id for m in meetings])
            )
        ).all()
        if meetings
        else []
    )
    by_meeting: dict[int, Counter[str]] = defaultdict(Counter)
    came: Counter[int] = Counter()
    for meeting_id, person_id, status in marks:
        present = status in COUNTS_FOR_QUORUM
        by_meeting[meeting_id]["present" if present else status.value] += 1
        if present:
            came[person_id] += 1
    per_meeting = Measure(
        "presence",
        ["day", "meeting", "present", "excused", "members"],
        ["date", "text", "count", "count", "count"],
    )
    for m in meetings:
        counts = by_meeting[m.id]
        members = len(members_on(rows, m.starts_at.date()))
        per_meeting.rows.append(
            [
                m.starts_at.date(),
                m.title,
                counts["present"],
                counts[AttendanceStatus.EXCUSED.value],
                members,
            ]
        )
    per_member = Measure("regularity", ["meetings_attended", "members"], ["text", "count"])
    members = members_on(rows, date.today())
    held = len(meetings)
    bands = Counter(_band(came[p], held) for p in members)
    per_member.rows = [[band, bands[band]] for band in BANDS]
    return per_meeting, per_member


BANDS = ("none", "fewer_than_half", "half_or_more", "all")


def _band(came: int, held: int) -> str:
    if came == 0:
        return "none"
    if came >= held:
        return "all"
    return "half_or_more" if 2 * came >= held else "fewer_than_half"


def turnover(group: Group, months: list[date]) -> Measure:
    """Per month: members who joined (members on the first day of the next month, not on its
    own first day), who left (the other way round: their last day was in the month), and the
    members once it is over. A change of role is neither."""
    rows = _memberships(group)

    measure = Measure(
        "turnover", ["month", "joined", "left", "members"], ["month", "count", "count", "count"]
    )
    for month in months:
        before = members_on(rows, month)
        after = members_on(rows, reports.next_month(month))
        measure.rows.append([month, len(after - before), len(before - after), len(after)])
    return measure


def binomes(group: Group, months: list[date]) -> Measure:
    """Per month: visits of the group's points of sale, and the people who made them; the
    total row counts the members of today who have ever been on a binôme."""
    rows = db.session.execute(
        select(Visit.visit_on, VisitMember.person_id)
        .join(VisitMember, VisitMember.visit_id == Visit.id)
        .join(PointOfSale, PointOfSale.id == Visit.pos_id)
        .where(PointOfSale.group_id == group.id)
    ).all()
    visits = db.session.execute(
        select(Visit.id, Visit.visit_on)
        .join(PointOfSale, PointOfSale.id == Visit.pos_id)
        .where(PointOfSale.group_id == group.id)
    ).all()
    measure = Measure("binomes", ["month", "visits", "people"], ["month", "count", "count"])
    for month in months:
        measure.rows.append(
            [
                month,
                sum(1 for _i, on in visits if _month(on) == month),
                len({p for on, p in rows if _month(on) == month}),
            ]
        )
    return measure


def ever_on_binome(group: Group) -> tuple[int, int]:
    """(members of today who have been on a binôme, members of today)."""
    members = set(
        db.session.scalars(
            select(Membership.person_id).where(
                Membership.group_id == group.id,
                Membership.is_current(date.today()),
                Membership.role != Role.EVALUATOR,
            )
        )
    )
    visited = set(db.session.scalars(select(VisitMember.person_id).distinct()))
    return len(members & visited), len(members)


def _proposal_rows(group: Group, *columns: Any) -> Any:
    return (
        select(*columns)
        .join(Round, Round.id == columns[0].class_.round_id)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .join(Proposal.item)
        .join(Meeting)
        .where(Meeting.group_id == group.id)
    )


def objections(group: Group, months: list[date]) -> Measure:
    """Per month they were raised: objections, and what became of them."""
    found = db.session.execute(
        _proposal_rows(group, Objection.round_id, Round.opened_at, Objection.status)
    ).all()
    statuses = list(ObjectionStatus)
    measure = Measure(
        "objections", ["month", *[s.value for s in statuses]], ["month"] + ["count"] * len(statuses)
    )
    for month in months:
        counts = Counter(s for _r, at, s in found if _month(at) == month)
        measure.rows.append([month, *[counts[s] for s in statuses]])
    return measure


def positions(group: Group, months: list[date]) -> Measure:
    """Per month: positions given, and those a facilitator recorded in the room for a member
    without a phone."""
    found = db.session.execute(
        _proposal_rows(
            group,
            Position.round_id,
            Position.updated_at,
            Position.person_id,
            Position.recorded_by_id,
        )
    ).all()
    measure = Measure(
        "positions", ["month", "positions", "recorded_in_room"], ["month", "count", "count"]
    )
    for month in months:
        here = [(p, by) for _r, at, p, by in found if _month(at) == month]
        measure.rows.append([month, len(here), sum(1 for p, by in here if by and by != p)])
    return measure


def decisions(group: Group, months: list[date]) -> Measure:
    found = db.session.execute(
        select(Decision.decided_on, Decision.outcome).where(
            Decision.group_id == group.id, Decision.decided_on >= months[0]
        )
    ).all()
    outcomes = [Outcome.ADOPTED, Outcome.REJECTED, Outcome.POSTPONED, Outcome.WITHDRAWN]
    measure = Measure(
        "decisions", ["month", *[o.value for o in outcomes]], ["month"] + ["count"] * len(outcomes)
    )
    for month in months:
        counts = Counter(o for on, o in found if _month(on) == month)
        measure.rows.append([month, *[counts[o] for o in outcomes]])
    return measure


def spending(months: list[date]) -> Measure:
    """MonA spent per month at each kind of point of sale (the whole caisse)."""
    original, kind = reports._effective_kind()
    month_of = reports._month_of(LedgerTransaction.occurred_on)
    rows = db.session.execute(
        select(month_of, PointOfSale.kind, func.sum(Posting.amount_cents))
        .select_from(Posting)
        .join(Account, Account.id == Posting.account_id)
        .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
        .outerjoin(original, original.id == LedgerTransaction.reverses_id)
        .join(PointOfSale, Account.code == literal("merchant:") + cast(PointOfSale.id, String))
        .where(
            Account.kind == AccountKind.MERCHANT,
            kind == Tx.PURCHASE,
            reports._between(months[0], months[-1]),
        )
        .group_by(month_of, PointOfSale.kind)
    ).all()
    cents: dict[tuple[date, PosKind], int] = {
        (reports._as_date(m), PosKind(k)): int(c or 0) for m, k, c in rows
    }
    kinds = [k for k in PosKind if any(kk == k and c for (_m, kk), c in cents.items())]
    measure = Measure(
        "spending", ["month", *[k.value for k in kinds]], ["month"] + ["mona"] * len(kinds)
    )
    for month in months:
        measure.rows.append([month, *[cents.get((month, k), 0) for k in kinds]])
    return measure
