"""Territories: each local committee runs its own conventionnement (proposal, binôme of its
members, its next session, consent), a place is approved per territory, and the directory,
households and reports read per territory."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from governance.conventionnement import queries, services, territories
from governance.conventionnement.models import LinkAction, PosKind, PosLink, PosStatus
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import GroupKind, Role
from governance.public import queries as public
from governance.sessions.models import ItemKind, MeetingStatus
from governance.votes.models import DecisionKind
from tests import factories
from tests.votes.helpers import adopt, group_of

ON = date(2026, 12, 1)


def _caisse() -> dict[str, Any]:
    """The citizen committee with its territory, CALIM 8 with Lyon 8e, a facilitator each."""
    services.ensure_defaults()
    committee, citizens = group_of(GroupKind.COMMITTEE, 4)
    calim, locals_ = group_of(GroupKind.LOCAL_COMMITTEE, 4)
    main = territories.save_territory(None, "Montpellier", committee, [])
    lyon = territories.save_territory(None, "Lyon 8e", calim, [])
    for person, group in ((citizens[0], committee), (locals_[0], calim)):
        factories.membership(person, group, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    return {
        "committee": committee,
        "citizens": citizens,
        "calim": calim,
        "locals": locals_,
        "main": main,
        "lyon": lyon,
    }


def _next_session(group: Any) -> Any:
    return factories.meeting(
        group,
        status=MeetingStatus.CONVENED,
        starts_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=7),
    )


def _approve(meeting: Any, item: Any, present: list[Any]) -> None:
    meeting.status = MeetingStatus.OPEN
    meeting.starts_at = datetime.now(UTC).replace(microsecond=0)
    adopt(meeting, item, present, DecisionKind.CONVENTIONNEMENT)


def _fill_and_send(visit: Any, person: Any) -> None:
    for section in visit.questionnaire.definition["sections"]:
        for question in section["questions"]:
            value = question["choices"][0]["value"] if question["type"] == "choice" else "Note"
            services.record_answer(visit, person, question["code"], value, f"k-{question['code']}")
    services.submit(visit, person, "favourable", "")


def test_the_lyon_procedure_by_calim_alone() -> None:
    c = _caisse()
    calim, locals_ = c["calim"], c["locals"]
    main_session, calim_session = _next_session(c["committee"]), _next_session(calim)
    pos = services.propose(calim, locals_[1], "Boucherie halal", PosKind.BUTCHER, why="x")
    assert pos.group is calim and territories.place(pos, c["lyon"]).status is PosStatus.PROPOSED
    # Members of the citizen committee alone are not a CALIM 8 binôme.
    with pytest.raises(DomainError):
        services.assign_visit(pos, c["citizens"][1:3], ON, locals_[0])
    visit = services.assign_visit(pos, [locals_[1], c["citizens"][1]], ON, locals_[0])
    assert visit.group is calim
    _fill_and_send(visit, locals_[1])
    link = db.session.get(PosLink, visit.agenda_item_id)
    assert link is not None and link.item_id in {i.id for i in calim_session.items}
    assert main_session.items == []
    _approve(calim_session, db.session.get_one(type(calim_session.items[0]), link.item_id), locals_)
    db.session.refresh(pos)
    place = territories.place(pos, c["lyon"])
    assert pos.status is PosStatus.APPROVED and place.status is PosStatus.APPROVED
    assert place.decision_reference and place.decision_reference.startswith(calim.code)
    # Lyon 8e's directory has it, the citizen committee's territory does not.
    assert [p.name for p in public.approved_points(territory_id=c["lyon"].id)] == [pos.name]
    assert public.approved_points(territory_id=c["main"].id) == []
    assert queries.points_of_sale(territory_id=c["main"].id) == []


def test_a_place_is_approved_in_a_second_territory_by_its_committee() -> None:
    c = _caisse()
    committee, calim, locals_ = c["committee"], c["calim"], c["locals"]
    pos = services.propose(committee, c["citizens"][1], "Biocoop", PosKind.SHOP, why="x")
    # Not listed in Lyon 8e: CALIM 8 neither visits it nor decides on it.
    assert territories.running_groups(locals_[0], pos) == []
    with pytest.raises(DomainError):
        services.assign_visit(pos, locals_[1:3], ON, locals_[0], group=calim)
    territories.save_territory(c["lyon"], "Lyon 8e", calim, [pos.id])
    assert territories.running_groups(locals_[0], pos) == [calim]
    assert territories.running_groups(c["citizens"][0], pos) == [committee]
    visit = services.assign_visit(pos, locals_[1:3], ON, locals_[0], group=calim)
    assert pos.status is PosStatus.PROPOSED  # the citizen committee's own flow is untouched
    assert territories.place(pos, c["lyon"]).status is PosStatus.VISITING
    session = _next_session(calim)
    _fill_and_send(visit, locals_[1])
    item = session.items[0]
    _approve(session, item, locals_)
    db.session.refresh(pos)
    assert territories.place(pos, c["lyon"]).status is PosStatus.APPROVED
    assert territories.place(pos, c["main"]).status is PosStatus.PROPOSED
    assert pos.status is PosStatus.PROPOSED
    # Approved somewhere: in the whole caisse's directory, and in Lyon 8e's only.
    assert [p.name for p in public.approved_points()] == ["Biocoop"]
    assert public.key_figures().approved_points_of_sale == 1
    assert public.approved_points(territory_id=c["main"].id) == []


def test_another_committee_decision_never_approves() -> None:
    c = _caisse()
    pos = services.propose(c["calim"], c["locals"][1], "Ferme", PosKind.PRODUCER, why="x")
    meeting = _next_session(c["committee"])
    with pytest.raises(DomainError):
        services.put_on_agenda(pos, LinkAction.APPROVE, meeting)
    item = factories.item(meeting, kind=ItemKind.CONVENTIONNEMENT)
    db.session.add(PosLink(item_id=item.id, pos_id=pos.id, action=LinkAction.APPROVE))
    db.session.flush()
    _approve(meeting, item, c["citizens"])
    db.session.refresh(pos)
    assert pos.status is PosStatus.PROPOSED
    assert territories.place(pos, c["main"]) is None


def test_an_admin_sets_up_territories() -> None:
    c = _caisse()
    with pytest.raises(DomainError):
        territories.save_territory(None, "lyon 8E", None, [])  # the name is taken
    with pytest.raises(DomainError):
        territories.save_territory(None, "Saint-Fons", c["calim"], [])  # CALIM 8 has its own
    assert territories.several()
    approved = services.propose(c["committee"], c["citizens"][1], "Marché", PosKind.MARKET, why="x")
    approved.status, approved.approved_since = PosStatus.APPROVED, date(2026, 1, 5)
    saint_fons = territories.save_territory(None, "Saint-Fons", None, [approved.id])
    assert territories.place(approved, saint_fons).status is PosStatus.APPROVED
    assert territories.place(approved, saint_fons).approved_since == date(2026, 1, 5)
    assert [e.what for e in approved.events][-1] == "listed"
    territories.save_territory(saint_fons, "Saint-Fons", None, [])
    assert territories.place(approved, saint_fons) is None


def test_a_single_committee_sees_no_territory() -> None:
    services.ensure_defaults()
    committee, people = group_of(GroupKind.COMMITTEE, 3)
    assert not territories.several()
    assert territories.deciding_groups() == [committee]
    pos = services.propose(committee, people[0], "Épicerie", PosKind.GROCERY, why="x")
    services.assign_visit(pos, people[:2], ON, people[0])
    assert pos.status is PosStatus.VISITING and pos.places == []


def test_the_proposer_default_is_their_own_committee() -> None:
    c = _caisse()
    groups = territories.deciding_groups()
    assert groups[0] is c["committee"]
    assert territories.proposer_default(c["locals"][1], groups) is c["calim"]
    assert territories.proposer_default(c["citizens"][1], groups) is c["committee"]
    assert territories.proposer_default(factories.person(), groups) is c["committee"]


def test_saving_a_territory_costs_the_same_whatever_its_places(queries: Any) -> None:
    """It runs in the write: its places are read in a fixed number of queries (each is still
    written, with its event), and an approved place brings its latest approval's decision."""
    from governance.conventionnement.models import PosEvent

    c = _caisse()
    counts = []
    for extra in (1, 4):
        places = [
            services.propose(c["committee"], c["citizens"][1], f"Lieu {extra}-{n}", PosKind.SHOP)
            for n in range(extra)
        ]
        for pos in places:
            pos.status, pos.approved_since = PosStatus.APPROVED, date(2026, 1, 5)
            for reference in ("CCA-2025-001", f"CCA-2026-{pos.id:03d}"):
                what = territories.APPROVAL_EVENT
                db.session.add(PosEvent(pos_id=pos.id, what=what, decision_reference=reference))
        db.session.flush()
        queries.statements.clear()
        made = territories.save_territory(None, f"Territoire {extra}", None, [p.id for p in places])
        counts.append(sum(q.startswith("SELECT") for q in queries.statements))
        for pos in places:
            assert territories.place(pos, made).decision_reference == f"CCA-2026-{pos.id:03d}"
    assert counts[0] == counts[1], counts
