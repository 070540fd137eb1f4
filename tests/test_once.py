"""A form that creates something, sent twice from the same page, creates once; the form shown
again creates again; a refused form can be corrected and sent."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from governance.conventionnement.models import PointOfSale
from governance.extensions import db
from governance.people.models import GroupKind
from tests import factories


def _places() -> int:
    return db.session.scalar(select(func.count()).select_from(PointOfSale)) or 0


def test_a_double_tap_creates_one_point_of_sale(client) -> None:  # type: ignore[no-untyped-def]
    factories.group(kind=GroupKind.COMMITTEE)
    factories.login(client, factories.person())
    form = {"name": "AMAP du Lez", "kind": "amap", "why": "Paniers locaux"}
    token = client.csrf_token("/conventionnement/proposer")
    page = "http://tablee.test/conventionnement/proposer"
    first, second = (
        client.post(
            "/conventionnement/proposer",
            data={**form, "csrf_token": token},
            headers={"Referer": page},
        )
        for _ in range(2)
    )
    assert first.status_code == 302 and second.status_code == 303
    assert second.headers["Location"] == "/conventionnement/proposer"
    assert _places() == 1
    assert "enregistré qu'une fois" in client.get("/conventionnement/proposer").get_data(
        as_text=True
    )

    # A refusal records no use: the form shown again (a new nonce), corrected, goes through.
    once = _nonce(client)
    sent = {**form, "csrf_token": token, "once": once}
    bad = client.post("/conventionnement/proposer", data={**sent, "name": ""})
    assert bad.status_code == 422 and f'value="{once}"' in bad.get_data(as_text=True)
    again = client.post("/conventionnement/proposer", data=sent)
    assert again.status_code == 302 and _places() == 2


def _nonce(client) -> str:  # type: ignore[no-untyped-def]
    """The nonce of one showing of the form, as a browser gets it."""
    page = client.get("/conventionnement/proposer").get_data(as_text=True)
    found = re.search(r'name="once" type="hidden" value="([^"]+)"', page)
    assert found, "the form carries no nonce"
    return found.group(1)


def test_each_showing_of_a_form_creates_once_however_soon(client) -> None:  # type: ignore[no-untyped-def]
    """Two showings in the same second are two forms (the CSRF token would be the same);
    each sent twice still creates once."""
    factories.group(kind=GroupKind.COMMITTEE)
    factories.login(client, factories.person())
    form = {"name": "AMAP du Lez", "kind": "amap", "why": "Paniers locaux"}
    token = client.csrf_token("/conventionnement/proposer")
    page = "http://tablee.test/conventionnement/proposer"
    first, second = _nonce(client), _nonce(client)
    assert first != second
    statuses = [
        client.post(
            "/conventionnement/proposer",
            data={**form, "csrf_token": token, "once": once},
            headers={"Referer": page},
        ).status_code
        for once in (first, second, first, second)
    ]
    assert statuses == [302, 302, 303, 303] and _places() == 2


def test_a_double_tap_through_htmx_goes_back_to_the_page_not_into_a_fragment(client) -> None:  # type: ignore[no-untyped-def]
    """A redirect answered to htmx would swap a whole page into the element that asked."""
    factories.group(kind=GroupKind.COMMITTEE)
    factories.login(client, factories.person())
    form = {"name": "Épicerie du coin", "kind": "grocery", "why": "Proche"}
    token = client.csrf_token("/conventionnement/proposer")
    page = "http://tablee.test/conventionnement/proposer"
    sent = [
        client.htmx(
            "POST",
            "/conventionnement/proposer",
            data={**form, "csrf_token": token},
            headers={"Referer": page},
        )
        for _ in range(2)
    ]
    assert sent[1].status_code == 204 and sent[1].get_data() == b""
    assert sent[1].headers["HX-Redirect"] == "/conventionnement/proposer"
    assert _places() == 1
