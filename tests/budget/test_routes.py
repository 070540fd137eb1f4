"""Budget pages: enrolment with bad input, CSV import report, the simulator and its CSV."""

from __future__ import annotations

import io

from sqlalchemy import func, select

from governance.budget import rules, services
from governance.budget.models import Household
from governance.extensions import db
from governance.people.models import Role
from tests import factories


def test_enrol_a_household_and_refuse_bad_input(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.TREASURER))
    bad = client.post_form(
        "/budget/foyers/nouveau",
        {
            "adults": "0",
            "teens": "deux",
            "children": "1",
            "income_bracket": "42",
            "contribution": "dix",
            "starts_on": "hier",
            "status": "parti",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "deux" in html and "dix" in html and "hier" in html
    ok = client.post_form(
        "/budget/foyers/nouveau",
        {
            "adults": "2",
            "teens": "0",
            "children": "2",
            "income_bracket": "2",
            "contribution": "12.50",
            "starts_on": "2026-01-01",
            "status": "active",
        },
    )
    assert ok.status_code == 302
    household = db.session.scalar(select(Household))
    assert household.contribution_cents == 1250


def test_import_report_comes_back_with_422(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.TREASURER))
    csv_text = (
        "reference,adults,teens,children,income_bracket,contribution,starts_on,status\n"
        "F-1,1,0,0,2,10,2026-01-01,active\nF-2,1,0,0,2,10,pas une date,active\n"
    )
    response = client.post(
        "/budget/foyers/import",
        data={
            "csrf_token": client.csrf_token(),
            "upload": (io.BytesIO(csv_text.encode()), "f.csv"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "3" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Household)) == 0


def test_simulator_compares_proposals_with_charts_and_csv(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.TREASURER))
    ids = []
    for key in ("lyon8", "montpellier"):
        preset = rules.PRESETS[key]
        ids.append(
            services.save_scale(
                None, preset["name"], preset["allocation"], preset["contribution"], None
            ).id
        )
    db.session.commit()
    query = "&".join(f"bareme={i}" for i in ids) + "&population=synthetic&households=1000"
    page = client.get(f"/budget/simulateur?{query}")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and html.count("<svg") >= 2 and "D10" in html
    csv_text = client.get(f"/budget/simulateur?{query}&format=csv").get_data(as_text=True)
    assert len(csv_text.strip().splitlines()) == 3 and "decile_10_net_eur" in csv_text
    bad = client.get(f"/budget/simulateur?{query.replace('households=1000', 'households=-5')}")
    assert bad.status_code == 422
    wrong_mix = client.get(f"/budget/simulateur?{query}&mix=50,50,50,0,0")
    assert wrong_mix.status_code == 422 and "50,50,50,0,0" in wrong_mix.get_data(as_text=True)
    skewed = client.get(f"/budget/simulateur?{query}&mix=100,0,0,0,0&incomes=100,0,0,0,0,0,0")
    assert skewed.status_code == 200


def test_members_cannot_see_households(client) -> None:  # type: ignore[no-untyped-def]
    """Members read the simulator (issue 18: the scales they decide on), never a household."""
    factories.login(client, factories.with_role(Role.MEMBER))
    assert client.get("/budget/foyers").status_code == 403
    assert client.get("/budget/baremes").status_code == 403
    page = client.get("/budget/simulateur")
    assert page.status_code == 200 and "/budget/baremes" not in page.get_data(as_text=True)
