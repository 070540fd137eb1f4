"""A point of sale is decided by the group that runs conventionnement, with its quorum."""

from __future__ import annotations

from typing import Any

import pytest

from governance.conventionnement import services
from governance.conventionnement.models import LinkAction, PosKind, PosLink, PosStatus
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import GroupKind
from governance.sessions.models import ItemKind, MeetingStatus
from governance.votes.models import DecisionKind
from tests import factories
from tests.votes.helpers import adopt, group_of


def _group(kind: GroupKind, size: int) -> tuple[Any, list[Any]]:
    return group_of(kind, size)


def _adopt(meeting: Any, item: Any, present: list[Any]) -> None:
    adopt(meeting, item, present, DecisionKind.CONVENTIONNEMENT)


def _point() -> tuple[Any, list[Any], Any]:
    committee, citizens = _group(GroupKind.COMMITTEE, 4)
    pos = services.propose(committee, citizens[0], "Ferme", PosKind.PRODUCER, why="x")
    return committee, citizens, pos


def test_only_the_owning_group_puts_a_point_on_its_agenda() -> None:
    _committee, _citizens, pos = _point()
    calim, _locals = _group(GroupKind.LOCAL_COMMITTEE, 2)
    with pytest.raises(DomainError):
        services.put_on_agenda(pos, LinkAction.APPROVE, factories.meeting(calim))


def test_another_group_decision_does_not_approve_a_point() -> None:
    _committee, _citizens, pos = _point()
    calim, locals_ = _group(GroupKind.LOCAL_COMMITTEE, 2)
    meeting = factories.meeting(calim, status=MeetingStatus.OPEN)
    item = factories.item(meeting, kind=ItemKind.CONVENTIONNEMENT)
    db.session.add(PosLink(item_id=item.id, pos_id=pos.id, action=LinkAction.APPROVE))
    db.session.flush()
    _adopt(meeting, item, locals_)
    db.session.refresh(pos)
    assert pos.status is not PosStatus.APPROVED


def test_the_owning_group_approves_only_with_its_quorum() -> None:
    committee, citizens, pos = _point()
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    item = services.put_on_agenda(pos, LinkAction.APPROVE, meeting)
    with pytest.raises(DomainError):  # 1 present of 4: no round opens without quorum
        _adopt(meeting, item, citizens[:1])
    # A group whose rule decides without quorum records the decision; the approval, an
    # effect on the whole caisse, still needs the quorum met.
    committee.decide_without_quorum = True
    _adopt(meeting, item, citizens[:1])
    db.session.refresh(pos)
    assert pos.status is not PosStatus.APPROVED
    second = factories.meeting(committee, status=MeetingStatus.OPEN)
    item = services.put_on_agenda(pos, LinkAction.APPROVE, second)
    _adopt(second, item, citizens)
    db.session.refresh(pos)
    assert pos.status is PosStatus.APPROVED
