"""Decisions taken the real way (a meeting, a proposal, a consent round) for the portal tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from governance.conventionnement import services as pos_services
from governance.conventionnement.models import LinkAction, PointOfSale, PosKind
from governance.people.models import QuorumKind, Role
from governance.sessions import services as meetings
from governance.sessions.models import AttendanceStatus, ItemKind, MeetingStatus
from governance.votes import queries, services
from governance.votes.models import Decision, DecisionKind, Value
from tests import factories


def decided(
    title: str,
    text: str,
    *,
    kind: DecisionKind = DecisionKind.GENERAL,
    when: datetime = datetime(2026, 10, 3, 9, 0, tzinfo=UTC),
    committee: Any = None,
    members: int = 3,
    concern: str = "",
    on_item: Any = None,
) -> Decision:
    """A proposal adopted by consent in one round (one member voicing ``concern`` if given)."""
    committee = committee or (on_item.meeting.group if on_item else factories.group())
    # Only the people made here are in this meeting's room: a group used for several
    # decisions asks for as many, so that each is taken with its quorum.
    committee.quorum_kind, committee.quorum_value = QuorumKind.COUNT, members
    people = [factories.person() for _ in range(members)]
    for person in people:
        factories.membership(person, committee, starts_on=date(2025, 1, 1))
    factories.membership(people[0], committee, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    meeting = (
        on_item.meeting
        if on_item
        else factories.meeting(committee, status=MeetingStatus.OPEN, starts_at=when)
    )
    item = on_item or factories.item(meeting, kind=ItemKind.DECISION, title=title)
    meeting.current_item_id = item.id
    for person in people:
        meetings.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)
    proposal = services.attach_proposal(
        item, title, text, people[-1], kind, effect="Effet de la décision.", by=people[0]
    )
    round_ = services.open_round(proposal)
    for n, person in enumerate(people):
        if n == 0 and concern:
            services.give_position(round_, person, Value.CONCERN, concern)
        else:
            services.give_position(round_, person, Value.CONSENT)
    services.close_round(round_)
    found = queries.decision_for_proposal(proposal.id)
    assert found is not None
    return found


def approved_point(name: str, kind: PosKind, neighbourhood: str) -> tuple[PointOfSale, Decision]:
    """A point of sale proposed, put on an open meeting's agenda and approved by consent."""
    committee = factories.group()
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    proposer = factories.person(display_name="Proposante Secrète")
    pos = pos_services.propose(
        committee, proposer, name, kind, neighbourhood=neighbourhood, contact="06 11 22 33 44"
    )
    item = pos_services.put_on_agenda(pos, LinkAction.APPROVE, meeting)
    decision = decided(
        f"Conventionnement : {name}",
        "Conventionné.",
        kind=DecisionKind.CONVENTIONNEMENT,
        on_item=item,
    )
    return pos, decision
