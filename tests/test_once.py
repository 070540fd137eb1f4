"""A form that creates something, sent twice from the same page, creates once; the form shown
again creates again; a refused form can be corrected and sent."""

from __future__ import annotations

import time

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

    # A refusal records no use: the same page, corrected, goes through.
    time.sleep(1.1)  # a new showing of the form: a new token
    token = client.csrf_token("/conventionnement/proposer")
    bad = client.post("/conventionnement/proposer", data={**form, "name": "", "csrf_token": token})
    assert bad.status_code == 422
    again = client.post("/conventionnement/proposer", data={**form, "csrf_token": token})
    assert again.status_code == 302 and _places() == 2


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
