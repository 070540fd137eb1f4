"""The one export writer: formula cells made inert (OWASP CSV injection), numbers kept as
numbers, in CSV and XLSX; the one CSV reader refuses what it cannot read in plain language."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from governance import tabular
from governance.errors import DomainError

HOSTILE = ["=HYPERLINK(\"http://x\")", "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_cell_gets_a_leading_quote(text: str) -> None:
    assert tabular.safe_cell(text) == "'" + text


def test_numbers_dates_and_plain_text_stay_as_they_are() -> None:
    assert tabular.safe_cell(-12) == -12
    assert tabular.safe_cell(Decimal("-12.50")) == Decimal("-12.50")
    assert tabular.safe_cell(date(2026, 3, 1)) == date(2026, 3, 1)
    assert tabular.safe_cell("Épicerie du Lez") == "Épicerie du Lez"
    assert tabular.safe_cell(None) == ""


def test_csv_text_and_xlsx_agree() -> None:
    rows = [[name, Decimal("-12.50"), 3] for name in HOSTILE]
    parsed = list(csv.reader(io.StringIO(tabular.csv_text(["name", "amount", "n"], rows))))
    assert [r[0] for r in parsed[1:]] == ["'" + t for t in HOSTILE]
    assert {r[1] for r in parsed[1:]} == {"-12.50"} and {r[2] for r in parsed[1:]} == {"3"}
    book = load_workbook(io.BytesIO(tabular.xlsx_bytes({"S": (["name", "amount", "n"], rows)})))
    sheet = book["S"]
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s" and row[0].value.startswith("'")
        assert row[1].data_type == "n" and row[2].value == 3


def test_an_unreadable_csv_is_a_refusal() -> None:
    with pytest.raises(DomainError):
        list(tabular.reader('"' + "x" * 200_000 + '",b\n1,2\n'))
    with pytest.raises(DomainError):
        tabular.reader("a,b\n" + '"' + "x" * 200_000 + '",2\n').__next__()
