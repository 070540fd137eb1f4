"""Forms added late, sent with bad input: 422, what was typed kept, nothing written."""

from __future__ import annotations

from sqlalchemy import func, select

from governance.budget import rules
from governance.budget import services as budget
from governance.budget.models import Scale, ScaleLink
from governance.conventionnement import services as conventionnement
from governance.conventionnement.models import PosKind, PosLink
from governance.extensions import db
from governance.people.models import Role
from governance.votes.models import ProposalVersion
from tests import factories
from tests.votes.helpers import open_proposal


def _count(model: type) -> int:
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_scale_rules_and_agenda(client) -> None:  # type: ignore[no-untyped-def]
    preset = rules.PRESETS["lyon8"]
    scale = budget.save_scale(None, "Lyon", preset["allocation"], preset["contribution"], None)
    # a facilitator of the citizen committee: the scale's agenda is theirs
    facilitator = factories.with_role(Role.FACILITATOR)
    factories.meeting(facilitator.memberships[0].group)
    db.session.commit()
    factories.login(client, facilitator)
    url = f"/budget/baremes/{scale.id}"
    broken = client.post_form(
        url, {"name": "Lyon", "allocation": "{pas du json", "contribution": "{}"}
    )
    assert broken.status_code == 422 and "{pas du json" in broken.get_data(as_text=True)
    unknown = client.post_form(
        url,
        {"name": "Lyon", "allocation": '{"kind": "magique"}', "contribution": '{"kind": "tiers"}'},
    )
    assert unknown.status_code == 422 and "magique" in unknown.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Scale, scale.id).allocation == preset["allocation"]
    agenda = client.post_form(
        f"{url}/ordre-du-jour", {"meeting_id": "999999", "effective_month": "janvier"}
    )
    assert agenda.status_code == 422 and "janvier" in agenda.get_data(as_text=True)
    assert _count(ScaleLink) == 0


def test_point_of_sale_agenda(client) -> None:  # type: ignore[no-untyped-def]
    facilitator = factories.with_role(Role.FACILITATOR)
    pos = conventionnement.propose(
        facilitator.memberships[0].group, facilitator, "Épicerie", PosKind.GROCERY, why="Prix"
    )
    meeting = factories.meeting(pos.group)
    db.session.commit()
    factories.login(client, facilitator)
    url = f"/conventionnement/{pos.id}/ordre-du-jour"
    assert client.post_form(url, {"meeting_id": "999999", "action": "approve"}).status_code == 422
    assert client.post_form(url, {"meeting_id": meeting.id, "action": "fermer"}).status_code == 422
    ended = client.post_form(url, {"meeting_id": meeting.id, "action": "end"})
    assert ended.status_code == 422  # not approved: nothing to end
    assert _count(PosLink) == 0


def test_amendment_and_notes(app) -> None:  # type: ignore[no-untyped-def]
    proposal, people = open_proposal(members=1)
    proposal_id, text = proposal.id, proposal.current_version.text
    db.session.commit()
    client = app.test_client()
    factories.login(client, people[0])
    url = f"/propositions/{proposal_id}/amender"
    same = client.post_form(url, {"text": text})
    assert same.status_code == 422 and text in same.get_data(as_text=True)
    empty = client.post_form(url, {"text": ""})
    assert empty.status_code == 422
    notes = client.post_form(f"/propositions/{proposal_id}/notes", {"notes": "n" * 20001})
    assert notes.status_code == 422 and "n" * 100 in notes.get_data(as_text=True)
    assert _count(ProposalVersion) == 1
