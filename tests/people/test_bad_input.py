"""Bad input on every form: 422, the form back with what was typed, nothing written."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from governance.extensions import db
from governance.people.models import Group, LoginCard, Membership, Person, Role
from tests import factories

LONG = "é" * 5000


def _counts() -> tuple[int, ...]:
    return tuple(
        db.session.scalar(select(func.count()).select_from(model)) or 0
        for model in (Person, Group, Membership, LoginCard)
    )


@pytest.fixture
def admin_client(client):  # type: ignore[no-untyped-def]
    admin = factories.with_role(Role.ADMIN, username="admin")
    factories.login(client, admin)
    return client


@pytest.fixture
def ids() -> dict[str, int]:
    group = factories.group(name="Comité")
    person = factories.person(username="cible", email="cible@exemple.org")
    factories.person(username="prise", email="prise@exemple.org")
    membership = factories.membership(person, group, starts_on=date(2026, 3, 1))
    db.session.commit()
    return {"group": group.id, "person": person.id, "membership": membership.id}


PERSON_CASES = [
    {"display_name": "", "username": "", "email": ""},
    {"display_name": LONG, "username": "", "email": ""},
    {"display_name": "Awa", "username": "avec des espaces", "email": ""},
    {"display_name": "Awa", "username": "", "email": "pas-une-adresse"},
    {"display_name": "Awa", "username": "", "email": "x@" + "y" * 300 + ".org"},
    {"display_name": "Awa", "username": "", "email": "", "password": "court"},
    {"display_name": "Awa", "username": "prise", "email": ""},
    {"display_name": "Awa", "username": "", "email": "PRISE@exemple.org"},
]
GROUP_CASES = [
    {"name": "", "kind": "committee", "quorum_kind": "percent", "quorum_value": "50"},
    {"name": LONG, "kind": "committee", "quorum_kind": "percent", "quorum_value": "50"},
    {"name": "GT", "kind": "parlement", "quorum_kind": "percent", "quorum_value": "50"},
    {"name": "GT", "kind": "committee", "quorum_kind": "beaucoup", "quorum_value": "50"},
    {"name": "GT", "kind": "committee", "quorum_kind": "percent", "quorum_value": "cinquante"},
    {"name": "GT", "kind": "committee", "quorum_kind": "percent", "quorum_value": "150"},
    {"name": "GT", "kind": "committee", "quorum_kind": "count", "quorum_value": "-3"},
    {"name": "Comité", "kind": "committee", "quorum_kind": "percent", "quorum_value": "50"},
    {
        "name": "GT",
        "kind": "committee",
        "quorum_kind": "percent",
        "quorum_value": "50",
        "description": LONG,
    },
]
MEMBERSHIP_CASES = [
    {"person_id": "", "role": "member", "starts_on": "2026-01-01"},
    {"person_id": "999999", "role": "member", "starts_on": "2026-01-01"},
    {"person_id": "abc", "role": "member", "starts_on": "2026-01-01"},
    {"person_id": "{person}", "role": "chef", "starts_on": "2026-01-01"},
    {"person_id": "{person}", "role": "treasurer", "starts_on": "hier"},
    {
        "person_id": "{person}",
        "role": "treasurer",
        "starts_on": "2026-05-01",
        "ends_on": "2026-04-01",
    },
    {"person_id": "{person}", "role": "member", "starts_on": "2026-06-01"},  # overlaps
]


def _fill(data: dict[str, str], ids: dict[str, int]) -> dict[str, str]:
    return {key: value.replace("{person}", str(ids["person"])) for key, value in data.items()}


def _assert_refused(client: Any, path: str, data: dict[str, str]) -> None:
    before = _counts()
    response = client.post_form(path, data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422, (path, data, response.status_code)
    assert 'class="error-summary"' in html or 'class="field-error"' in html
    for key, value in data.items():
        if (
            value
            and "password" not in key
            and key not in {"kind", "quorum_kind", "role", "person_id"}
        ):
            assert value[:200] in html, f"{key}={value[:30]!r} was not given back"
    db.session.expire_all()
    assert _counts() == before, "something was written"


@pytest.mark.parametrize("data", PERSON_CASES)
def test_new_person(admin_client, ids, data) -> None:  # type: ignore[no-untyped-def]
    _assert_refused(admin_client, "/admin/personnes/nouvelle", data)


@pytest.mark.parametrize("data", PERSON_CASES)
def test_edit_person(admin_client, ids, data) -> None:  # type: ignore[no-untyped-def]
    _assert_refused(admin_client, f"/admin/personnes/{ids['person']}/modifier", data)
    db.session.expire_all()
    assert db.session.get(Person, ids["person"]).username == "cible"


@pytest.mark.parametrize("data", GROUP_CASES)
def test_new_group(admin_client, ids, data) -> None:  # type: ignore[no-untyped-def]
    _assert_refused(admin_client, "/admin/groupes/nouveau", data)


@pytest.mark.parametrize("data", GROUP_CASES[:-2])
def test_edit_group(admin_client, ids, data) -> None:  # type: ignore[no-untyped-def]
    _assert_refused(admin_client, f"/admin/groupes/{ids['group']}/modifier", data)


@pytest.mark.parametrize("data", MEMBERSHIP_CASES)
@pytest.mark.parametrize("htmx", [False, True])
def test_add_membership(admin_client, ids, data, htmx) -> None:  # type: ignore[no-untyped-def]
    path = f"/admin/groupes/{ids['group']}/membres"
    if not htmx:
        _assert_refused(admin_client, path, _fill(data, ids))
        return
    before = _counts()
    token = admin_client.csrf_token()
    response = admin_client.htmx("POST", path, data={"csrf_token": token, **_fill(data, ids)})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<html" not in html and 'id="members"' in html and "error-summary" in html
    assert _counts() == before


@pytest.mark.parametrize("ends_on", ["", "pas une date", "2026-02-01", "31/12/2026"])
def test_end_membership(admin_client, ids, ends_on) -> None:  # type: ignore[no-untyped-def]
    before = _counts()
    response = admin_client.post_form(
        f"/admin/adhesions/{ids['membership']}/fin", {"ends_on": ends_on}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'value="{ends_on}"' in html and "field-error" in html
    db.session.expire_all()
    assert db.session.get(Membership, ids["membership"]).ends_on is None
    assert _counts() == before


@pytest.mark.parametrize("code", ["", LONG, "ZZZZ-ZZZZ", "<script>"])
def test_card_login(client, code) -> None:  # type: ignore[no-untyped-def]
    response = client.post_form("/carte", {"code": code})
    assert response.status_code == 422
    assert "&lt;script&gt;" in response.get_data(as_text=True) or code != "<script>"


@pytest.mark.parametrize(
    ("pin", "again"),
    [("", ""), ("abcdef", "abcdef"), ("1234567", "1234567"), ("482915", "482951"), (LONG, LONG)],
)
def test_choose_pin(client, pin, again) -> None:  # type: ignore[no-untyped-def]
    person = factories.person()
    person.must_choose_pin = True
    factories.login(client, person)
    response = client.post_form("/compte/code", {"pin": pin, "pin_again": again})
    assert response.status_code == 422
    db.session.expire_all()
    assert db.session.get(Person, person.id).must_choose_pin is True


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"current": LONG, "new": "x", "new_again": "x"},
        {"current": factories.PASSWORD, "new": "court", "new_again": "court"},
        {"current": factories.PASSWORD, "new": "une longue phrase", "new_again": "autre"},
    ],
)
def test_change_password(client, data) -> None:  # type: ignore[no-untyped-def]
    person = factories.person()
    factories.login(client, person)
    response = client.post_form("/compte/mot-de-passe", data)
    assert response.status_code == 422
    db.session.expire_all()
    assert factories.services.verify_secret(db.session.get(Person, person.id), factories.PASSWORD)


@pytest.mark.parametrize(
    "path", ["/admin/personnes/999999", "/admin/groupes/999999", "/admin/personnes/999999/modifier"]
)
def test_unknown_ids_are_404_not_500(admin_client, path) -> None:  # type: ignore[no-untyped-def]
    assert admin_client.get(path).status_code == 404
