"""Conventionnement over HTTP: proposing, the binôme's screens and answers, the report, exports."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import func, select

from governance.conventionnement import services
from governance.conventionnement.models import Answer, PointOfSale, PosKind, Visit
from governance.extensions import db
from governance.people.models import GroupKind, Role
from tests import factories


def _setup(app: Any) -> tuple[Any, list[Any], Any, list[Any]]:
    services.ensure_defaults()
    group = factories.group(kind=GroupKind.COMMITTEE)
    people = [factories.person() for _ in range(3)]
    for person in people:
        factories.membership(person, group, starts_on=date(2025, 1, 1))
    factories.membership(people[0], group, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    pos = services.propose(group, people[2], "Ferme du Pic", PosKind.PRODUCER, why="Locale")
    visit = services.assign_visit(pos, people[:2], date(2026, 12, 1), people[0])
    db.session.commit()
    clients = []
    for person in people:
        client = app.test_client()
        factories.login(client, person)
        clients.append(client)
    return pos, people, visit, clients


def test_propose_a_place_and_bad_input(client) -> None:  # type: ignore[no-untyped-def]
    factories.group(kind=GroupKind.COMMITTEE)
    factories.login(client, factories.person())
    bad = client.post_form(
        "/conventionnement/proposer", {"name": "", "kind": "usine", "why": "", "sells": "s" * 2000}
    )
    assert bad.status_code == 422 and "s" * 100 in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(PointOfSale)) == 0
    ok = client.post_form(
        "/conventionnement/proposer",
        {"name": "AMAP du Lez", "kind": "amap", "why": "Paniers locaux"},
    )
    assert ok.status_code == 302
    assert "AMAP du Lez" in client.get(ok.headers["Location"]).get_data(as_text=True)


def test_binome_fills_screens_with_and_without_javascript(app) -> None:  # type: ignore[no-untyped-def]
    _pos, people, visit, (first, second, other) = _setup(app)
    visit_id = visit.id
    screen = first.get(f"/conventionnement/visites/{visit_id}/1")
    assert screen.status_code == 200 and "data-autosave" in screen.get_data(as_text=True)
    assert other.get(f"/conventionnement/visites/{visit_id}/1").status_code == 403
    token = first.csrf_token(f"/conventionnement/visites/{visit_id}/1")
    saved = first.post(
        f"/conventionnement/visites/{visit_id}/reponse",
        data={"csrf_token": token, "question": "local", "value": "most", "key": "k1", "at": "1"},
    )
    assert saved.status_code == 200 and saved.json["by"] == people[0].display_name
    replay = first.post(
        f"/conventionnement/visites/{visit_id}/reponse",
        data={"csrf_token": token, "question": "local", "value": "most", "key": "k1", "at": "1"},
    )
    assert replay.status_code == 200
    wrong = first.post(
        f"/conventionnement/visites/{visit_id}/reponse",
        data={"csrf_token": token, "question": "local", "value": "beaucoup", "key": "k2"},
    )
    assert wrong.status_code == 422 and "error" in wrong.json
    # Without JavaScript: the whole screen at once; a wrong answer brings it back, kept.
    bad = second.post_form(
        f"/conventionnement/visites/{visit_id}/1",
        {"chain": "peut-être", "staff": "good", "go": "next"},
    )
    assert bad.status_code == 422 and 'value="good" checked' in bad.get_data(as_text=True)
    good = second.post_form(
        f"/conventionnement/visites/{visit_id}/1",
        {"chain": "no", "independent": "coop", "staff": "good", "go": "next"},
    )
    assert good.headers["Location"].endswith(f"/visites/{visit_id}/2")
    page = first.get(f"/conventionnement/visites/{visit_id}/1").get_data(as_text=True)
    assert people[1].display_name in page  # who answered
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 4


def test_submit_report_and_exports(app) -> None:  # type: ignore[no-untyped-def]
    _pos, people, visit, (first, second, other) = _setup(app)
    visit_id = visit.id
    missing = first.post_form(
        f"/conventionnement/visites/{visit_id}/envoyer", {"band": "favourable"}
    )
    assert missing.status_code == 422
    visit = db.session.get(Visit, visit_id)
    for section in visit.questionnaire.definition["sections"]:
        for q in section["questions"]:
            value = q["choices"][0]["value"] if q["type"] == "choice" else "Bien"
            services.record_answer(
                visit,
                people[0],
                q["code"],
                "no" if q["code"] == "chain" else value,
                f"k-{q['code']}",
            )
    db.session.commit()
    done = second.post_form(
        f"/conventionnement/visites/{visit_id}/envoyer",
        {"band": "favourable", "opinion": "Ferme exemplaire"},
    )
    assert done.status_code == 302
    report = other.get(f"/conventionnement/visites/{visit_id}/rapport").get_data(as_text=True)
    assert "Ferme exemplaire" in report and "/ 100" in report
    csv_text = first.get("/conventionnement/export.csv").get_data(as_text=True)
    assert "Ferme du Pic" in csv_text.splitlines()[1]
    book = load_workbook(io.BytesIO(first.get("/conventionnement/export.xlsx").data))
    assert book.active["A2"].value == "Ferme du Pic"
    assert other.get("/conventionnement/export.csv").status_code == 403


def test_assign_refusal_keeps_the_form(app) -> None:  # type: ignore[no-untyped-def]
    pos, _people, _visit, (facilitator, _second, _other) = _setup(app)
    outsider = factories.person()
    db.session.commit()
    refused = facilitator.post(
        f"/conventionnement/{pos.id}/binome",
        data={
            "csrf_token": facilitator.csrf_token(),
            "people": [str(outsider.id)],
            "visit_on": "2026-12-24",
        },
    )
    assert refused.status_code == 422 and "2026-12-24" in refused.get_data(as_text=True)


def test_admin_publishes_a_version_from_a_file_or_refuses_bad_json(client) -> None:  # type: ignore[no-untyped-def]
    services.ensure_defaults()
    factories.login(client, factories.with_role(Role.ADMIN))
    bad = client.post_form(
        "/conventionnement/formulaires",
        {"role": "questionnaire", "kind": "shop", "definition": "{pas du json"},
    )
    assert bad.status_code == 422 and "{pas du json" in bad.get_data(as_text=True)
    import json

    definition = json.dumps(services.defaults.SHOP_QUESTIONNAIRE).encode()
    ok = client.post(
        "/conventionnement/formulaires",
        data={
            "csrf_token": client.csrf_token(),
            "role": "questionnaire",
            "kind": "shop",
            "upload": (io.BytesIO(definition), "questionnaire.json"),
        },
        content_type="multipart/form-data",
    )
    assert ok.status_code == 302
    from governance.conventionnement.models import FormKind

    assert services.current(services.QUESTIONNAIRE, FormKind.SHOP).number == 2


def test_export_costs_the_same_whatever_the_number_of_visits(app, queries) -> None:  # type: ignore[no-untyped-def]
    pos, people, visit, (facilitator, _second, _other) = _setup(app)
    counts = []
    for extra in (0, 3):
        for n in range(extra):
            place = services.propose(pos.group, people[0], f"Lieu {n}", PosKind.SHOP, why="x")
            other = services.assign_visit(place, people[:2], date(2026, 12, 2), people[0])
            _fill_and_submit(other, people)
        if extra == 0:
            _fill_and_submit(db.session.get(Visit, visit.id), people)
        db.session.commit()
        queries.statements.clear()
        assert facilitator.get("/conventionnement/export.csv").status_code == 200
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


def _fill_and_submit(visit, people) -> None:  # type: ignore[no-untyped-def]
    for section in visit.questionnaire.definition["sections"]:
        for q in section["questions"]:
            value = q["choices"][0]["value"] if q["type"] == "choice" else "Bien"
            services.record_answer(
                visit,
                people[0],
                q["code"],
                "no" if q["code"] == "chain" else value,
                f"{visit.id}-{q['code']}",
            )
    services.submit(visit, people[0], "favourable", "", schedule=False)


def test_an_answer_is_confirmed_by_its_echo_and_an_expired_session_gets_json(app) -> None:  # type: ignore[no-untyped-def]
    _pos, _people, visit, (first, _second, _other) = _setup(app)
    url = f"/conventionnement/visites/{visit.id}/reponse"
    page = f"/conventionnement/visites/{visit.id}/2"
    token = first.csrf_token(page)
    phone = {"Accept": "application/json", "X-Tablee-Page": page}
    newer = first.post(
        url,
        data={"csrf_token": token, "question": "local", "value": "most", "key": "k2", "at": "9"},
        headers=phone,
    )
    assert newer.json["key"] == "k2" and newer.json["question"] == "local"
    assert newer.json["newer"] is False
    # An older answer replayed later is confirmed (that very key), and the newer one is kept.
    older = first.post(
        url,
        data={"csrf_token": token, "question": "local", "value": "half", "key": "k1", "at": "5"},
        headers=phone,
    )
    assert older.json["key"] == "k1" and older.json["newer"] is True
    assert older.json["value"] == "most"
    refused = first.post(
        url,
        data={"csrf_token": token, "question": "local", "value": "x", "key": "k3"},
        headers=phone,
    )
    assert refused.status_code == 422 and refused.json["key"] == "k3"
    # The session has ended: the phone is told in JSON, with the way back to this screen.
    with first.session_transaction() as cookie:
        cookie.clear()
    gone = first.post(
        url,
        data={"csrf_token": token, "question": "local", "value": "half", "key": "k4"},
        headers=phone,
    )
    assert gone.status_code == 401 and gone.json["error"] == "login"
    assert gone.json["login"] == f"/connexion?next=/conventionnement/visites/{visit.id}/2"
    # A page (no JSON asked) still goes to the login form.
    assert first.get(page).status_code == 302
    assert db.session.scalar(select(Answer.value).where(Answer.question == "local")) == "most"


def test_an_idle_session_answers_a_phone_in_json(app) -> None:  # type: ignore[no-untyped-def]
    _pos, _people, visit, (first, _second, _other) = _setup(app)
    url = f"/conventionnement/visites/{visit.id}/reponse"
    token = first.csrf_token(f"/conventionnement/visites/{visit.id}/1")
    with first.session_transaction() as cookie:
        cookie["seen"] = 1  # last active in 1970
    gone = first.post(
        url,
        data={"csrf_token": token, "question": "local", "value": "most", "key": "k1"},
        headers={"Accept": "application/json"},
    )
    assert gone.status_code == 401 and "/connexion" in gone.json["login"]
    assert db.session.scalar(select(func.count()).select_from(Answer)) == 0


def test_a_hostile_name_is_never_a_live_formula_in_the_exports(app) -> None:  # type: ignore[no-untyped-def]
    _pos, people, visit, (first, _second, _other) = _setup(app)
    visit.pos.name = '=HYPERLINK("http://evil.example","Cliquez")'
    db.session.commit()
    _fill_and_submit(visit, people)
    db.session.commit()
    facilitator = first  # people[0] facilitates the committee
    csv_text = facilitator.get("/conventionnement/export.csv").get_data(as_text=True)
    (row,) = csv.DictReader(io.StringIO(csv_text))
    assert row["point_of_sale"].startswith("'=HYPERLINK") and float(row["total"]) == 100
    book = load_workbook(io.BytesIO(facilitator.get("/conventionnement/export.xlsx").data))
    cell = book["Visites"]["A2"]
    assert cell.data_type == "s" and cell.value.startswith("'=HYPERLINK")
    assert isinstance(book["Visites"]["F2"].value, int | float)  # the total stays a number


def test_two_taps_on_assign_create_one_visit(app) -> None:  # type: ignore[no-untyped-def]
    pos, people, _visit, (facilitator, _second, _other) = _setup(app)
    form = {"people": [str(people[1].id), str(people[2].id)], "visit_on": "2026-12-05"}
    token = facilitator.csrf_token(f"/conventionnement/{pos.id}")
    taps = [
        facilitator.post(f"/conventionnement/{pos.id}/binome", data={**form, "csrf_token": token})
        for _ in range(2)
    ]
    assert [t.status_code for t in taps] == [302, 303]  # the second: "already sent"
    assert db.session.scalar(select(func.count()).select_from(Visit)) == 2  # _setup's and this one
    # The domain rule as well (a form shown twice, or two facilitators at once): same visit.
    first = services.assign_visit(pos, people[1:], date(2026, 12, 6), people[0])
    again = services.assign_visit(pos, people[1:], date(2026, 12, 6), people[0])
    assert first.id == again.id
