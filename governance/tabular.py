"""Tables in and out: the one CSV reader of uploaded files, and the one writer of every CSV and
XLSX export.

Reading: a field over the csv module's limit (128 KiB) or a broken quote is a refusal in plain
language (a ``DomainError``, 422), never a 500.

Writing: a text cell that a spreadsheet would run as a formula (it starts with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return — OWASP's CSV injection guidance) gets a leading ``'``;
numbers stay numbers (an ``int`` or ``Decimal`` is written as such, never quoted).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import Response, current_app
from flask_babel import lazy_gettext as _l

from governance.errors import DomainError

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
UNREADABLE = _l(
    "This file cannot be read as CSV (a field is too long or a quote is not closed). "
    "Save it again from the spreadsheet as CSV."
)


class Reader(csv.DictReader):  # type: ignore[type-arg]
    """``csv.DictReader`` whose reading errors are refusals the person can act on."""

    @property  # type: ignore[override]
    def fieldnames(self) -> Any:
        try:
            return csv.DictReader.fieldnames.fget(self)  # type: ignore[attr-defined]
        except csv.Error as error:
            raise DomainError(UNREADABLE) from error

    @fieldnames.setter
    def fieldnames(self, value: Any) -> None:
        csv.DictReader.fieldnames.fset(self, value)  # type: ignore[attr-defined]

    def __next__(self) -> dict[str, Any]:
        try:
            return super().__next__()
        except csv.Error as error:
            raise DomainError(UNREADABLE) from error


TOO_MANY_LINES = _l("This file has more than %(max)d lines: split it in several files.")


def reader(text: str, delimiter: str = ",") -> Reader:
    limit = int(current_app.config["MAX_CSV_LINES"])
    if text.count("\n") > limit:
        raise DomainError(TOO_MANY_LINES % {"max": limit})
    return Reader(io.StringIO(text), delimiter=delimiter)


def decode(raw: bytes) -> str:
    """A file's text: UTF-8, with or without the BOM that Excel writes, else Windows-1252
    (what a French Excel saves as plain "CSV")."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", "replace")


def delimiter_of(text: str) -> str:
    """``;`` as French spreadsheets write it, a tab, or a comma: the most frequent one on the
    header line (a header has no decimal commas)."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return max((",", ";", "\t"), key=first.count)


NOT_A_TABLE = _l("This file is neither a CSV file nor an Excel (.xlsx) workbook.")


def table(raw: bytes) -> tuple[list[str], list[list[str]]]:
    """An uploaded table, CSV (any of the spellings above) or XLSX (its first sheet): its
    header and rows, every cell as text (dates of a workbook as YYYY-MM-DD, its numbers as
    written with a point). Blank rows are left out."""
    if raw.startswith(b"PK\x03\x04"):
        header, rows = _xlsx_table(raw)
    else:
        if b"\x00" in raw[:4096]:
            raise DomainError(NOT_A_TABLE)
        text = decode(raw)
        limit = int(current_app.config["MAX_CSV_LINES"])
        if text.count("\n") > limit:
            raise DomainError(TOO_MANY_LINES % {"max": limit})
        try:
            rows = list(csv.reader(io.StringIO(text), delimiter=delimiter_of(text)))
        except csv.Error as error:
            raise DomainError(UNREADABLE) from error
        header, rows = (rows[0], rows[1:]) if rows else ([], [])
    header = [cell.strip().lstrip("\ufeff") for cell in header]
    return header, [row for row in rows if any(cell.strip() for cell in row)]


def _xlsx_table(raw: bytes) -> tuple[list[str], list[list[str]]]:
    from zipfile import BadZipFile

    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = book.worksheets[0]
        limit = int(current_app.config["MAX_CSV_LINES"])
        if (sheet.max_row or 0) > limit + 1:
            raise DomainError(TOO_MANY_LINES % {"max": limit})
        rows = [[_xlsx_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    except (BadZipFile, KeyError, ValueError, OSError, IndexError) as error:
        raise DomainError(NOT_A_TABLE) from error
    return (rows[0], rows[1:]) if rows else ([], [])


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if not value.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return format(Decimal(repr(value)), "f")
    return str(value)


def safe_cell(value: Any) -> Any:
    """A value as a spreadsheet should see it: text that would be a formula made inert."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float | Decimal | date | datetime):
        return value
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def _csv_text(value: Any) -> str:
    value = safe_cell(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def csv_text(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> str:
    """A whole CSV document (comma-separated, CRLF), every cell made safe."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_csv_text(cell) for cell in header])
    writer.writerows([_csv_text(cell) for cell in row] for row in rows)
    return out.getvalue()


def _download(body: str | bytes, mimetype: str, filename: str, inline: bool) -> Response:
    response = current_app.response_class(body, mimetype=mimetype)
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def csv_response(
    filename: str, header: Iterable[str], rows: Iterable[Iterable[Any]], inline: bool = False
) -> Response:
    return _download(csv_text(header, rows), "text/csv", filename, inline)


def xlsx_bytes(sheets: dict[str, tuple[list[str], Iterable[Iterable[Any]]]]) -> bytes:
    """A workbook, one sheet per entry (title → header, rows). Text cells are stored as text
    (never as a formula, whatever they start with) and made safe for a later CSV save; numbers
    and dates keep their type."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for title, (header, rows) in sheets.items():
        sheet = book.create_sheet(title[:31])
        for row in [header, *rows]:
            sheet.append([safe_cell(value) for value in row])
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str):
                    cell.data_type = "s"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(
    filename: str, sheets: dict[str, tuple[list[str], Iterable[Iterable[Any]]]]
) -> Response:
    return _download(xlsx_bytes(sheets), XLSX, filename, inline=False)
