"""The treasurer's books: grants, contributions, the monthly run, purchase imports, reports;
and each participant's own household page."""

from __future__ import annotations

import hashlib
from datetime import date

from flask import abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from governance.budget import bulk, checks, ledger, purchases, rules
from governance.budget.ledger_forms import (
    KIND_LABELS,
    ContributionForm,
    GrantForm,
    ImportForm,
    RunForm,
)
from governance.budget.models import Household, LedgerTransaction
from governance.budget.routes import bp
from governance.db import begin_writing
from governance.errors import DomainError
from governance.extensions import db
from governance.jobs import services as jobs
from governance.jobs.models import Job
from governance.jobs.queue import launch
from governance.web import form_status, reads_first, render, save


def _books(
    grant: GrantForm | None = None, contribution: ContributionForm | None = None, status: int = 200
) -> Response:
    try:
        month = date.fromisoformat(request.args.get("mois", "") + "-01")
    except ValueError:
        month = date.today().replace(day=1)
    return render(
        "budget/books.html",
        grant=grant or GrantForm(formdata=None, on=date.today()),
        contribution=contribution or ContributionForm(formdata=None, on=date.today()),
        balance=purchases.trial_balance(),
        month=month,
        statement=purchases.monthly_statement(month),
        check=checks.quick_check(),
        kind_labels={kind.value: label for kind, label in KIND_LABELS.items()},
        status=status,
    )


@bp.get("/comptes")
def books() -> Response:
    return _books()


@bp.post("/comptes/subvention")
def grant() -> Response:
    form = GrantForm()
    if form.validate_on_submit() and save(
        form,
        lambda: ledger.record_grant(
            form.funder.data.strip(),
            rules.to_cents(form.amount.data),
            form.on.data,
            f"grant:{form.key.data}",
        ),
    ):
        flash(_("The grant is recorded."), "success")
        return redirect(url_for("budget.books"))
    return _books(grant=form, status=422)


@bp.post("/comptes/cotisation")
def contribution() -> Response:
    form = ContributionForm()
    if form.validate_on_submit():
        household = db.session.scalar(
            select(Household).where(Household.reference == form.household.data.strip())
        )

        def record() -> LedgerTransaction:
            if household is None:
                raise DomainError(_("Unknown household."), "household")
            return ledger.record_contribution(
                household,
                rules.to_cents(form.amount.data),
                form.on.data,
                f"contribution:{form.key.data}",
            )

        if save(form, record):
            flash(_("The contribution is recorded."), "success")
            return redirect(url_for("budget.books"))
    return _books(contribution=form, status=422)


@bp.route("/comptes/mois", methods=["GET", "POST"])
def monthly_run() -> Response:
    """The preview is read at once; the run itself is a job of the worker (its own page)."""
    form = RunForm(formdata=request.form if request.method == "POST" else request.args or None)
    lines, status = None, 200
    if (request.method == "POST" or request.args) and form.validate():
        lines = save(form, lambda: bulk.monthly_run(form.month.data, confirm=False))
        if lines is None:
            status = 422
        elif request.method == "POST" and request.form.get("confirm") == "yes":
            month = form.month.data.replace(day=1)
            return _launch(
                jobs.start(
                    "monthly_run",
                    f"monthly:{month:%Y-%m}",
                    current_user,
                    _payload(month=month.isoformat()),
                )
            )
    elif request.method == "POST" or request.args:
        status = 422
    return render(
        "budget/run.html", form=form, lines=lines, recent=jobs.recent("monthly_run"), status=status
    )


def _payload(**values: str) -> dict[str, str]:
    """What a job needs, with the language its outcome is written in."""
    return {**values, "locale": str(get_locale() or "fr")}


def _launch(job: Job) -> Response:
    return redirect(url_for("jobs.job", job_id=launch(job)))


@bp.route("/comptes/achats", methods=["GET", "POST"])
@reads_first
def purchase_import() -> Response:
    """The file is read here; its lines are checked and written by the worker, all or nothing."""
    form = ImportForm()
    if form.validate_on_submit():
        raw = form.upload.data.read() if form.upload.data else b""
        text = raw.decode("utf-8-sig", "replace")
        try:
            if not text.strip() or not purchases.check_shape(text):
                raise DomainError(_("The file is empty."))
        except DomainError as error:
            form.upload.errors = [str(error.message)]
        else:
            digest = hashlib.sha256(raw).hexdigest()
            begin_writing(db.session)  # the lock only for the job's row
            return _launch(
                jobs.start(
                    "purchase_import", f"purchases:{digest}", current_user, _payload(), text
                )
            )
    return render(
        "budget/purchases.html",
        form=form,
        recent=jobs.recent("purchase_import"),
        status=form_status(form),
    )


@bp.get("/comptes/journal.<any(csv,beancount):kind>")
def journal(kind: str) -> Response:
    from flask import current_app

    from governance.budget import exports

    body = exports.journal_csv() if kind == "csv" else exports.beancount()
    response = current_app.make_response(body)
    response.mimetype = "text/csv" if kind == "csv" else "text/plain"
    response.headers["Content-Disposition"] = f'attachment; filename="tablee.{kind}"'
    return response


@bp.get("/mon-foyer")
def my_household() -> Response:
    """A participant sees their own household, and nobody else's."""
    household = db.session.scalar(select(Household).where(Household.person_id == current_user.id))
    if household is None:
        abort(404)
    return render(
        "budget/my_household.html",
        household=household,
        balance=ledger.wallet(household).balance_cents,
        lines=purchases.household_statement(household),
        paid=purchases.contributions_paid(household),
    )
