"""Territories over HTTP: the admin's page, proposing to a committee, a facilitator of another
committee refused, and the pages that read per territory."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from governance.budget import services as budget
from governance.budget.models import Household
from governance.conventionnement import services, territories
from governance.conventionnement.models import PointOfSale, PosKind, PosStatus
from governance.extensions import db
from governance.people.models import GroupKind, Role, Territory
from tests import factories
from tests.conventionnement.test_territories import _caisse


def _client(app: Any, who: Any) -> Any:
    client = app.test_client()
    factories.login(client, who)
    return client


def test_an_admin_sets_up_a_territory_and_others_may_not(app: Any) -> None:
    c = _caisse()
    admin = factories.person()
    factories.membership(admin, c["committee"], Role.ADMIN)
    pos = services.propose(c["committee"], c["citizens"][1], "Marché", PosKind.MARKET, why="x")
    pos_id, calim_id = pos.id, c["calim"].id
    facilitator = c["citizens"][0]
    db.session.commit()
    assert _client(app, facilitator).get("/conventionnement/territoires").status_code == 403
    client = _client(app, admin)
    page = client.get("/conventionnement/territoires").get_data(as_text=True)
    assert "Lyon 8e" in page and "Montpellier" in page
    bad = client.post_form(
        "/conventionnement/territoires", {"name": "Lyon 8e", "group_id": 0, "places": [pos_id]}
    )
    assert bad.status_code == 422 and "Lyon 8e" in bad.get_data(as_text=True)
    taken = client.post_form(
        "/conventionnement/territoires", {"name": "Saint-Fons", "group_id": calim_id}
    )
    assert taken.status_code == 422 and 'value="Saint-Fons"' in taken.get_data(as_text=True)
    made = client.post_form(
        "/conventionnement/territoires", {"name": "Saint-Fons", "group_id": 0, "places": [pos_id]}
    )
    assert made.status_code == 302
    saint_fons = db.session.scalar(select(Territory).where(Territory.name == "Saint-Fons"))
    assert saint_fons is not None and saint_fons.group_id is None
    listed = territories.place(db.session.get_one(PointOfSale, pos_id), saint_fons)
    assert listed is not None
    edit = f"/conventionnement/territoires/{saint_fons.id}"
    assert client.get(edit).status_code == 200
    assert client.post_form(edit, {"name": "Saint-Fons centre", "group_id": 0}).status_code == 302
    assert client.get("/conventionnement/territoires/9999").status_code == 404


def test_a_member_proposes_to_their_committee(app: Any) -> None:
    c = _caisse()
    member, calim_id = c["locals"][1], c["calim"].id
    db.session.commit()
    client = _client(app, member)
    form = client.get("/conventionnement/proposer").get_data(as_text=True)
    assert "Quel comité décide" in form or "Which committee decides" in form
    assert f'<option selected value="{calim_id}">' in form
    bad = client.post_form(
        "/conventionnement/proposer",
        {"group_id": 999999, "name": "Boucherie", "kind": "butcher", "why": "Halal"},
    )
    assert bad.status_code == 422 and 'value="Boucherie"' in bad.get_data(as_text=True)
    ok = client.post_form(
        "/conventionnement/proposer",
        {
            "group_id": calim_id,
            "name": "Boucherie",
            "kind": "butcher",
            "why": "Halal",
            "opening_days": [2, 6],
        },
    )
    assert ok.status_code == 302
    pos = db.session.scalar(select(PointOfSale).where(PointOfSale.name == "Boucherie"))
    assert pos is not None and pos.group_id == calim_id and pos.weekdays == [2, 6]


def test_a_single_committee_proposes_without_a_choice(client: Any) -> None:
    services.ensure_defaults()
    committee = factories.group(kind=GroupKind.COMMITTEE)
    factories.login(client, factories.person())
    form = client.get("/conventionnement/proposer").get_data(as_text=True)
    assert 'name="group_id"' not in form
    ok = client.post_form(
        "/conventionnement/proposer", {"name": "AMAP", "kind": "amap", "why": "Paniers"}
    )
    assert ok.status_code == 302
    pos = db.session.scalar(select(PointOfSale).where(PointOfSale.name == "AMAP"))
    assert pos is not None and pos.group_id == committee.id and pos.places == []


def test_a_facilitator_of_another_committee_is_refused(app: Any) -> None:
    c = _caisse()
    pos = services.propose(c["calim"], c["locals"][1], "Ferme", PosKind.PRODUCER, why="x")
    pos_id = pos.id
    people = [p.id for p in c["locals"][1:3]]
    session = factories.meeting(c["calim"])
    session_id = session.id
    db.session.commit()
    other = _client(app, c["citizens"][0])  # facilitator of the citizen committee
    data = {"people": people, "visit_on": "2026-12-01"}
    assert other.post_form(f"/conventionnement/{pos_id}/binome", data).status_code == 403
    agenda = {"meeting_id": session_id, "action": "approve"}
    assert other.post_form(f"/conventionnement/{pos_id}/ordre-du-jour", agenda).status_code == 403
    page = other.get(f"/conventionnement/{pos_id}").get_data(as_text=True)
    assert "Choisir un binôme" not in page and "Choose a binôme" not in page
    mine = _client(app, c["locals"][0])  # CALIM 8's facilitator
    assert mine.post_form(f"/conventionnement/{pos_id}/binome", data).status_code == 302
    assert mine.post_form(f"/conventionnement/{pos_id}/ordre-du-jour", agenda).status_code == 302
    db.session.expire_all()
    assert db.session.get_one(PointOfSale, pos_id).status is PosStatus.VISITING


def test_directory_households_and_reports_per_territory(app: Any, client: Any) -> None:
    c = _caisse()
    pos = services.propose(c["calim"], c["locals"][1], "Biocoop", PosKind.SHOP, why="x")
    pos.address, pos.opening_days = "45 avenue Mermoz", "1,6"
    territories.step(pos, c["calim"].id, PosStatus.APPROVED)
    territories.place(pos, c["lyon"]).decision_reference = "CALIM8-2026-001"
    lyon_id, main_id = c["lyon"].id, c["main"].id
    household = budget.save_household(
        None,
        adults=1,
        teens=0,
        children=0,
        income_bracket=1,
        contribution_cents=1000,
        starts_on=date(2026, 1, 1),
        territory_id=lyon_id,
    )
    reference = household.reference
    treasurer = factories.person()
    factories.membership(treasurer, c["committee"], Role.TREASURER)
    db.session.commit()
    lyon = client.get(f"/points-de-vente?territory={lyon_id}").get_data(as_text=True)
    assert "Biocoop" in lyon and "45 avenue Mermoz" in lyon and "CALIM8-2026-001" in lyon
    assert "lundi, samedi" in lyon or "Monday, Saturday" in lyon
    assert "Biocoop" not in client.get(f"/points-de-vente?territory={main_id}").get_data(
        as_text=True
    )
    assert client.get("/points-de-vente?territory=nope").status_code == 422
    assert client.get(f"/chiffres?territoire={lyon_id}").status_code == 200
    books = _client(app, treasurer)
    mine = books.get(f"/budget/foyers?territoire={lyon_id}").get_data(as_text=True)
    assert reference in mine
    assert reference not in books.get(f"/budget/foyers?territoire={main_id}").get_data(as_text=True)
    listed = books.get(f"/conventionnement/?territoire={lyon_id}").get_data(as_text=True)
    assert "Biocoop" in listed and "Toute la caisse" in listed
    assert "Biocoop" not in books.get(f"/conventionnement/?territoire={main_id}").get_data(
        as_text=True
    )
    for report in ("part-des-cotisations", "achats"):
        page = books.get(f"/budget/comptes/rapports/{report}?territoire={lyon_id}")
        assert page.status_code == 200 and "Lyon 8e" in page.get_data(as_text=True)
    assert db.session.scalar(select(Household.territory_id).where(Household.reference == reference))


def test_the_api_reads_per_territory(client: Any) -> None:
    c = _caisse()
    pos = services.propose(c["calim"], c["locals"][1], "Biocoop", PosKind.SHOP, why="x")
    pos.opening_days = "3,6"
    territories.step(pos, c["calim"].id, PosStatus.APPROVED)
    lyon_id, main_id = c["lyon"].id, c["main"].id
    db.session.commit()
    lyon = client.get(f"/api/points-de-vente?territory={lyon_id}").get_json()
    assert [p["name"] for p in lyon["points"]] == ["Biocoop"]
    assert lyon["points"][0]["opening_days"] == [3, 6]
    assert client.get(f"/api/points-de-vente?territory={main_id}").get_json()["count"] == 0
    assert client.get("/api/points-de-vente?territory=nope").status_code == 422
    for unknown in ("99999999999999999999999", "0"):
        assert client.get(f"/api/points-de-vente?territory={unknown}").status_code == 404
    assert client.get("/points-de-vente?territory=99999999999999999999").status_code == 422
    assert client.get("/conventionnement/?territoire=99999999999999999999").status_code in (
        200,
        302,
    )


def test_the_territories_page_costs_the_same_whatever_their_number(app: Any, queries: Any) -> None:
    admin = factories.with_role(Role.ADMIN)
    client = _client(app, admin)
    counts = []
    for extra in (1, 4):
        for n in range(extra):
            committee = factories.group(kind=GroupKind.LOCAL_COMMITTEE)
            pos = services.propose(committee, admin, f"Lieu {extra}-{n}", PosKind.SHOP, why="x")
            territories.save_territory(None, f"Territoire {extra}-{n}", committee, [pos.id])
        db.session.commit()
        queries.statements.clear()
        page = client.get("/conventionnement/territoires")
        assert page.status_code == 200
        assert f"Territoire {extra}-{extra - 1}" in page.get_data(as_text=True)
        counts.append(queries.count)
    assert counts[0] == counts[1], counts
