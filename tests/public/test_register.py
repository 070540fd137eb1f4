"""The public register: French full-text search, filters, pagination, permalinks, open data,
and what caches and a visitor's browser get."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from lxml import etree
from sqlalchemy import text

from governance.extensions import db
from governance.votes import search
from governance.votes.models import DecisionKind
from tests import databases, factories
from tests.public.helpers import decided

ATOM = "{http://www.w3.org/2005/Atom}"


def test_stems_fold_plural_accents_and_case() -> None:
    assert search.stems("Décisions") == search.stems("décision")
    assert search.fts_query("les marchés de producteurs") == '"march"* "producteur"*'
    assert search.fts_query("de la") == '"de"* "la"*'  # only small words: keep them
    assert search.fts_query("“!?” — ") is None  # nothing to search for: no query at all


@databases.sqlite_only
def test_the_index_follows_the_decisions_through_the_triggers() -> None:
    decision = decided("Conventionnement de la boulangerie", "Le pain au levain est conventionné.")
    row = db.session.execute(
        text("SELECT title, body FROM decision_search WHERE rowid = :id"), {"id": decision.id}
    ).one()
    assert row.title == search.stems(f"{decision.reference} {decision.title}")
    assert "conven" in row.body and "levain" in row.body


def found(client, **args: str) -> str:  # type: ignore[no-untyped-def]
    """The results block only (what htmx swaps in), so labels of the form do not count."""
    response = client.htmx("GET", "/decisions", query_string=args)
    assert response.status_code == 200, args
    return response.get_data(as_text=True)


def test_search_finds_french_words_whatever_their_form(client) -> None:  # type: ignore[no-untyped-def]
    decided("Un deuxième marché de producteurs", "Les maraîchers vendent le samedi matin.")
    decided("Barème des cotisations 2027", "Le barème suit le revenu par unité de consommation.")
    for typed in ("marches", "Marché", "MARCHÉS producteur", "maraicher", "marc"):
        page = found(client, q=typed)
        assert "Un deuxième marché de producteurs" in page, typed
        assert "Barème des cotisations" not in page, typed
    page = found(client, q="cotisation")
    assert "Barème des cotisations 2027" in page and "deuxième marché" not in page
    nothing = client.get("/decisions", query_string={"q": "zzzz"})
    assert nothing.status_code == 200
    assert "Aucune décision ne correspond" in nothing.get_data(as_text=True)


def test_filters_by_group_kind_year_and_outcome(client) -> None:  # type: ignore[no-untyped-def]
    calim = factories.group(name="CALIM 8", code="CALIM8")
    decided("Épicerie du Lez", "Conventionnée.", kind=DecisionKind.CONVENTIONNEMENT)
    decided("Marché de 2025", "Le marché.", when=datetime(2025, 6, 7, 9, tzinfo=UTC))
    decided("Fête de quartier", "Une fête.", committee=calim)

    def titles(**args: str) -> str:
        return found(client, **args)

    assert "Épicerie du Lez" in titles(kind="conventionnement")
    assert "Marché de 2025" not in titles(kind="conventionnement")
    assert "Marché de 2025" in titles(year="2025") and "Fête" not in titles(year="2025")
    assert "Fête de quartier" in titles(group="CALIM8")
    assert "Épicerie" not in titles(group="CALIM8")
    assert "Fête de quartier" in titles(outcome="adopted", q="fête")
    assert "Fête de quartier" not in titles(outcome="rejected")


def test_a_filter_out_of_its_list_is_explained_not_a_500(client) -> None:  # type: ignore[no-untyped-def]
    decided("Marché du samedi", "Le marché.")
    response = client.get("/decisions", query_string={"kind": "n'importe quoi", "q": "marché"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Choisissez une des valeurs de la liste." in page
    assert 'value="marché"' in page  # what was typed stays
    assert "Marché du samedi" in page  # the valid part of the search still answers


def test_pagination_keeps_the_search(app, client) -> None:  # type: ignore[no-untyped-def]
    committee = factories.group()
    for n in range(3):
        decided(f"Marché numéro {n}", "Un marché.", committee=committee)
    app.config["PAGE_SIZE"] = 2
    try:
        first = client.get("/decisions", query_string={"q": "marché"}).get_data(as_text=True)
        assert "Page 1 sur 2" in first
        assert "/decisions?page=2&amp;q=march%C3%A9" in first
        second = client.get("/decisions", query_string={"q": "marché", "page": 2})
        assert second.get_data(as_text=True).count("Marché numéro") == 1
    finally:
        app.config["PAGE_SIZE"] = 50


def test_htmx_search_gets_only_the_results(client) -> None:  # type: ignore[no-untyped-def]
    decided("Marché du samedi", "Le marché.")
    response = client.htmx("GET", "/decisions?q=marche")
    body = response.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="results"') and "<html" not in body
    assert "Marché du samedi" in body
    assert "HX-Request" in response.headers["Vary"]


def test_permalink_is_citable_and_names_only_the_presenter(client) -> None:  # type: ignore[no-untyped-def]
    decision = decided("Marché du samedi", "Le marché ouvre.", concern="Les prix.")
    page = client.get(f"/decisions/{decision.reference}").get_data(as_text=True)
    record = decision.record
    assert record["presenter"] in page
    assert f"http://tablee.test/decisions/{decision.reference}" in page  # the citation
    for name in record["rounds"][0]["eligible_names"]:
        if name != record["presenter"]:
            assert name not in page
    assert "Qui a dit quoi" not in page


def test_open_data_holds_the_register_without_anyone_s_position(client) -> None:  # type: ignore[no-untyped-def]
    decision = decided("Marché du samedi", "Le marché ouvre.", concern="Les prix.")
    data = client.get("/decisions.json").get_json()
    assert data["count"] == 1 and data["head"] == decision.hash
    (published,) = data["decisions"]
    assert published["reference"] == decision.reference
    assert published["rounds"][0]["tally"] == decision.record["rounds"][0]["tally"]
    raw = json.dumps(data, ensure_ascii=False)
    assert "eligible_names" not in raw and "positions" not in raw
    for name in decision.record["rounds"][0]["eligible_names"]:
        if name != decision.record["presenter"]:
            assert name not in raw
    rows = list(csv.DictReader(io.StringIO(client.get("/decisions.csv").get_data(as_text=True))))
    assert [r["reference"] for r in rows] == [decision.reference]
    assert rows[0]["hash"] == decision.hash and rows[0]["title"] == "Marché du samedi"


def test_atom_feed_is_well_formed_with_one_entry_per_decision(client) -> None:  # type: ignore[no-untyped-def]
    first = decided("Marché du samedi", "Le marché ouvre.")
    second = decided("Épicerie du Lez", "Conventionnée.")
    response = client.get("/decisions.atom")
    assert response.mimetype == "application/atom+xml"
    feed = etree.fromstring(response.get_data())
    assert feed.tag == f"{ATOM}feed"
    assert feed.find(f"{ATOM}id") is not None and feed.find(f"{ATOM}updated") is not None
    ids = [e.findtext(f"{ATOM}id") for e in feed.iter(f"{ATOM}entry")]
    assert sorted(ids) == sorted(
        f"http://tablee.test/decisions/{d.reference}" for d in (first, second)
    )
    self_link = feed.find(f"{ATOM}link[@rel='self']")
    assert self_link is not None and self_link.get("href").endswith("/decisions.atom")


def test_verify_page_shows_the_head(client) -> None:  # type: ignore[no-untyped-def]
    decision = decided("Marché du samedi", "Le marché ouvre.")
    page = client.get("/decisions/verifier").get_data(as_text=True)
    assert decision.hash in page and "intacte" in page


def test_the_public_csv_neutralises_formula_cells(client) -> None:  # type: ignore[no-untyped-def]
    decided("=1+2", "@SUM(A1:A9)")
    (row,) = csv.DictReader(io.StringIO(client.get("/decisions.csv").get_data(as_text=True)))
    assert row["title"] == "'=1+2" and row["text"] == "'@SUM(A1:A9)"
