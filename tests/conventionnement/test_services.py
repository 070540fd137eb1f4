"""Proposing, visiting in binôme, answering (idempotently), submitting, and the decision."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from governance.conventionnement import services
from governance.conventionnement.models import (
    Answer,
    FormKind,
    LinkAction,
    PosKind,
    PosLink,
    PosStatus,
)
from governance.errors import DomainError, Forbidden
from governance.extensions import db
from governance.people.models import GroupKind
from governance.sessions.models import ItemKind, MeetingStatus
from governance.votes import services as votes
from governance.votes.models import Outcome, Value
from tests import factories


@pytest.fixture
def committee():  # type: ignore[no-untyped-def]
    services.ensure_defaults()
    group = factories.group(kind=GroupKind.COMMITTEE)
    members = [factories.person() for _ in range(3)]
    for person in members:
        factories.membership(person, group, starts_on=date(2025, 1, 1))
    return group, members


def _answer_all(visit, people) -> None:  # type: ignore[no-untyped-def]
    for section in visit.questionnaire.definition["sections"]:
        for question in section["questions"]:
            value = question["choices"][0]["value"] if question["type"] == "choice" else "Note"
            if question["code"] == "chain":
                value = "no"
            services.record_answer(
                visit, people[0], question["code"], value, f"k-{question['code']}"
            )


def test_a_binome_needs_a_committee_member(committee) -> None:  # type: ignore[no-untyped-def]
    group, members = committee
    pos = services.propose(group, members[0], "Ferme", PosKind.PRODUCER, why="Locale")
    outsiders = [factories.person(), factories.person()]
    with pytest.raises(DomainError):
        services.assign_visit(pos, outsiders, date(2026, 12, 1), members[0])
    with pytest.raises(DomainError):
        services.assign_visit(pos, [members[0]], date(2026, 12, 1), members[0])
    with pytest.raises(DomainError):
        services.assign_visit(pos, [members[0]] * 2, date(2026, 12, 1), members[0])
    visit = services.assign_visit(pos, [members[0], outsiders[0]], date(2026, 12, 1), members[0])
    assert visit.questionnaire.kind is FormKind.PRODUCER and pos.status is PosStatus.VISITING


def test_answers_are_idempotent_and_never_overwritten_by_older_ones(committee) -> None:  # type: ignore[no-untyped-def]
    group, members = committee
    pos = services.propose(group, members[0], "Épicerie", PosKind.GROCERY, why="Prix bas")
    visit = services.assign_visit(pos, members[:2], date(2026, 12, 1), members[0])
    services.record_answer(visit, members[0], "local", "half", "key-1", at_ms=1000)
    services.record_answer(visit, members[0], "local", "half", "key-1", at_ms=1000)  # replay
    services.record_answer(visit, members[1], "local", "most", "key-2", at_ms=3000)
    services.record_answer(visit, members[0], "local", "none", "key-3", at_ms=2000)  # late
    (answer,) = db.session.scalars(select(Answer)).all()
    assert (answer.value, answer.answered_by_id) == ("most", members[1].id)
    with pytest.raises(DomainError):
        services.record_answer(visit, members[0], "local", "beaucoup", "key-4")
    with pytest.raises(DomainError):
        services.record_answer(visit, members[0], "pas_une_question", "x", "key-5")
    with pytest.raises(Forbidden):
        services.record_answer(visit, members[2], "local", "none", "key-6")


def test_submit_scores_and_puts_the_report_on_the_next_agenda(committee) -> None:  # type: ignore[no-untyped-def]
    group, members = committee
    upcoming = factories.meeting(
        group, starts_at=datetime.now(UTC) + timedelta(days=10), status=MeetingStatus.CONVENED
    )
    pos = services.propose(group, members[0], "Biocoop", PosKind.SHOP, why="Bio")
    visit = services.assign_visit(pos, members[:2], date(2026, 12, 1), members[0])
    with pytest.raises(DomainError):  # required answers missing
        services.submit(visit, members[0], "favourable", "")
    _answer_all(visit, members)
    result = services.submit(visit, members[1], "favourable", "Très bien")
    assert result.total == visit.score["total"] and pos.status is PosStatus.REPORTED
    db.session.refresh(upcoming)
    assert upcoming.items[-1].kind is ItemKind.CONVENTIONNEMENT
    assert "Biocoop" in upcoming.items[-1].title
    with pytest.raises(DomainError):
        services.submit(visit, members[1], "favourable", "")


def test_scores_stay_tied_to_the_version_answered(committee) -> None:  # type: ignore[no-untyped-def]
    group, members = committee
    pos = services.propose(group, members[0], "Boulangerie", PosKind.BAKERY, why="Levain")
    visit = services.assign_visit(pos, members[:2], date(2026, 12, 1), members[0])
    grid = dict(services.current(services.GRID, FormKind.SHOP).definition)
    grid["bands"] = {"favourable": 99, "to_discuss": 98}
    newer = services.publish(services.GRID, FormKind.SHOP, grid, members[0])
    assert newer.number == 2 and visit.grid.number == 1
    _answer_all(visit, members)
    result = services.submit(visit, members[0], "favourable", "", schedule=False)
    assert result.band.value == "favourable"  # scored with version 1's thresholds


def test_invalid_versions_are_refused(committee) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):
        services.publish(services.QUESTIONNAIRE, FormKind.SHOP, {"sections": []}, None)
    with pytest.raises(DomainError):
        services.publish(services.GRID, FormKind.SHOP, {"criteria": [], "bands": {}}, None)


def test_an_adopted_decision_approves_and_a_later_one_ends(committee) -> None:  # type: ignore[no-untyped-def]
    group, members = committee
    meeting = factories.meeting(group, status=MeetingStatus.OPEN)
    from governance.sessions import services as meetings
    from governance.sessions.models import AttendanceStatus

    for person in members:
        meetings.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)
    pos = services.propose(group, members[0], "Marché", PosKind.MARKET, why="Local")
    visit = services.assign_visit(pos, members[:2], date(2026, 12, 1), members[0])
    _answer_all(visit, members)
    services.submit(visit, members[0], "favourable", "", schedule=False)

    def decide(action: LinkAction) -> None:
        item = services.put_on_agenda(pos, action, meeting, visit)
        meeting.current_item_id = item.id
        proposal = votes.attach_proposal(
            item,
            item.title,
            "Texte",
            None,
            votes.DecisionKind.CONVENTIONNEMENT,
            review_on=date(2028, 6, 1),
        )
        round_ = votes.open_round(proposal)
        for person in members:
            votes.give_position(round_, person, Value.CONSENT)
        assert votes.close_round(round_) is Outcome.ADOPTED

    with pytest.raises(DomainError):  # not approved yet: nothing to end
        services.put_on_agenda(pos, LinkAction.END, meeting)
    decide(LinkAction.APPROVE)
    assert pos.status is PosStatus.APPROVED and pos.review_on == date(2028, 6, 1)
    decide(LinkAction.END)
    assert pos.status is PosStatus.ENDED
    assert [e.what for e in pos.events][-1] == "decision_end_adopted"
    assert db.session.scalar(select(func.count()).select_from(PosLink)) == 2
