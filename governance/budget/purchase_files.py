"""A purchase file as a treasurer has it: CSV the way French spreadsheets write it, or XLSX;
its columns chosen once per payment operator; a preview that says, before anything is
written, what the import would add and what was already done (the same file, some of its
lines, a month already paid out to a shop, a closed month)."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select

from governance import tabular
from governance.budget import purchases
from governance.budget.models import (
    Account,
    ClosedMonth,
    LedgerTransaction,
    OperatorCode,
    PaymentOperator,
    Posting,
    PurchaseUpload,
    TransactionKind,
)
from governance.conventionnement.models import PointOfSale
from governance.db import utcnow
from governance.errors import DomainError
from governance.extensions import db
from governance.jobs.models import Job, JobStatus

FIELDS = purchases.COLUMNS
KEPT = timedelta(days=7)
# Words of the headers a file may use for each field, besides the field's own name (compared
# after ``_plain``: lower case, no accents), in the order the fields are guessed.
GUESSES = {
    "household": ("foyer", "beneficiaire", "porteur", "compte", "carte"),
    "point_of_sale": ("point de vente", "commer", "marchand", "magasin", "boutique", "shop"),
    "amount": ("montant", "total", "somme"),
    "date": ("date", "horodatage", "jour"),
    "operator_id": ("transaction", "operation", "reference", "ref", "numero", "n°", "id"),
}


def _plain(text: str) -> str:
    import unicodedata

    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def guess_columns(header: list[str], saved: dict[str, str] | None = None) -> dict[str, str]:
    """Field → header: the operator's saved choice where its header is in the file, else the
    field's own name, else a header with one of its words (each header used once)."""
    chosen: dict[str, str] = {}
    for name in FIELDS:
        if saved and saved.get(name) in header:
            chosen[name] = saved[name]
        elif name in header:
            chosen[name] = name
    for name, words in GUESSES.items():
        if name in chosen:
            continue
        free = [h for h in header if h not in chosen.values()]
        found = next((h for word in words for h in free if word in _plain(h)), None)
        if found is not None:
            chosen[name] = found
    return chosen


def read(raw: bytes) -> tuple[list[str], list[list[str]]]:
    """The file's table, or a refusal if it is no table or has no lines."""
    header, rows = tabular.table(raw)
    if not header or not rows:
        raise DomainError(_l("The file is empty."), "upload")
    return header, rows


def receive(
    raw: bytes,
    table: tuple[list[str], list[list[str]]],
    filename: str,
    operator: PaymentOperator | None,
    by_id: int | None,
) -> PurchaseUpload:
    """Keep the file read by ``read`` for its preview; the same file sent again by the same
    person, for the same operator, gives back the same upload."""
    header, rows = table
    # A file is kept for its preview and confirmation, not as an archive (the job keeps what
    # was imported): those sent more than a week ago go.
    db.session.execute(delete(PurchaseUpload).where(PurchaseUpload.created_at < utcnow() - KEPT))
    digest = hashlib.sha256(raw).hexdigest()
    operator_id = operator.id if operator else None
    upload = db.session.scalar(
        select(PurchaseUpload).where(
            PurchaseUpload.digest == digest,
            PurchaseUpload.created_by_id == by_id,
            PurchaseUpload.operator_id.is_(None)
            if operator_id is None
            else PurchaseUpload.operator_id == operator_id,
        )
    )
    if upload is None:
        upload = PurchaseUpload(
            digest=digest,
            filename=filename[:200],
            operator_id=operator_id,
            table={"header": header, "rows": rows},
            created_by_id=by_id,
        )
        db.session.add(upload)
    upload.columns = guess_columns(header, operator.columns if operator else None)
    db.session.flush()
    return upload


def choose_columns(upload: PurchaseUpload, columns: dict[str, str]) -> PurchaseUpload:
    """The treasurer's choice of columns, kept for this file and for its operator's next ones."""
    header = upload.table["header"]
    if any(columns.get(name) not in header for name in FIELDS):
        raise DomainError(_l("Choose a column of the file for each item."))
    upload.columns = {name: columns[name] for name in FIELDS}
    remember_columns(upload)
    return upload


def remember_columns(upload: PurchaseUpload) -> None:
    """The columns of this file become its operator's, for the next files."""
    if upload.operator_id is not None:
        operator = db.session.get(PaymentOperator, upload.operator_id)
        operator.columns = dict(upload.columns)
    db.session.flush()


def mapped(upload: PurchaseUpload) -> bool:
    return all(upload.columns.get(name) in upload.table["header"] for name in FIELDS)


DAY_FIRST = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})(?:[ T].*)?$")
ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")


def day_of(text: str) -> str:
    """A date as French files write it (02/12/2026, 2/12/26, 02.12.2026, with or without a
    time) or ISO, as YYYY-MM-DD; anything else is given back as it is (and refused later)."""
    text = text.strip()
    if match := ISO.match(text):
        year, month, day = (int(part) for part in match.groups())
    elif match := DAY_FIRST.match(text):
        day, month, year = (int(part) for part in match.groups())
        year += 2000 if year < 100 else 0
    else:
        return text
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return text


def amount_of(text: str) -> str:
    """An amount as spreadsheets write it (1 234,56 € ; 1.234,56 ; 12.50) with a point."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]|EUR", "", text.strip(), flags=re.IGNORECASE)
    if "," in cleaned and "." in cleaned:
        thousands = "." if cleaned.rindex(",") > cleaned.rindex(".") else ","
        cleaned = cleaned.replace(thousands, "")
    return cleaned.replace(",", ".") or text


def canonical_text(upload: PurchaseUpload) -> str:
    """The file in the import's own shape (the columns of ``purchases.COLUMNS``, ISO dates,
    amounts with a point): what the worker reads."""
    header = upload.table["header"]
    index = {name: header.index(upload.columns[name]) for name in FIELDS}
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(FIELDS)
    for row in upload.table["rows"]:
        cells = {name: row[i] if i < len(row) else "" for name, i in index.items()}
        cells["date"] = day_of(cells["date"])
        cells["amount"] = amount_of(cells["amount"])
        writer.writerow([cells[name] for name in FIELDS])
    return out.getvalue()


@dataclass
class PaidOut:
    pos: PointOfSale
    month: date
    paid_on: date


@dataclass
class Preview:
    lines: list[purchases.Line]
    imported_at: datetime | None = None  # this very file, by an earlier import
    closed: list[date] = field(default_factory=list)
    paid_out: list[PaidOut] = field(default_factory=list)

    @property
    def refused(self) -> list[purchases.Line]:
        return [line for line in self.lines if line.errors]

    @property
    def already(self) -> int:
        return sum(1 for line in self.lines if line.already)

    @property
    def new(self) -> list[purchases.Line]:
        return [line for line in self.lines if not line.already and not line.errors]

    @property
    def cents(self) -> int:
        return sum(line.cents for line in self.new)

    @property
    def nothing_new(self) -> bool:
        return not self.refused and not self.new


def preview(upload: PurchaseUpload) -> Preview:
    """What the import would do, read now (the worker checks it all again as it writes)."""
    lines = purchases.parse(canonical_text(upload), operator_id=upload.operator_id)
    shown = Preview(lines, imported_at=imported_at(upload.digest))
    months = {line.on.replace(day=1) for line in lines if line.on}
    shown.closed = sorted(
        db.session.scalars(select(ClosedMonth.month).where(ClosedMonth.month.in_(months)))
    )
    if shown.closed:
        for line in lines:
            if line.on and line.on.replace(day=1) in shown.closed and not line.already:
                line.errors.append(str(_l("This month is closed: nothing can be recorded in it.")))
    shown.paid_out = paid_out(lines)
    return shown


def imported_at(digest: str) -> datetime | None:
    return db.session.scalar(
        select(func.max(Job.finished_at)).where(
            Job.kind == "purchase_import",
            Job.key == f"purchases:{digest}",
            Job.status == JobStatus.DONE,
        )
    )


def paid_out(lines: list[purchases.Line]) -> list[PaidOut]:
    """Months of the file's new purchases after which their shop was already reimbursed: these
    purchases are paid with its next reimbursement, not the one already made."""
    wanted = {(line.pos, line.on.replace(day=1)) for line in lines if line.pos and line.on}
    wanted -= {(line.pos, line.on.replace(day=1)) for line in lines if line.already and line.on}
    if not wanted:
        return []
    codes = {f"merchant:{pos.id}": pos for pos, _month in wanted}
    last = dict(
        db.session.execute(
            select(Account.code, func.max(LedgerTransaction.occurred_on))
            .join(Posting, Posting.account_id == Account.id)
            .join(LedgerTransaction, LedgerTransaction.id == Posting.transaction_id)
            .where(
                Account.code.in_(list(codes)),
                LedgerTransaction.kind == TransactionKind.REIMBURSEMENT,
            )
            .group_by(Account.code)
        ).all()
    )
    found = []
    for pos, month in sorted(wanted, key=lambda pair: (pair[1], pair[0].name)):
        paid_on = last.get(f"merchant:{pos.id}")
        if paid_on is not None and paid_on >= _next_month(month):
            found.append(PaidOut(pos, month, paid_on))
    return found


def _next_month(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def add_operator(name: str) -> PaymentOperator:
    name = " ".join(name.split())
    if db.session.scalar(select(PaymentOperator.id).where(PaymentOperator.name == name)):
        raise DomainError(_l("An operator has this name already."), "name")
    operator = PaymentOperator(name=name, columns={})
    db.session.add(operator)
    db.session.flush()
    return operator


def set_codes(operator: PaymentOperator, codes: dict[int, str]) -> None:
    """The operator's codes for each point of sale (several separated by commas; empty: none)."""
    wanted: dict[str, tuple[int, str]] = {}
    for pos_id, text in codes.items():
        for code in (part.strip() for part in text.split(",")):
            if not code:
                continue
            if len(code) > 80:
                raise DomainError(_l("A code has at most 80 characters."))
            if wanted.get(code.casefold(), (pos_id,))[0] != pos_id:
                raise DomainError(
                    _l("The code %(code)s is given to two points of sale.", code=code)
                )
            wanted[code.casefold()] = (pos_id, code)
    db.session.execute(delete(OperatorCode).where(OperatorCode.operator_id == operator.id))
    db.session.add_all(
        OperatorCode(operator_id=operator.id, point_of_sale_id=pos_id, code=code)
        for pos_id, code in wanted.values()
    )
    db.session.flush()


def codes_of(operator: PaymentOperator) -> dict[int, str]:
    found: dict[int, list[str]] = {}
    for code in db.session.scalars(
        select(OperatorCode)
        .where(OperatorCode.operator_id == operator.id)
        .order_by(OperatorCode.id)
    ):
        found.setdefault(code.point_of_sale_id, []).append(code.code)
    return {pos_id: ", ".join(codes) for pos_id, codes in found.items()}
