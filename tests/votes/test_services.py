"""The rules of consent: eligibility, positions, objections, adoption, fallback, the register."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from governance.errors import DomainError, Forbidden
from governance.extensions import db
from governance.sessions import services as meetings
from governance.sessions.models import AttendanceStatus
from governance.votes import register, services
from governance.votes.models import (
    Decision,
    ObjectionStatus,
    Outcome,
    Position,
    RoundKind,
    Stage,
    Value,
)
from tests.votes.helpers import open_proposal


def test_no_objection_adopts_and_records_a_decision() -> None:
    proposal, people = open_proposal(members=4)
    received = []
    services.decision_final.connect(received.append, weak=False)
    try:
        round_ = services.open_round(proposal)
        assert len(round_.eligible) == 4 and round_.quorum_met
        for person in people[:3]:
            services.give_position(round_, person, Value.CONSENT)
        services.give_position(round_, people[3], Value.CONCERN, "Attention au bruit.")
        assert services.close_round(round_) is Outcome.ADOPTED
    finally:
        services.decision_final.disconnect(received.append)
    decision = db.session.scalar(select(Decision))
    assert received == [decision]
    code = proposal.item.meeting.group.code
    assert decision.reference == f"{code}-2026-001" and decision.outcome is Outcome.ADOPTED
    assert decision.record["rounds"][0]["tally"] == {"consent": 3, "concern": 1, "no_answer": 0}
    assert decision.text == "Un marché de producteurs ouvre le samedi."
    assert proposal.stage is Stage.DONE


def test_a_position_can_change_until_close_and_counts_once() -> None:
    proposal, people = open_proposal(members=2)
    round_ = services.open_round(proposal)
    services.give_position(round_, people[0], Value.CONSENT)
    services.give_position(round_, people[0], Value.CONSENT)  # a double tap
    services.give_position(round_, people[0], Value.ABSTENTION)
    positions = db.session.scalars(select(Position).where(Position.round_id == round_.id)).all()
    assert [(p.person_id, p.value) for p in positions] == [(people[0].id, Value.ABSTENTION)]
    services.close_round(round_)
    with pytest.raises(DomainError):
        services.give_position(round_, people[1], Value.CONSENT)
    with pytest.raises(DomainError):
        services.close_round(round_)


def test_one_position_per_member_and_round_is_a_database_constraint() -> None:
    proposal, people = open_proposal(members=1)
    round_ = services.open_round(proposal)
    services.give_position(round_, people[0], Value.CONSENT)
    with pytest.raises(IntegrityError, match=r"(?i)unique"), db.session.begin_nested():
        db.session.add(Position(round_id=round_.id, person_id=people[0].id, value=Value.CONSENT))
        db.session.flush()


def test_an_objection_needs_its_reason() -> None:
    proposal, people = open_proposal(members=1)
    round_ = services.open_round(proposal)
    with pytest.raises(DomainError) as refused:
        services.give_position(round_, people[0], Value.OBJECTION, "   ")
    assert refused.value.field == "argument"


def test_positions_the_rule_does_not_allow_are_refused() -> None:
    proposal, people = open_proposal(members=1, allow_concern=False, allow_abstention=False)
    round_ = services.open_round(proposal)
    assert services.allowed_values(round_) == [Value.CONSENT, Value.OBJECTION]
    for value in (Value.CONCERN, Value.ABSTENTION, Value.FOR):
        with pytest.raises(DomainError):
            services.give_position(round_, people[0], value)


def test_eligibility_is_frozen_when_the_round_opens() -> None:
    proposal, people = open_proposal(members=3)
    late = people[2]
    meeting = proposal.item.meeting
    meetings.mark_attendance(meeting, late, AttendanceStatus.ABSENT, people[0])
    services.declare_conflict(proposal.item, people[1], "Je travaille à la Biocoop.")
    round_ = services.open_round(proposal)
    assert {e.person_id for e in round_.eligible} == {people[0].id}
    meetings.mark_attendance(meeting, late, AttendanceStatus.PRESENT, people[0])  # arrives late
    for outsider in (late, people[1]):
        with pytest.raises(Forbidden):
            services.give_position(round_, outsider, Value.CONSENT)
    assert {e.person_id for e in round_.eligible} == {people[0].id}


def test_objection_integrated_in_a_new_version_then_adopted() -> None:
    proposal, people = open_proposal(members=3)
    first = services.open_round(proposal)
    services.give_position(first, people[0], Value.CONSENT)
    services.give_position(first, people[1], Value.OBJECTION, "Le samedi, c'est déjà complet.")
    assert services.close_round(first) is None
    assert proposal.stage is Stage.AMENDMENT
    (objection,) = services.raised_objections(proposal)
    with pytest.raises(DomainError):  # unresolved objections block a new round
        services.open_round(proposal)
    version = services.amend(
        proposal, "Un marché de producteurs ouvre le dimanche.", people[0], [objection]
    )
    assert version.number == 2 and objection.status is ObjectionStatus.INTEGRATED
    second = services.open_round(proposal)
    assert second.version_id == version.id and second.number == 2
    for person in people:
        services.give_position(second, person, Value.CONSENT)
    assert services.close_round(second) is Outcome.ADOPTED
    decision = db.session.scalar(select(Decision))
    assert decision.text.endswith("le dimanche.")
    assert decision.record["objections"][0]["status"] == "integrated"
    assert decision.record["objections"][0]["version"] == 2
    assert [v["number"] for v in decision.record["versions"]] == [1, 2]


def test_objection_withdrawn_or_not_blocking_adopts_the_voted_text() -> None:
    proposal, people = open_proposal(members=3)
    round_ = services.open_round(proposal)
    services.give_position(round_, people[0], Value.OBJECTION, "Trop cher.")
    services.give_position(round_, people[1], Value.OBJECTION, "Trop loin.")
    services.close_round(round_)
    first, second = services.raised_objections(proposal)
    assert services.resolve_objection(first, ObjectionStatus.WITHDRAWN) is None
    outcome = services.resolve_objection(second, ObjectionStatus.NOT_BLOCKING, "Le groupe estime")
    assert outcome is Outcome.ADOPTED


def test_fallback_vote_only_after_the_rounds_the_rule_sets() -> None:
    proposal, people = open_proposal(members=3, fallback=(2, 3), rounds_before_fallback=1)
    with pytest.raises(DomainError):
        services.open_round(proposal, RoundKind.FALLBACK)
    round_ = services.open_round(proposal)
    services.give_position(round_, people[0], Value.OBJECTION, "Non.")
    services.close_round(round_)
    (objection,) = services.raised_objections(proposal)
    services.resolve_objection(objection, ObjectionStatus.NOT_BLOCKING)
    assert proposal.outcome is Outcome.ADOPTED


@pytest.mark.parametrize(
    ("yes", "no", "outcome"),
    [(2, 1, Outcome.ADOPTED), (1, 1, Outcome.REJECTED), (1, 2, Outcome.REJECTED)],
)
def test_fallback_threshold_of_two_thirds_of_votes_cast(
    yes: int, no: int, outcome: Outcome
) -> None:
    proposal, people = open_proposal(members=4, fallback=(2, 3), rounds_before_fallback=1)
    round_ = services.open_round(proposal)
    services.give_position(round_, people[0], Value.OBJECTION, "Non.")
    services.close_round(round_)
    (objection,) = services.raised_objections(proposal)
    services.amend(proposal, "Texte révisé.", people[0], [objection])
    vote = services.open_round(proposal, RoundKind.FALLBACK)
    voters = iter(people)
    for _ in range(yes):
        services.give_position(vote, next(voters), Value.FOR)
    for _ in range(no):
        services.give_position(vote, next(voters), Value.AGAINST)
    services.give_position(vote, next(voters), Value.ABSTENTION)  # not a vote cast
    assert services.close_round(vote) is outcome
    decision = db.session.scalar(select(Decision))
    assert decision.outcome is outcome


def test_no_fallback_where_the_rule_has_none() -> None:
    proposal, people = open_proposal(members=2, fallback=None, rounds_before_fallback=1)
    round_ = services.open_round(proposal)
    services.give_position(round_, people[0], Value.OBJECTION, "Non.")
    services.close_round(round_)
    (objection,) = services.raised_objections(proposal)
    services.amend(proposal, "Autre texte.", people[0], [objection])
    with pytest.raises(DomainError):
        services.open_round(proposal, RoundKind.FALLBACK)


def test_postpone_and_withdraw_decide_nothing() -> None:
    proposal, _ = open_proposal(members=1)
    services.postpone(proposal)
    assert proposal.outcome is Outcome.POSTPONED
    assert db.session.scalar(select(Decision)) is None
    with pytest.raises(DomainError):
        services.open_round(proposal)


def _adopt_another(proposal, people, title: str) -> Decision:  # type: ignore[no-untyped-def]
    """A further proposal in the same meeting, adopted at once."""
    from governance.sessions.models import ItemKind
    from governance.votes.models import DecisionKind
    from tests import factories

    meeting = proposal.item.meeting
    item = factories.item(meeting, kind=ItemKind.DECISION, title=title)
    other = services.attach_proposal(item, title, "Texte.", None, DecisionKind.GENERAL)
    round_ = services.open_round(other)
    for person in people:
        services.give_position(round_, person, Value.CONSENT)
    services.close_round(round_)
    return db.session.scalar(select(Decision).where(Decision.proposal_id == other.id))


def test_references_follow_each_other_and_the_chain_verifies() -> None:
    proposal, people = open_proposal(members=2)
    first, second, third = (_adopt_another(proposal, people, f"Décision {n}") for n in range(3))
    code = proposal.item.meeting.group.code
    assert [d.reference for d in (first, second, third)] == [
        f"{code}-2026-001",
        f"{code}-2026-002",
        f"{code}-2026-003",
    ]
    other_group, other_people = open_proposal(members=1)
    elsewhere = _adopt_another(other_group, other_people, "Ailleurs")
    assert elsewhere.reference.endswith("-2026-001")  # each group counts its own
    assert second.previous_hash == first.hash and elsewhere.previous_hash == third.hash
    check = register.verify()
    assert check.broken is None and check.count == 4 and check.head == elsewhere.hash


def test_a_decision_cannot_be_edited_and_tampering_is_found() -> None:
    for _ in range(2):
        proposal, people = open_proposal(members=1)
        round_ = services.open_round(proposal)
        services.give_position(round_, people[0], Value.CONSENT)
        services.close_round(round_)
    first = db.session.scalar(select(Decision).order_by(Decision.id))
    with pytest.raises(Exception, match="never edited"), db.session.begin_nested():
        db.session.execute(
            text("UPDATE decision SET text = 'autre' WHERE id = :id"), {"id": first.id}
        )
    # Someone with the database file in hand removes the guard and edits the text.
    on = " ON decision" if db.session.connection().dialect.name == "postgresql" else ""
    db.session.execute(text(f"DROP TRIGGER decision_never_updated{on}"))
    db.session.execute(
        text("UPDATE decision SET text = 'falsifié' WHERE id = :id"), {"id": first.id}
    )
    db.session.expire_all()
    assert register.verify().broken == first.reference


def test_meeting_must_be_open_for_rounds() -> None:
    proposal, _ = open_proposal(members=1)
    proposal.item.meeting.status = meetings.MeetingStatus.CLOSED
    with pytest.raises(DomainError):
        services.open_round(proposal)
