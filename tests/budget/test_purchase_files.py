"""Purchase files as treasurers have them: French CSV (``;``, 02/12/2026, 12,50, Windows-1252
or UTF-8 with a BOM) and Excel workbooks, a shop named rather than numbered, columns chosen
once per operator; the preview says when the file, or lines of it, were already imported and
when a month was already paid out to a shop — before anything is written."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from governance.budget import ledger, purchase_files, purchases
from governance.budget.models import LedgerTransaction, PaymentOperator, PurchaseUpload
from governance.conventionnement.models import PointOfSale, PosKind, PosStatus
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Role
from tests import factories
from tests.budget.test_purchases import _setup

FRENCH = ["Date", "N° de transaction", "Foyer", "Commerçant", "Montant (€)"]


def _french_csv(rows: list[list[str]], encoding: str = "cp1252") -> bytes:
    """What a French Excel saves as CSV: ``;`` between cells, CRLF, Windows-1252."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";")
    writer.writerow(FRENCH)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


def _xlsx(rows: list[list[object]], header: list[str] = FRENCH) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0


def _epicerie() -> PointOfSale:
    pos = PointOfSale(
        name="Épicerie de la Guillotière",
        kind=PosKind.SHOP,
        group=factories.group(),
        status=PosStatus.APPROVED,
        approved_since=date(2026, 1, 1),
    )
    db.session.add(pos)
    db.session.flush()
    return pos


def _send(client, raw: bytes, name: str, operator: int = 0):  # type: ignore[no-untyped-def]
    return client.post(
        "/budget/comptes/achats",
        data={
            "csrf_token": client.csrf_token(),
            "operator": str(operator),
            "upload": (io.BytesIO(raw), name),
        },
        content_type="multipart/form-data",
    )


def test_dates_and_amounts_as_spreadsheets_write_them() -> None:
    assert purchase_files.day_of("02/12/2026") == "2026-12-02"
    assert purchase_files.day_of("2/3/26") == "2026-03-02"
    assert purchase_files.day_of("02.12.2026 14:35") == "2026-12-02"
    assert purchase_files.day_of("2026-12-02T10:00:00") == "2026-12-02"
    assert purchase_files.day_of("31/02/2026") == "31/02/2026"  # no such day: refused later
    assert purchase_files.amount_of("12,50") == "12.50"
    assert purchase_files.amount_of("1\u202f234,56 €") == "1234.56"
    assert purchase_files.amount_of("1.234,56") == "1234.56"
    assert purchase_files.amount_of("1,234.56") == "1234.56"
    assert purchase_files.amount_of("7.5") == "7.5"


def test_a_french_csv_with_a_named_shop_is_read(app) -> None:  # type: ignore[no-untyped-def]
    _shop, _closed, household = _setup()
    pos = _epicerie()
    raw = _french_csv(
        [
            ["05/03/2026", "T-1", "F-1", "épicerie de la guillotière", "12,50"],
            ["06/03/2026", "T-2", "F-1", "Biocoop", "1,05"],
        ]
    )
    assert "é".encode("cp1252") in raw and b";" in raw
    upload = purchase_files.receive(raw, purchase_files.read(raw), "achats.csv", None, None)
    assert upload.columns == {
        "date": "Date",
        "operator_id": "N° de transaction",
        "household": "Foyer",
        "point_of_sale": "Commerçant",
        "amount": "Montant (€)",
    }
    shown = purchase_files.preview(upload)
    assert not shown.refused and shown.cents == 13_55 and shown.lines[0].pos == pos
    assert purchases.apply(shown.lines) == 2
    assert ledger.wallet(household).balance_cents == 150_00 - 13_55
    # The same bytes in UTF-8 with Excel's BOM read the same.
    bom = b"\xef\xbb\xbf" + raw.decode("cp1252").encode("utf-8")
    again = purchase_files.receive(bom, purchase_files.read(bom), "achats.csv", None, None)
    assert again.table == upload.table


def test_names_that_do_not_say_which_shop_are_refused() -> None:
    shop, _closed, _household = _setup()
    twin = PointOfSale(
        name="BIOCOOP ", kind=PosKind.SHOP, group=shop.group, status=PosStatus.APPROVED
    )
    db.session.add(twin)
    db.session.flush()
    text = "date,operator_id,household,point_of_sale,amount\n2026-03-05,x,F-1,biocoop,1\n"
    [line] = purchases.parse(text)
    assert line.pos is None and "plusieurs points de vente" in " ".join(line.errors).lower()


def test_an_excel_file_of_an_operator_with_its_codes(client) -> None:  # type: ignore[no-untyped-def]
    shop, _closed, household = _setup()
    db.session.commit()
    factories.login(client, factories.with_role(Role.TREASURER))
    created = client.post_form("/budget/comptes/operateurs", {"name": "Lydia Pro"})
    assert created.status_code == 302
    operator = db.session.scalar(select(PaymentOperator))
    assert client.post_form("/budget/comptes/operateurs", {"name": "Lydia Pro"}).status_code == 422
    saved = client.post_form(created.location, {f"code-{shop.id}": "MRC-0042, MRC-0043"})
    assert saved.status_code == 302
    header = ["Horodatage", "Réf. opération", "Bénéficiaire", "Code marchand", "Total"]
    workbook = _xlsx(
        [
            [datetime(2026, 3, 5, 10, 30), "L-1", "F-1", "MRC-0042", 12.5],
            [date(2026, 3, 6), "L-2", "F-1", "mrc-0043", 3],
        ],
        header,
    )
    sent = _send(client, workbook, "export.xlsx", operator.id)
    assert sent.status_code == 302
    page = client.get(sent.location)  # its headers read like the items: a preview at once
    assert page.status_code == 200 and "Changer les colonnes" in page.get_data(as_text=True)
    # A wrong choice is a 422 that keeps the page; the right one is kept for next time.
    wrong = client.post_form(sent.location, {"action": "columns", "date": "Nope"})
    assert wrong.status_code == 422 and "Choisissez une colonne" in wrong.get_data(as_text=True)
    columns = dict(zip(purchase_files.FIELDS, header, strict=True))
    chosen = client.post_form(sent.location, {"action": "columns", **columns})
    assert chosen.status_code == 302
    db.session.expire_all()
    assert db.session.get(PaymentOperator, operator.id).columns == columns
    preview = client.get(sent.location).get_data(as_text=True)
    assert "2 nouveaux achats" in preview and "15,50\u00a0MonA" in preview
    assert _count() == 1  # the preview wrote nothing
    done = client.post_form(sent.location, {"action": "confirm"})
    assert "2 achats enregistrés" in client.get(done.location).get_data(as_text=True)
    assert ledger.wallet(household).balance_cents == 150_00 - 15_50
    # The operator's next file goes straight to its preview: its columns are known.
    workbook = _xlsx([[date(2026, 3, 7), "L-3", "F-1", "MRC-0042", 1]], header)
    nxt = client.get(_send(client, workbook, "export2.xlsx", operator.id).location)
    assert "1 nouvel achat" in nxt.get_data(as_text=True)


def test_a_bad_table_is_refused_in_plain_words(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.TREASURER))
    for raw in (b"PK\x03\x04 not really a workbook", b"\x00\x01\x02binary", b"date;montant\n"):
        page = _send(client, raw, "x.xlsx")
        assert page.status_code == 422
        assert re.search(r"ni un fichier CSV|vide", page.get_data(as_text=True))


def test_the_same_file_twice_is_recognised_at_preview(client) -> None:  # type: ignore[no-untyped-def]
    _setup()
    db.session.commit()
    factories.login(client, factories.with_role(Role.TREASURER))
    raw = _french_csv([["05/03/2026", "T-1", "F-1", "Biocoop", "12,50"]])
    first = _send(client, raw, "mars.csv")
    client.post_form(first.location, {"action": "confirm"})
    assert _count() == 2
    second = _send(client, raw, "mars.csv")
    page = client.get(second.location).get_data(as_text=True)
    assert "Ce fichier a déjà été importé le" in page
    assert "Rien de nouveau" in page and "Confirmer" not in page
    # Saved again from the spreadsheet (other bytes), its lines are still known.
    other = _french_csv(
        [
            ["05/03/2026", "T-1", "F-1", "Biocoop", "12,5"],
            ["06/03/2026", "T-9", "F-1", "Biocoop", "1"],
        ]
    )
    page = client.get(_send(client, other, "mars-bis.csv").location).get_data(as_text=True)
    assert "1 ligne de ce fichier a déjà été enregistrée" in page and "1 nouvel achat" in page
    assert _count() == 2


def test_a_month_already_paid_out_is_said_at_preview(client) -> None:  # type: ignore[no-untyped-def]
    shop, _closed, _household = _setup()
    purchases.apply(
        purchases.parse(
            f"date,operator_id,household,point_of_sale,amount\n2026-03-05,a,F-1,{shop.id},40\n"
        )
    )
    purchases.reimburse(shop, 40_00, date(2026, 4, 2), "r-march")
    db.session.commit()
    factories.login(client, factories.with_role(Role.TREASURER))
    late = _french_csv([["28/03/2026", "T-7", "F-1", "Biocoop", "5"]])
    page = client.get(_send(client, late, "retard.csv").location).get_data(as_text=True)
    assert "Biocoop a déjà été remboursé pour mars 2026" in page
    assert "1 nouvel achat" in page  # said, not refused: it goes into the next reimbursement


def test_a_closed_month_is_refused_at_preview() -> None:
    _setup()
    ledger.close_month(date(2026, 3, 1))
    raw = _french_csv([["05/03/2026", "T-1", "F-1", "Biocoop", "1"]])
    upload = purchase_files.receive(raw, purchase_files.read(raw), "x.csv", None, None)
    shown = purchase_files.preview(upload)
    assert shown.closed == [date(2026, 3, 1)] and shown.refused
    with pytest.raises(DomainError):
        purchases.apply(shown.lines)
    assert db.session.scalar(select(func.count()).select_from(PurchaseUpload)) == 1


def test_columns_not_guessed_are_asked_once_per_operator(client) -> None:  # type: ignore[no-untyped-def]
    _setup()
    operator = purchase_files.add_operator("Caisse du marché")
    db.session.commit()
    factories.login(client, factories.with_role(Role.TREASURER))
    header = ["c1", "c2", "c3", "c4", "c5"]
    raw = _xlsx([["05/03/2026", "K-1", "F-1", "Biocoop", "2,5"]], header)
    sent = _send(client, raw, "k.xlsx", operator.id)
    page = client.get(sent.location).get_data(as_text=True)
    assert "Quelle colonne contient quoi" in page and "Confirmer" not in page
    assert client.post_form(sent.location, {"action": "confirm"}).status_code == 422
    columns = dict(zip(purchase_files.FIELDS, header, strict=True))
    client.post_form(sent.location, {"action": "columns", **columns})
    raw = _xlsx([["06/03/2026", "K-2", "F-1", "Biocoop", "1"]], header)
    page = client.get(_send(client, raw, "k2.xlsx", operator.id).location).get_data(as_text=True)
    assert "1 nouvel achat" in page and "Confirmer l'import" in page


def test_files_are_kept_a_week_for_their_preview() -> None:
    from datetime import timedelta

    from governance.db import utcnow

    raw = _french_csv([["05/03/2026", "T-1", "F-1", "Biocoop", "1"]])
    old = purchase_files.receive(raw, purchase_files.read(raw), "old.csv", None, None)
    old.created_at = utcnow() - timedelta(days=8)
    db.session.flush()
    other = _french_csv([["06/03/2026", "T-2", "F-1", "Biocoop", "1"]])
    purchase_files.receive(other, purchase_files.read(other), "new.csv", None, None)
    db.session.expire_all()
    assert [u.filename for u in db.session.scalars(select(PurchaseUpload))] == ["new.csv"]
