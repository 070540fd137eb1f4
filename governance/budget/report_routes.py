"""The treasurer's reports (each also as CSV with ``?format=csv``), the contribution target,
the list of operations with their reversal, closing a month, and reimbursements."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from governance import tabular
from governance.budget import ledger, purchases, reports, rules
from governance.budget.ledger_forms import (
    KIND_LABELS,
    CloseForm,
    PeriodForm,
    ReimbursementForm,
    ReversalForm,
    TargetForm,
)
from governance.budget.models import (
    Account,
    AccountKind,
    ClosedMonth,
    LedgerTransaction,
    Posting,
)
from governance.budget.routes import bp
from governance.conventionnement import territories
from governance.conventionnement.labels import POS_KIND_LABELS
from governance.conventionnement.models import PointOfSale
from governance.errors import DomainError
from governance.extensions import db
from governance.web import page_number, page_size, render, save


def csv_response(name: str, header: list[str], rows: Iterable[Iterable[object]]) -> Response:
    return tabular.csv_response(f"{name}.csv", header, rows)


def eur(cents: int | None) -> Decimal | None:
    """Cents as a plain decimal number for spreadsheets (12.50), exact."""
    return None if cents is None else Decimal(cents).scaleb(-2)


def _period() -> tuple[PeriodForm, date, date, bool]:
    """The months asked for, by default the last twelve; bad input keeps the defaults."""
    form = PeriodForm(request.args)
    form.territoire.choices = [("", _("The whole caisse"))] + [
        (str(t.id), t.name) for t in territories.all_territories()
    ]
    valid = form.validate()
    today = date.today().replace(day=1)
    end = (form.end.data if valid and form.end.data else today).replace(day=1)
    start = (
        form.start.data if valid and form.start.data else reports.add_months(end, -11)
    ).replace(day=1)
    return form, start, end, valid


def _territory(form: PeriodForm) -> int | None:
    """The territory a report is read for (None: the whole caisse)."""
    chosen = territories.chosen(form.territoire.data) if not form.territoire.errors else None
    return chosen.id if chosen else None


def _wants_csv() -> bool:
    return request.args.get("format") == "csv"


@bp.get("/comptes/rapports/cotisations")
def report_contributions() -> Response:
    form, start, end, valid = _period()
    months = reports.contributions_by_month(start, end)
    month = (form.month.data if valid and form.month.data else end).replace(day=1)
    households = reports.household_status(month)
    if _wants_csv():
        if request.args.get("foyers"):
            return csv_response(
                f"cotisations-{month:%Y-%m}",
                ["household", "due_eur", "paid_eur", "status"],
                ((h.reference, eur(h.due_cents), eur(h.paid_cents), h.status) for h in households),
            )
        return csv_response(
            "cotisations",
            ["month", "due_eur", "paid_eur", "households", "paid", "partly", "nothing_paid"],
            (
                (
                    f"{m.month:%Y-%m}",
                    eur(m.due_cents),
                    eur(m.paid_cents),
                    *(m.households, m.paid, m.partly, m.unpaid),
                )
                for m in months
            ),
        )
    return render(
        "budget/report_contributions.html",
        form=form,
        months=months,
        month=month,
        households=households,
        status=200 if valid else 422,
    )


def _share_page(target: TargetForm | None = None, status: int = 200) -> Response:
    form, start, end, valid = _period()
    rows = reports.contribution_share(start, end, _territory(form))
    if _wants_csv():
        return csv_response(
            "part-des-cotisations",
            ["month", "contributions_eur", "allocations_eur", "share_percent", "target_percent"],
            (
                (
                    f"{r.month:%Y-%m}",
                    eur(r.contributions),
                    eur(r.allocations),
                    "" if r.share_permille is None else r.share_permille / 10,
                    "" if r.target_permille is None else r.target_permille / 10,
                )
                for r in rows
            ),
        )
    return render(
        "budget/report_share.html",
        form=form,
        rows=rows,
        target=target or TargetForm(formdata=None),
        status=status if valid else 422,
    )


@bp.get("/comptes/rapports/part-des-cotisations")
def report_share() -> Response:
    return _share_page()


@bp.post("/comptes/rapports/objectif")
def target() -> Response:
    form = TargetForm()
    if form.validate_on_submit():
        reports.set_target(
            form.month.data,
            int(form.percent.data * 10),
            (form.reference.data or "").strip(),
            current_user.id,
        )
        db.session.commit()
        flash(_("The target is recorded."), "success")
        return redirect(url_for("budget.report_share"))
    return _share_page(form, 422)


@bp.get("/comptes/rapports/achats")
def report_purchases() -> Response:
    form, start, end, valid = _period()
    report = reports.purchases(start, end, _territory(form))
    if _wants_csv():
        return csv_response(
            "achats",
            ["level", "name", "kind", "amount_eur", "share_percent"],
            [
                ("point_of_sale", p.name, p.kind, eur(p.cents), p.permille / 10)
                for p in report.by_point
            ]
            + [("kind", "", k, eur(c), m / 10) for k, c, m in report.by_kind]
            + [("two_largest", "", "", "", report.top_two_permille / 10)],
        )
    return render(
        "budget/report_purchases.html",
        form=form,
        report=report,
        kinds=POS_KIND_LABELS,
        status=200 if valid else 422,
    )


@bp.get("/comptes/rapports/autonomie")
def report_runway() -> Response:
    runway = reports.runway(date.today())
    if _wants_csv():
        return csv_response(
            "autonomie",
            ["month", "allocations_eur", "contributions_eur", "net_outflow_eur"],
            [
                (
                    f"{m.month:%Y-%m}",
                    eur(m.allocations),
                    eur(m.contributions),
                    eur(m.allocations - m.contributions),
                )
                for m in runway.months
            ]
            + [
                ("bank", eur(runway.bank), "", ""),
                ("mona_to_reimburse", eur(runway.mona_out), "", ""),
                ("available", eur(runway.available), "", ""),
                ("average_outflow", eur(runway.outflow), "", ""),
                ("grants_to_come", eur(runway.grants_to_come), "", ""),
                ("costs_to_come", eur(runway.costs_to_come), "", ""),
                ("runs_out", f"{runway.runs_out:%Y-%m}" if runway.runs_out else "", "", ""),
                ("months_of_runway", runway.months_left if runway.months_left is not None else ""),
            ],
        )
    return render("budget/report_runway.html", runway=runway)


# --- operations and their reversal ----------------------------------------------------------


@bp.get("/comptes/operations")
def transactions() -> Response:
    page, size = page_number(), page_size()
    total = db.session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0
    rows = db.session.scalars(
        select(LedgerTransaction)
        .order_by(LedgerTransaction.id.desc())
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    reversed_ids = set(
        db.session.scalars(
            select(LedgerTransaction.reverses_id).where(
                LedgerTransaction.reverses_id.in_([t.id for t in rows])
            )
        )
    )
    return render(
        "budget/transactions.html",
        rows=rows,
        reversed_ids=reversed_ids,
        kind_labels=KIND_LABELS,
        page=page,
        pages=max(1, -(-total // size)),
    )


def _transaction(tx: LedgerTransaction, form: ReversalForm, status: int = 200) -> Response:
    lines = db.session.execute(
        select(Account.code, Account.name, Posting.currency, Posting.amount_cents)
        .join(Posting, Posting.account_id == Account.id)
        .where(Posting.transaction_id == tx.id)
        .order_by(Posting.id)
    ).all()
    reversal = db.session.scalar(
        select(LedgerTransaction).where(LedgerTransaction.reverses_id == tx.id)
    )
    original = db.session.get(LedgerTransaction, tx.reverses_id) if tx.reverses_id else None
    return render(
        "budget/transaction.html",
        tx=tx,
        lines=lines,
        reversal=reversal,
        original=original,
        form=form,
        kind_labels=KIND_LABELS,
        status=status,
    )


@bp.route("/comptes/operations/<int:tx_id>", methods=["GET", "POST"])
def transaction(tx_id: int) -> Response:
    tx = db.session.get(LedgerTransaction, tx_id)
    if tx is None:
        raise NotFound()
    form = ReversalForm() if request.method == "POST" else ReversalForm(on=date.today())
    if form.validate_on_submit() and save(
        form, lambda: ledger.reverse(tx, form.reason.data.strip(), form.on.data)
    ):
        flash(_("The operation is reversed."), "success")
        return redirect(url_for("budget.transaction", tx_id=tx_id))
    return _transaction(tx, form, 422 if request.method == "POST" else 200)


# --- closing a month ------------------------------------------------------------------------


@bp.route("/comptes/cloture", methods=["GET", "POST"])
def close_month() -> Response:
    form = CloseForm()
    if form.validate_on_submit() and save(form, lambda: ledger.close_month(form.month.data)):
        flash(_("The month is closed."), "success")
        return redirect(url_for("budget.close_month"))
    closed = db.session.scalars(select(ClosedMonth).order_by(ClosedMonth.month.desc())).all()
    status = 422 if request.method == "POST" else 200
    return render("budget/closing.html", form=form, closed=closed, status=status)


# --- reimbursements -------------------------------------------------------------------------


def _owed() -> list[tuple[PointOfSale, int]]:
    """Points of sale holding MonA, with how many (cents) — what the fund owes them."""
    rows = db.session.execute(
        select(Account.code, Account.balance_cents).where(
            Account.kind == AccountKind.MERCHANT, Account.balance_cents > 0
        )
    ).all()
    owed = {int(code.split(":")[1]): cents for code, cents in rows}
    points = db.session.scalars(select(PointOfSale).where(PointOfSale.id.in_(list(owed))))
    return sorted(((p, owed[p.id]) for p in points), key=lambda row: row[0].name)


@bp.route("/comptes/remboursement", methods=["GET", "POST"])
def reimbursement() -> Response:
    owed = _owed()
    if request.method == "POST":
        form = ReimbursementForm()
    else:
        form = ReimbursementForm(formdata=None, on=date.today())
    form.point_of_sale.choices = [(p.id, p.name) for p, _cents in owed]
    if form.validate_on_submit():
        pos = db.session.get(PointOfSale, form.point_of_sale.data)

        def record() -> LedgerTransaction:
            if pos is None:
                raise DomainError(_("Choose a point of sale from the list."), "point_of_sale")
            return purchases.reimburse(
                pos,
                rules.to_cents(form.amount.data),
                form.on.data,
                f"reimbursement:{form.key.data}",
            )

        if save(form, record):
            flash(_("The reimbursement is recorded."), "success")
            return redirect(url_for("budget.reimbursement"))
    status = 422 if request.method == "POST" else 200
    return render("budget/reimbursement.html", form=form, owed=owed, status=status)
