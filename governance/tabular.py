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


def reader(text: str) -> Reader:
    limit = int(current_app.config["MAX_CSV_LINES"])
    if text.count("\n") > limit:
        raise DomainError(TOO_MANY_LINES % {"max": limit})
    return Reader(io.StringIO(text))


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
