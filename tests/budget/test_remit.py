"""The contribution scale belongs to the citizen committee: the security review's scenario,
where a local facilitator put the caisse's scale in force from her local meeting, refused at
each step; and the decision signal acts only on decisions of the right group, with quorum."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from governance.budget import rules, services
from governance.budget.models import ScaleLink, ScaleStatus
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import GroupKind, Role
from governance.sessions.models import ItemKind, MeetingStatus
from governance.votes.models import DecisionKind
from tests import factories
from tests.votes.helpers import adopt, group_of


def _group(kind: GroupKind, size: int) -> tuple[Any, list[Any]]:
    return group_of(kind, size)


def _adopt(meeting: Any, item: Any, present: list[Any]) -> None:
    adopt(meeting, item, present, DecisionKind.CONTRIBUTION_SCALE)


def _in_force(scale: Any) -> bool:
    db.session.refresh(scale)
    return scale.status is ScaleStatus.ACTIVE


def test_a_local_facilitator_cannot_change_the_caisse_scale(client) -> None:  # type: ignore[no-untyped-def]
    committee, _citizens = _group(GroupKind.COMMITTEE, 3)
    calim, locals_ = _group(GroupKind.LOCAL_COMMITTEE, 30)
    facilitator = locals_[0]
    factories.membership(facilitator, calim, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    theirs = factories.meeting(committee, title="Comité citoyen de décembre")
    mine = factories.meeting(calim, title="CALIM 8 décembre", status=MeetingStatus.OPEN)
    factories.login(client, facilitator)

    # She may draft a scale (drafting decides nothing)…
    created = client.post_form("/budget/baremes", {"name": "Moins cher", "preset": "lyon8"})
    assert created.status_code == 302
    scale_id = int(re.search(r"/baremes/(\d+)", created.headers["Location"]).group(1))
    # …but the agenda form offers her no meeting at all: neither the committee's nor hers.
    page = client.get(f"/budget/baremes/{scale_id}").get_data(as_text=True)
    assert "CALIM 8 décembre" not in page and "Comité citoyen" not in page
    assert "ordre-du-jour" not in page
    # Posting her local meeting, or the committee's, is refused: it is not her remit.
    for meeting in (mine, theirs):
        refused = client.post_form(
            f"/budget/baremes/{scale_id}/ordre-du-jour",
            {"meeting_id": meeting.id, "effective_month": "2026-12-01"},
        )
        assert refused.status_code == 403
    # The service itself refuses a meeting of any group but the citizen committee.
    scale = db.session.get(services.Scale, scale_id)
    with pytest.raises(DomainError):
        services.put_on_agenda(scale, mine, date(2026, 12, 1))
    # Linked by hand to her local meeting, with 1 present of 30: no round opens without
    # quorum; and were her group's rule to decide without quorum, the scale is not its remit.
    item = factories.item(mine, kind=ItemKind.CONTRIBUTION_SCALE)
    db.session.add(ScaleLink(item_id=item.id, scale_id=scale.id, effective_month=date(2026, 12, 1)))
    db.session.flush()
    with pytest.raises(DomainError):
        _adopt(mine, item, [facilitator])
    calim.decide_without_quorum = True
    _adopt(mine, item, [facilitator])
    assert not _in_force(scale)
    assert services.active_scale(date(2026, 12, 1)) is None


def test_the_committee_without_quorum_puts_no_scale_in_force() -> None:
    committee, citizens = _group(GroupKind.COMMITTEE, 10)
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    lyon = rules.PRESETS["lyon8"]
    scale = services.save_scale(None, "Lyon", lyon["allocation"], lyon["contribution"], None)
    item = services.put_on_agenda(scale, meeting, date(2027, 1, 1))
    with pytest.raises(DomainError):  # 2 present of 10, quorum 50 %: no round opens
        _adopt(meeting, item, citizens[:2])
    assert not _in_force(scale)
    # A rule that lets the committee decide without quorum records the decision, but an
    # effect on the whole caisse needs the quorum met.
    committee.decide_without_quorum = True
    _adopt(meeting, item, [])
    assert not _in_force(scale)


def test_the_committee_with_quorum_puts_its_scale_in_force() -> None:
    committee, citizens = _group(GroupKind.COMMITTEE, 4)
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    lyon = rules.PRESETS["lyon8"]
    scale = services.save_scale(None, "Lyon", lyon["allocation"], lyon["contribution"], None)
    item = services.put_on_agenda(scale, meeting, date(2027, 1, 1))
    _adopt(meeting, item, citizens)
    assert _in_force(scale)


def test_the_committee_facilitator_is_offered_only_committee_meetings(client) -> None:  # type: ignore[no-untyped-def]
    committee, citizens = _group(GroupKind.COMMITTEE, 2)
    calim, _locals = _group(GroupKind.LOCAL_COMMITTEE, 2)
    facilitator = citizens[0]
    factories.membership(facilitator, committee, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    factories.membership(facilitator, calim, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    factories.meeting(committee, title="Comité citoyen de décembre")
    factories.meeting(calim, title="CALIM 8 décembre")
    factories.login(client, facilitator)
    created = client.post_form("/budget/baremes", {"name": "Essai", "preset": "lyon8"})
    page = client.get(created.headers["Location"]).get_data(as_text=True)
    assert "Comité citoyen de décembre" in page and "CALIM 8 décembre" not in page


def test_a_local_committee_decision_with_quorum_puts_no_scale_in_force() -> None:
    calim, locals_ = _group(GroupKind.LOCAL_COMMITTEE, 2)
    meeting = factories.meeting(calim, status=MeetingStatus.OPEN)
    lyon = rules.PRESETS["lyon8"]
    scale = services.save_scale(None, "Lyon", lyon["allocation"], lyon["contribution"], None)
    item = factories.item(meeting, kind=ItemKind.CONTRIBUTION_SCALE)
    db.session.add(ScaleLink(item_id=item.id, scale_id=scale.id, effective_month=date(2027, 1, 1)))
    db.session.flush()
    _adopt(meeting, item, locals_)  # everyone present: the quorum is there, the remit is not
    assert not _in_force(scale)
