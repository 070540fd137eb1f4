"""An open meeting with present members and a proposal on a decision item."""

from __future__ import annotations

from datetime import date
from typing import Any

from governance.people.models import Role
from governance.sessions import services as meetings
from governance.sessions.models import AttendanceStatus, ItemKind, MeetingStatus
from governance.votes import services
from governance.votes.models import DecisionKind
from tests import factories


def open_proposal(
    members: int = 5,
    fallback: tuple[int, int] | None = (2, 3),
    rounds_before_fallback: int = 2,
    **group: Any,
) -> tuple[Any, list[Any]]:
    committee = factories.group(
        rounds_before_fallback=rounds_before_fallback,
        fallback_numerator=fallback[0] if fallback else None,
        fallback_denominator=fallback[1] if fallback else None,
        **group,
    )
    people = [factories.person() for _ in range(members)]
    for person in people:
        factories.membership(person, committee, starts_on=date(2025, 1, 1))
    factories.membership(people[0], committee, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    item = factories.item(meeting, kind=ItemKind.DECISION, title="Marché du samedi")
    meeting.current_item_id = item.id
    for person in people:
        meetings.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)
    proposal = services.attach_proposal(
        item,
        "Ouvrir un marché le samedi",
        "Un marché de producteurs ouvre le samedi.",
        people[-1],
        DecisionKind.GENERAL,
        effect="Le marché est conventionné.",
        by=people[0],
    )
    return proposal, people


def group_of(kind: Any, size: int) -> tuple[Any, list[Any]]:
    """A group of this kind with ``size`` members."""
    group = factories.group(kind=kind)
    people = [factories.person() for _ in range(size)]
    for person in people:
        factories.membership(person, group, starts_on=date(2025, 1, 1))
    return group, people


def adopt(meeting: Any, item: Any, present: list[Any], kind: DecisionKind) -> None:
    """Everyone present consents: the round closes, the decision is sent to the receivers.
    The proposal is attached once: a round refused for lack of quorum leaves it for another
    try."""
    from governance.votes import queries
    from governance.votes.models import Value

    meeting.current_item_id = item.id
    for person in present:
        meetings.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)
    proposal = queries.proposal_for_item(item.id) or services.attach_proposal(
        item, "Proposition", "Texte", None, kind
    )
    round_ = services.open_round(proposal)
    for person in present:
        services.give_position(round_, person, Value.CONSENT)
    services.close_round(round_)
