"""The treasurer's books over HTTP: double submits count once, bad input is 422, previews
write nothing; a participant sees their own household only."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from governance.budget import ledger, purchases
from governance.budget.models import LedgerTransaction
from governance.extensions import db
from governance.people.models import Role
from tests import factories
from tests.budget.test_ledger import _household, _scale
from tests.budget.test_purchases import HEADER, _setup


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0


def _key(html: str, action: str) -> str:
    form = html[html.index(f'action="{action}"') :]
    return re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', form).group(1)


def test_a_grant_sent_twice_is_recorded_once(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.TREASURER))
    key = _key(client.get("/budget/comptes").get_data(as_text=True), "/budget/comptes/subvention")
    data = {"key": key, "funder": "Métropole", "amount": "1500.00", "on": "2026-03-02"}
    assert client.post_form("/budget/comptes/subvention", data).status_code == 302
    assert client.post_form("/budget/comptes/subvention", data).status_code == 302
    assert _count() == 1 and ledger.bank().balance_cents == 150000
    other = client.post_form("/budget/comptes/subvention", {**data, "amount": "9"})
    assert other.status_code == 422 and _count() == 1  # same key, other content


def test_bad_operations_are_422_with_what_was_typed(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.TREASURER))
    bad = client.post_form(
        "/budget/comptes/cotisation",
        {"key": "k", "household": "F-404", "amount": "douze", "on": "2026-03-02"},
    )
    assert bad.status_code == 422 and "douze" in bad.get_data(as_text=True)
    unknown = client.post_form(
        "/budget/comptes/cotisation",
        {"key": "k", "household": "F-404", "amount": "12", "on": "2026-03-02"},
    )
    assert unknown.status_code == 422 and "F-404" in unknown.get_data(as_text=True)
    assert _count() == 0


def test_monthly_run_preview_then_confirm(client) -> None:  # type: ignore[no-untyped-def]
    _scale()
    _household("F-1")
    factories.login(client, factories.with_role(Role.TREASURER))
    preview = client.get("/budget/comptes/mois?month=2026-03-15")
    assert preview.status_code == 200 and "F-1" in preview.get_data(as_text=True)
    assert _count() == 0
    done = client.post_form("/budget/comptes/mois", {"month": "2026-03-15", "confirm": "yes"})
    assert done.status_code == 302 and _count() == 1
    client.post_form("/budget/comptes/mois", {"month": "2026-03-01", "confirm": "yes"})
    assert _count() == 1
    assert client.get("/budget/comptes/mois?month=mars").status_code == 422


def test_purchase_import_preview_then_confirm(client) -> None:  # type: ignore[no-untyped-def]
    shop, *_rest = _setup()
    db.session.commit()
    factories.login(client, factories.with_role(Role.TREASURER))
    before = _count()
    text = HEADER + f"2026-03-05,op-1,F-1,{shop.id},12.50\n"
    preview = client.post(
        "/budget/comptes/achats",
        data={"csrf_token": client.csrf_token(), "upload": (io.BytesIO(text.encode()), "x.csv")},
        content_type="multipart/form-data",
    )
    assert preview.status_code == 200 and _count() == before
    confirmed = client.post_form("/budget/comptes/achats", {"content": text, "confirm": "yes"})
    assert confirmed.status_code == 302 and _count() == before + 1
    bad = HEADER + f"2026-03-05,op-2,F-1,{shop.id},5000\n"
    refused = client.post_form("/budget/comptes/achats", {"content": bad, "confirm": "yes"})
    assert refused.status_code == 422 and _count() == before + 1


def test_a_large_file_is_previewed_in_summary(app, client) -> None:  # type: ignore[no-untyped-def]
    """Thousands of lines give a page of counts, the first refused lines and the first lines
    read, not one line each: the treasurer reads it on a phone, and the server sends little."""
    shop, *_rest = _setup()
    db.session.commit()
    factories.login(client, factories.with_role(Role.TREASURER))
    rows = [f"2026-03-05,op-{n},F-1,{shop.id},0.01" for n in range(3000)]
    rows += [f"2026-03-05,bad-{n},F-404,{shop.id},1.00" for n in range(120)]
    text = HEADER + "\n".join(rows) + "\n"
    page = client.post(
        "/budget/comptes/achats",
        data={"csrf_token": client.csrf_token(), "upload": (io.BytesIO(text.encode()), "x.csv")},
        content_type="multipart/form-data",
    )
    html = page.get_data(as_text=True)
    assert page.status_code == 422
    assert "3\u202f120 lignes" in html and "120 refusées" in html
    assert html.count('class="field-error"') == purchases.PREVIEW_REFUSED
    assert "et 100 autres lignes refusées" in html
    assert "op-0 " in html and "op-9 " in html and "op-10 " not in html
    assert "Confirmer l&#39;import" not in html and "Confirm the import" not in html


def test_a_participant_sees_their_own_household_only(app) -> None:  # type: ignore[no-untyped-def]
    owner, stranger = factories.person(), factories.person()
    household = _household("F-7")
    household.person_id = owner.id
    db.session.commit()
    mine, theirs = app.test_client(), app.test_client()
    factories.login(mine, owner)
    factories.login(theirs, stranger)
    assert "F-7" not in theirs.get("/budget/mon-foyer").get_data(as_text=True)
    assert theirs.get("/budget/mon-foyer").status_code == 404
    page = mine.get("/budget/mon-foyer")
    assert page.status_code == 200 and "0,00\u00a0MonA" in page.get_data(as_text=True)
    assert theirs.get("/budget/foyers").status_code == 403
