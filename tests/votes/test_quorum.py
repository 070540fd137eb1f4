"""The group's quorum rule: without quorum nothing is decided (unless the rule allows it), the
console says why, and a postponement for lack of quorum is recorded as such."""

from __future__ import annotations

import pytest

from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import QuorumKind
from governance.sessions import services as meetings
from governance.sessions.models import Attendance, AttendanceStatus
from governance.votes import panel, services
from governance.votes.models import Decision, Outcome, RoundKind, Value
from tests.votes.helpers import open_proposal


def _absent(proposal, people) -> None:  # type: ignore[no-untyped-def]
    """Only the first two members stay present."""
    meeting = proposal.item.meeting
    for person in people[2:]:
        meetings.mark_attendance(meeting, person, AttendanceStatus.ABSENT, people[0])


@pytest.mark.parametrize(
    ("kind", "value", "present", "met"),
    [
        (QuorumKind.PERCENT, 50, 3, True),  # 3 of 5: ceil(2.5) = 3 needed
        (QuorumKind.PERCENT, 50, 2, False),
        (QuorumKind.PERCENT, 100, 4, False),
        (QuorumKind.COUNT, 2, 2, True),
        (QuorumKind.COUNT, 4, 3, False),
        (QuorumKind.PERCENT, 0, 0, True),
    ],
)
def test_quorum_of_each_rule(kind, value, present, met) -> None:  # type: ignore[no-untyped-def]
    proposal, people = open_proposal(quorum_kind=kind, quorum_value=value)
    meeting = proposal.item.meeting
    for person in people[present:]:
        meetings.mark_attendance(meeting, person, AttendanceStatus.EXCUSED, people[0])
    quorum = meetings.quorum(meeting)
    assert (quorum.counted, quorum.met) == (present, met)


def test_no_round_without_quorum_by_default_and_the_console_says_why() -> None:
    proposal, people = open_proposal(quorum_kind=QuorumKind.PERCENT, quorum_value=50)
    _absent(proposal, people)
    with pytest.raises(DomainError, match="quorum"):
        services.open_round(proposal)
    assert proposal.rounds == []
    shown = panel.context(proposal.item.meeting, people[0], "console")
    assert shown is not None
    assert "2" in str(shown["consent_refusal"]) and "3" in str(shown["consent_refusal"])
    assert shown["may_postpone_for_quorum"]


def test_postponed_for_lack_of_quorum_is_recorded_and_decides_nothing() -> None:
    proposal, people = open_proposal(quorum_kind=QuorumKind.PERCENT, quorum_value=50)
    with pytest.raises(DomainError):  # quorum reached: no reason to postpone for it
        services.postpone(proposal, for_quorum=True)
    _absent(proposal, people)
    services.postpone(proposal, for_quorum=True)
    assert proposal.outcome is Outcome.POSTPONED and proposal.postponed_for_quorum
    assert db.session.scalar(db.select(Decision).where(Decision.proposal_id == proposal.id)) is None


def test_a_group_that_allows_it_decides_without_quorum_and_the_record_says_so() -> None:
    proposal, people = open_proposal(
        quorum_kind=QuorumKind.PERCENT, quorum_value=50, decide_without_quorum=True
    )
    _absent(proposal, people)
    round_ = services.open_round(proposal)
    assert not round_.quorum_met and round_.present_count == 2 and round_.quorum_required == 3
    for person in people[:2]:
        services.give_position(round_, person, Value.CONSENT)
    assert services.close_round(round_) is Outcome.ADOPTED
    decision = db.session.scalar(db.select(Decision).where(Decision.proposal_id == proposal.id))
    assert decision is not None


def test_the_register_refuses_a_decision_whose_round_had_no_quorum() -> None:
    """Whatever path leads there (a rule changed while a round was open), no decision is
    recorded without quorum when the group's rule forbids it."""
    proposal, people = open_proposal(
        quorum_kind=QuorumKind.PERCENT, quorum_value=50, decide_without_quorum=True
    )
    _absent(proposal, people)
    round_ = services.open_round(proposal)
    services.give_position(round_, people[0], Value.CONSENT)
    proposal.item.meeting.group.decide_without_quorum = False
    with pytest.raises(DomainError, match="quorum"):
        services.close_round(round_)


def test_open_round_is_not_offered_while_objections_are_unresolved() -> None:
    proposal, people = open_proposal()
    round_ = services.open_round(proposal)
    services.give_position(round_, people[1], Value.OBJECTION, "Le marché est plein.")
    services.close_round(round_)
    shown = panel.context(proposal.item.meeting, people[0], "console")
    assert shown is not None and shown["consent_refusal"] is not None
    assert services.round_refusal(proposal, RoundKind.CONSENT, meetings.quorum(
        proposal.item.meeting
    )) is not None
    objection = shown["raised"][0]
    services.resolve_objection(objection, services.ObjectionStatus.WITHDRAWN)
    # Withdrawn: the text as voted is adopted, and who said what shows it withdrawn.
    assert proposal.outcome is Outcome.ADOPTED
    after = panel.context(proposal.item.meeting, people[0], "room")
    assert after is not None
    assert after["objection_status"][(round_.id, people[1].id)].value == "withdrawn"
    assert db.session.scalar(db.select(Attendance.id)) is not None
