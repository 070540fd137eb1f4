"""Scenarios attached to a proposal: a frozen copy (the inputs and the month-by-month
results) that the committee reads with the proposal, whatever the books become later. Only a
treasurer of the meeting's group attaches them, to a proposal of a meeting still to come."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from governance.access import Loader, rule
from governance.budget.models import ScenarioLink
from governance.budget.scenarios import Projection
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Role
from governance.people.policy import roles_in, signed_in
from governance.sessions.models import AgendaItem, Meeting, MeetingStatus
from governance.votes.models import Proposal
from governance.votes.policy import proposal_from_url

COMING = (MeetingStatus.DRAFT, MeetingStatus.CONVENED)


def _coming(meeting: Meeting, today: date) -> bool:
    """Not held yet: convened or in draft, today or later."""
    return meeting.status in COMING and meeting.starts_at.date() >= today


@rule
def can_attach_scenario(person: Any, proposal: Proposal) -> bool:
    """A treasurer of the group whose coming meeting holds the proposal."""
    meeting = proposal.item.meeting
    return (
        signed_in(person)
        and Role.TREASURER in roles_in(person, meeting.group_id)
        and _coming(meeting, date.today())
    )


PROPOSAL = Loader("proposal", proposal_from_url)


def attachable(person: Any) -> list[Proposal]:
    """The proposals of coming meetings of the groups where this person is a treasurer."""
    if not signed_in(person):
        return []
    found = db.session.scalars(
        select(Proposal)
        .join(AgendaItem, AgendaItem.id == Proposal.item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.status.in_(COMING))
        .order_by(Meeting.starts_at, AgendaItem.position, Proposal.id)
    ).all()
    return [p for p in found if can_attach_scenario(person, p)]


def _freeze(projection: Projection) -> dict[str, Any]:
    a = projection.assumptions
    inputs = {
        k: v
        for k, v in asdict(a).items()
        if k not in ("grants", "hoped", "costs", "start")  # the months carry them
    }
    return {
        "inputs": {**inputs, "start": a.start.isoformat()},
        "months": [{**asdict(m), "month": m.month.isoformat()} for m in projection.months],
        "runs_out": projection.runs_out.isoformat() if projection.runs_out else None,
        "gap": projection.gap,
        "coverage_permille": projection.coverage_permille,
        "share_permille": projection.share_permille,
    }


def attach(proposal: Proposal, projections: list[Projection], by: Any, today: date) -> ScenarioLink:
    if not projections:
        raise DomainError(_l("Fill in at least one scenario first."))
    if db.session.get(ScenarioLink, proposal.id) is not None:
        raise DomainError(_l("This proposal has its scenarios already: they stay as they were."))
    link = ScenarioLink(
        proposal_id=proposal.id,
        frozen={
            "computed_on": today.isoformat(),
            "scenarios": [_freeze(p) for p in projections],
        },
        attached_by_id=by.id if by is not None else None,
    )
    db.session.add(link)
    db.session.flush()
    return link


def frozen_for(proposal: Proposal) -> dict[str, Any] | None:
    """The frozen scenarios as the page reads them (dates back as dates)."""
    link = db.session.get(ScenarioLink, proposal.id)
    if link is None:
        return None
    data = link.frozen
    return {
        "computed_on": date.fromisoformat(data["computed_on"]),
        "scenarios": [
            {
                **s,
                "runs_out": date.fromisoformat(s["runs_out"]) if s["runs_out"] else None,
                "months": [{**m, "month": date.fromisoformat(m["month"])} for m in s["months"]],
            }
            for s in data["scenarios"]
        ],
    }
