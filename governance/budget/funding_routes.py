"""The treasurer's funders (by kind), their pledges against what the ledger received, and the
operating costs, forecast then paid."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from governance.budget import funding, rules
from governance.budget.funding_forms import (
    COST_KINDS,
    FUNDER_KINDS,
    SCHEDULES,
    CostForm,
    FunderForm,
    PaidForm,
    PledgeForm,
)
from governance.budget.models import CostKind, CostLine, Funder, FunderKind, Schedule
from governance.budget.routes import bp
from governance.extensions import db
from governance.web import form_status, refused_status, render, save


@bp.route("/financeurs", methods=["GET", "POST"])
def funders() -> Response:
    form = FunderForm()
    if form.validate_on_submit():
        created = save(form, lambda: funding.add_funder(form.name.data, FunderKind(form.kind.data)))
        if created is not None:
            flash(_("The funder %(name)s is recorded.", name=created.name), "success")
            return redirect(url_for("budget.funder", funder_id=created.id))
    return render(
        "budget/funders.html",
        form=form,
        overview=funding.overview(),
        kinds=FUNDER_KINDS,
        status=refused_status(form),
    )


@bp.route("/financeurs/<int:funder_id>", methods=["GET", "POST"])
def funder(funder_id: int) -> Response:
    funder = db.session.get(Funder, funder_id) or abort(404)
    form = PledgeForm()
    if form.validate_on_submit():
        saved = save(
            form,
            lambda: funding.add_pledge(
                funder,
                rules.to_cents(form.amount.data),
                form.first_month.data,
                form.last_month.data,
                Schedule(form.schedule.data),
                firm=not form.hoped.data,
                note=form.note.data or "",
            ),
        )
        if saved is not None:
            flash(_("The pledge is recorded."), "success")
            return redirect(url_for("budget.funder", funder_id=funder.id))
    state = next(s for s in funding.overview().funders if s.funder.id == funder.id)
    return render(
        "budget/funder.html",
        funder=funder,
        state=state,
        form=form,
        kinds=FUNDER_KINDS,
        schedules=SCHEDULES,
        today=date.today(),
        status=refused_status(form),
    )


def _costs(form: CostForm, status: int = 200) -> Response:
    months = funding.costs_by_month()
    paid_forms = {
        line.id: PaidForm(
            prefix=f"cost-{line.id}",
            formdata=None,
            paid=Decimal(line.paid_cents or line.forecast_cents).scaleb(-2),
            on=line.paid_on or date.today(),
        )
        for month in months
        for line in month.lines
    }
    return render(
        "budget/costs.html",
        form=form,
        months=months,
        paid_forms=paid_forms,
        kinds=COST_KINDS,
        status=status,
    )


@bp.route("/couts", methods=["GET", "POST"])
def costs() -> Response:
    form = CostForm()
    if form.validate_on_submit() and save(
        form,
        lambda: funding.add_cost(
            form.label.data,
            CostKind(form.kind.data),
            form.month.data,
            rules.to_cents(form.forecast.data),
        ),
    ):
        flash(_("The cost is recorded."), "success")
        return redirect(url_for("budget.costs"))
    return _costs(form, form_status(form))


@bp.post("/couts/<int:cost_id>")
def cost_paid(cost_id: int) -> Response:
    line = db.session.get(CostLine, cost_id) or abort(404)
    form = PaidForm(prefix=f"cost-{line.id}")
    if form.validate_on_submit() and save(
        form, lambda: funding.pay_cost(line, rules.to_cents(form.paid.data), form.on.data)
    ):
        flash(_("The payment is recorded."), "success")
        return redirect(url_for("budget.costs"))
    flash(_("The payment could not be recorded: check the amount and the date."), "error")
    return _costs(CostForm(formdata=None), 422)
