"""/chiffres: the fund's figures for anyone, without personal data, charts with their
tables, no script, and answered from the browser's cache while the books do not change."""

from __future__ import annotations

import re
from datetime import date

from governance.budget import ledger, reports
from governance.extensions import db
from tests.budget.test_reports import _books


def test_the_figures_are_public_and_without_personal_data(client) -> None:  # type: ignore[no-untyped-def]
    today = date.today().replace(day=1)
    _books()
    # this month's money, so that it falls within the page's last twelve months
    ledger.record_grant("Fondation", 250_00, today, "g-today")
    reports.set_target(date(2026, 1, 1), 300, "CCA-2026-001", None)
    db.session.commit()
    page = client.get("/chiffres")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "250,00\u00a0€" in html and "250.00" not in html and "Subventions reçues" in html
    assert html.count("<svg") == 4 and html.count("<table") == 4  # each chart has its table
    assert "<script" not in html.split("</head>")[1].split("<footer")[0]
    assert not re.search(r"F-[12]\b", html)  # no household, no wallet
    assert "L’argent disponible aujourd’hui est reporté" in html


def test_the_page_is_cached_until_the_books_change(client) -> None:  # type: ignore[no-untyped-def]
    first = client.get("/chiffres")
    etag = first.headers["ETag"]
    again = client.get("/chiffres", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""
    ledger.record_grant("Région", 10_00, date.today(), "g-new")
    db.session.commit()
    changed = client.get("/chiffres", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert changed.headers["Last-Modified"]
    client.post_form("/langue", {"lang": "en"})
    english = client.get("/chiffres", headers={"If-None-Match": changed.headers["ETag"]})
    assert english.status_code == 200 and "The fund's figures" in english.get_data(as_text=True)
    assert english.headers["ETag"] != changed.headers["ETag"]


def test_a_signed_in_reader_is_not_served_the_anonymous_page(client) -> None:  # type: ignore[no-untyped-def]
    from tests import factories

    anonymous = client.get("/chiffres")
    assert anonymous.headers["Cache-Control"] == "private, no-cache"
    factories.login(client, factories.person())
    signed_in = client.get("/chiffres", headers={"If-None-Match": anonymous.headers["ETag"]})
    assert signed_in.status_code == 200  # the header shows who is signed in


def test_a_new_pledge_or_a_cost_paid_changes_the_page(client) -> None:  # type: ignore[no-untyped-def]
    """The runway counts pledges and costs to come, so the page's validator follows them."""
    from governance.budget import funding
    from governance.budget.models import CostKind, FunderKind, Schedule

    etag = client.get("/chiffres").headers["ETag"]
    month = date.today().replace(day=1)
    funder = funding.add_funder("État", FunderKind.PUBLIC)
    funding.add_pledge(funder, 12_000_00, month, month, Schedule.ONCE, True)
    db.session.commit()
    pledged = client.get("/chiffres", headers={"If-None-Match": etag})
    assert pledged.status_code == 200 and pledged.headers["ETag"] != etag
    line = funding.add_cost("Loyer", CostKind.PREMISES, month, 500_00)
    db.session.commit()
    etag = client.get("/chiffres").headers["ETag"]
    funding.pay_cost(line, 500_00, date.today())
    db.session.commit()
    assert client.get("/chiffres", headers={"If-None-Match": etag}).status_code == 200
