"""The treasurer's books over HTTP: double submits count once, bad input is 422, previews
write nothing; a participant sees their own household only."""

from __future__ import annotations

import io
import re

from sqlalchemy import func, select

from governance.budget import ledger
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
    page = client.get(done.location).get_data(as_text=True)
    assert "1 foyer crédité" in page and "150,00\u00a0MonA" in page
    again = client.post_form("/budget/comptes/mois", {"month": "2026-03-01", "confirm": "yes"})
    assert again.location != done.location and _count() == 1  # a new job, nothing new written
    assert client.get("/budget/comptes/mois?month=mars").status_code == 422
    assert done.location in client.get("/budget/comptes/mois").get_data(as_text=True)


def _send(client, text: str):  # type: ignore[no-untyped-def]
    return client.post(
        "/budget/comptes/achats",
        data={"csrf_token": client.csrf_token(), "upload": (io.BytesIO(text.encode()), "x.csv")},
        content_type="multipart/form-data",
    )


def _upload(client, text: str):  # type: ignore[no-untyped-def]
    """Send the file, then confirm its preview: the job's page."""
    sent = _send(client, text)
    if sent.status_code != 302:
        return sent
    return client.post_form(sent.location, {"action": "confirm"})


def test_a_purchase_import_runs_as_a_job_all_or_nothing(client) -> None:  # type: ignore[no-untyped-def]
    shop, *_rest = _setup()
    db.session.commit()
    factories.login(client, factories.with_role(Role.TREASURER))
    before = _count()
    text = HEADER + f"2026-03-05,op-1,F-1,{shop.id},12.50\n"
    sent = _upload(client, text)
    assert sent.status_code == 302 and _count() == before + 1
    page = client.get(sent.location).get_data(as_text=True)
    assert "Terminé" in page and "1 achat enregistré" in page and "12,50\u00a0MonA" in page
    assert _upload(client, text).status_code == 302 and _count() == before + 1  # never twice
    bad = HEADER + f"2026-03-05,op-2,F-1,{shop.id},5000\nnope,op-3,F-9,{shop.id},1\n"
    refused = client.get(_upload(client, bad).location).get_data(as_text=True)
    assert "Refusé" in refused and "Ligne 3" in refused and "Ligne 2" in refused
    assert _count() == before + 1
    assert "Ligne 3" in client.get(_send(client, bad).location).get_data(as_text=True)
    empty = _upload(client, "")
    assert empty.status_code == 422 and "vide" in empty.get_data(as_text=True)
    stranger = factories.person()
    other = client.application.test_client()
    factories.login(other, stranger)
    assert other.get(sent.location).status_code in (403, 404)


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
