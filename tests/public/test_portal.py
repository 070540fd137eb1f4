"""The home page, the approved points of sale, the JSON API, and what caches and a visitor's
browser get from public pages."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest

from governance.budget import services as budget
from governance.conventionnement.models import PosKind
from governance.sessions.models import MeetingStatus
from tests import factories
from tests.public.helpers import approved_point, decided

PUBLIC_PAGES = [
    "/",
    "/decisions",
    "/decisions?q=march%C3%A9",
    "/decisions/verifier",
    "/decisions.json",
    "/decisions.csv",
    "/decisions.atom",
    "/points-de-vente",
    "/points-de-vente.json",
    "/points-de-vente.csv",
    "/api",
    "/api/openapi.json",
    "/api/decisions",
    "/api/points-de-vente",
    "/api/registre",
    "/seances/comptes-rendus",
]


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_a_visitor_gets_no_cookie_and_a_cacheable_page(client, path: str) -> None:  # type: ignore[no-untyped-def]
    decided("Marché du samedi", "Le marché ouvre.")
    response = client.get(path)
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers, path
    assert "public" in response.headers["Cache-Control"]
    assert "Cookie" in response.headers["Vary"]
    etag = response.headers["ETag"]
    again = client.get(path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    if path.startswith(("/decisions", "/points-de-vente")):  # their data says when it changed
        since = response.headers["Last-Modified"]
        assert client.get(path, headers={"If-Modified-Since": since}).status_code == 304


def test_a_new_decision_changes_the_validators(client) -> None:  # type: ignore[no-untyped-def]
    decided("Marché du samedi", "Le marché ouvre.")
    first = client.get("/decisions")
    decided("Épicerie du Lez", "Conventionnée.")
    later = client.get("/decisions", headers={"If-None-Match": first.headers["ETag"]})
    assert later.status_code == 200 and "Épicerie du Lez" in later.get_data(as_text=True)


def test_a_member_s_page_is_private_to_their_browser(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.person())
    response = client.get("/decisions")
    assert "private" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]


def test_the_language_link_sets_only_the_language_cookie(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/decisions").get_data(as_text=True)
    assert 'href="/langue/en?next=/decisions"' in page and "csrf_token" not in page
    response = client.get("/langue/en?next=/decisions")
    assert response.status_code == 302 and response.headers["Location"] == "/decisions"
    cookies = response.headers.getlist("Set-Cookie")
    assert len(cookies) == 1 and cookies[0].startswith("lang=en;")
    english = client.get("/decisions")
    assert '<html lang="en">' in english.get_data(as_text=True)
    assert "Set-Cookie" not in english.headers
    assert client.get("/langue/xx").status_code == 404
    assert client.get("/langue/en?next=https://ailleurs.example/").headers["Location"] == "/"


def test_home_shows_meetings_decisions_and_counts(client) -> None:  # type: ignore[no-untyped-def]
    decision = decided("Marché du samedi", "Le marché ouvre.")
    soon = datetime.now(UTC) + timedelta(days=5)
    factories.meeting(
        decision.group, title="Séance de janvier", status=MeetingStatus.CONVENED, starts_at=soon
    )
    factories.meeting(decision.group, title="Séance en brouillon", starts_at=soon)
    budget.save_household(
        None,
        adults=1,
        teens=0,
        children=0,
        income_bracket=1,
        contribution_cents=500,
        starts_on=soon.date(),
    )
    page = client.get("/").get_data(as_text=True)
    assert "Séance de janvier" in page and "Séance en brouillon" not in page
    assert decision.reference in page
    assert "décision adoptée" in page and "foyer inscrit" in page


def test_home_reads_in_a_constant_number_of_queries(client, queries) -> None:  # type: ignore[no-untyped-def]
    decided("Décision 0", "Texte.")
    queries.statements.clear()
    client.get("/")
    few = queries.count
    for n in range(1, 4):
        decided(f"Décision {n}", "Texte.")
    queries.statements.clear()
    client.get("/")
    assert queries.count == few


def test_points_of_sale_by_kind_with_their_decision(client) -> None:  # type: ignore[no-untyped-def]
    pos, decision = approved_point("Boulangerie du Lez", PosKind.BAKERY, "Lez")
    approved_point("Ferme des Garrigues", PosKind.PRODUCER, "Arceaux")
    page = client.get("/points-de-vente").get_data(as_text=True)
    assert "Boulangerie du Lez" in page and "Ferme des Garrigues" in page
    assert f'href="/decisions/{decision.reference}"' in page
    assert "Proposante Secrète" not in page and "06 11 22 33 44" not in page
    only = client.get("/points-de-vente?kind=bakery&neighbourhood=Lez").get_data(as_text=True)
    assert "Boulangerie du Lez" in only and "Ferme des Garrigues" not in only
    bad = client.get("/points-de-vente?kind=garage")
    assert bad.status_code == 422
    assert "Choisissez une des valeurs de la liste." in bad.get_data(as_text=True)
    rows = list(
        csv.DictReader(io.StringIO(client.get("/points-de-vente.csv").get_data(as_text=True)))
    )
    bakery = next(r for r in rows if r["name"] == "Boulangerie du Lez")
    assert bakery["decision"] == decision.reference
    assert bakery["approved_since"] == pos.approved_since.isoformat()
    assert bakery["review_on"] == pos.review_on.isoformat()
    data = client.get("/points-de-vente.json").get_json()
    assert data["count"] == 2
    assert {p["kind"] for p in data["points"]} == {"bakery", "producer"}


def test_api_searches_and_explains_bad_parameters(client) -> None:  # type: ignore[no-untyped-def]
    decision = decided("Marché du samedi", "Le marché ouvre.")
    decided("Épicerie du Lez", "Conventionnée.")
    found = client.get("/api/decisions?q=marches&per_page=1").get_json()
    assert found["total"] == 1 and found["decisions"][0]["reference"] == decision.reference
    one = client.get(f"/api/decisions/{decision.reference}").get_json()
    assert one["hash"] == decision.hash and "positions" not in str(one)
    missing = client.get("/api/decisions/NOPE-1")
    assert missing.status_code == 404 and "error" in missing.get_json()
    bad = client.get("/api/decisions?year=abc&kind=x&per_page=1000")
    assert bad.status_code == 422
    assert set(bad.get_json()["errors"]) == {"year", "kind", "per_page"}
    chain = client.get("/api/registre").get_json()
    assert chain["intact"] is True and chain["count"] == 2
