"""Shapes of input that used to give a 500: huge page numbers and ids, amounts that are not
numbers (sNaN, Infinity), years far from now, very deep JSON, a CSV field over 128 KiB. Each is
refused with a clear 4xx and nothing written; the books and the monthly run keep to a sane range
of dates."""

from __future__ import annotations

from datetime import date
from io import BytesIO
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from governance.budget.models import LedgerTransaction
from governance.extensions import db
from governance.lottery import services as lottery
from governance.lottery.models import Method, Purpose
from governance.people.models import Role
from tests import factories

HUGE = "9" * 30


def _transactions() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0


@pytest.mark.parametrize(
    "path",
    [
        f"/decisions?page={HUGE}",
        "/decisions?page=99999999",
        f"/seances/{HUGE}/compte-rendu",
        "/seances/4294967296/compte-rendu",
        f"/tirages/{HUGE}/registre",
        f"/tirages/{HUGE}/registre.json",
    ],
)
def test_anonymous_huge_numbers_are_not_found(client, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path).status_code == 404, path


@pytest.mark.parametrize("path", [f"/decisions.json?page={HUGE}", f"/decisions.atom?page={HUGE}"])
def test_a_page_number_elsewhere_is_never_a_500(client, path: str) -> None:  # type: ignore[no-untyped-def]
    assert client.get(path).status_code < 500, path


@pytest.fixture
def walker(client):  # type: ignore[no-untyped-def]
    """Member, facilitator, treasurer and admin of a committee with a draw by lot in the
    making: every form below is theirs to send (no demo needed: nothing is meant to be
    written)."""
    person = factories.person(display_name="Robot de test")
    group = factories.group()
    for role in Role:
        factories.membership(person, group, role, starts_on=date(2020, 1, 1))
    draw = lottery.open_lottery("Tirage", Purpose.HOUSEHOLDS, None, 10, Method.MAXIMIN, person)
    db.session.commit()
    factories.login(client, person)
    return SimpleNamespace(person=person, lottery_id=draw.id)


@pytest.mark.parametrize(
    ("amount", "on"),
    [
        ("sNaN", "2026-11-02"),
        ("NaN", "2026-11-02"),
        ("Infinity", "2026-11-02"),
        ("-Infinity", "2026-11-02"),
        ("1E+999999", "2026-11-02"),
        ("12", "9999-12-31"),
        ("12", "0001-01-01"),
        ("12", "2999-01-01"),
    ],
)
def test_amounts_and_dates_out_of_range_are_refused(client, walker, amount: str, on: str) -> None:  # type: ignore[no-untyped-def]
    before = _transactions()
    response = client.post_form(
        "/budget/comptes/subvention", {"funder": "Métropole", "amount": amount, "on": on}
    )
    assert response.status_code == 422, (amount, on)
    assert amount in response.get_data(as_text=True) or on in response.get_data(as_text=True)
    assert _transactions() == before


@pytest.mark.parametrize("month", ["2999-01-01", "9999-12-31", "0001-01-01"])
def test_the_monthly_run_refuses_a_far_month(client, walker, month: str) -> None:  # type: ignore[no-untyped-def]
    before = _transactions()
    preview = client.get(f"/budget/comptes/mois?month={month}")
    assert preview.status_code == 422
    run = client.post_form("/budget/comptes/mois", {"month": month, "confirm": "yes"})
    assert run.status_code == 422
    assert _transactions() == before


def test_very_deep_json_is_refused(client, walker) -> None:  # type: ignore[no-untyped-def]
    deep = "[" * 100_000 + "]" * 100_000
    scale = client.post_form(
        "/budget/baremes", {"name": "Profond", "allocation": deep, "contribution": deep}
    )
    assert scale.status_code == 422
    version = client.post_form(
        "/conventionnement/formulaires",
        {"role": "questionnaire", "kind": "shop", "definition": deep},
    )
    assert version.status_code == 422


@pytest.mark.parametrize(
    "path",
    ["/budget/foyers/import", "/budget/comptes/achats", "/tirages/{lottery}/candidats"],
)
def test_a_csv_field_over_128_kib_is_refused(client, walker, path: str) -> None:  # type: ignore[no-untyped-def]
    path = path.format(lottery=walker.lottery_id)
    field = "x" * (200 * 1024)
    text = f'"{field}",adults\n"{field}",1\n'
    response = client.post_form(path, {"upload": (BytesIO(text.encode()), "big.csv")})
    assert 400 <= response.status_code < 500, path


def test_uploads_are_limited_in_size_and_lines(app, client, walker) -> None:  # type: ignore[no-untyped-def]
    saved = app.config["MAX_CONTENT_LENGTH"], app.config["MAX_CSV_LINES"]
    app.config.update(MAX_CONTENT_LENGTH=4_000, MAX_CSV_LINES=3)
    try:
        token = client.csrf_token()
        big = client.post(
            "/budget/comptes/achats",
            data={"csrf_token": token, "upload": (BytesIO(b"x" * 5_000), "big.csv")},
        )
        assert big.status_code == 413 and "25" in big.get_data(as_text=True)
        rows = "date,operator_id,household,point_of_sale,amount\n" + "2026-11-02,o,F,1,1\n" * 4
        long = client.post_form(
            "/budget/comptes/achats", {"upload": (BytesIO(rows.encode()), "long.csv")}
        )
        assert long.status_code == 422 and "3" in long.get_data(as_text=True)
    finally:
        app.config.update(MAX_CONTENT_LENGTH=saved[0], MAX_CSV_LINES=saved[1])
