"""Scenarios of enlargement, up to three side by side: tables, a chart, CSV and XLSX."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance import formatting, tabular
from governance.access import access
from governance.budget import charts, funding, reports, rules, scenario_links, scenarios, services
from governance.budget.models import Scale, ScaleStatus
from governance.budget.routes import bp
from governance.budget.scenario_forms import PREFIXES, CommonForm, ScenarioForm
from governance.extensions import db
from governance.votes.models import Proposal
from governance.web import render, save

IN_FORCE = "0"


def _scale_choices() -> list[SelectChoice]:
    scales = db.session.scalars(
        select(Scale).where(Scale.status != ScaleStatus.REFUSED).order_by(Scale.id.desc())
    ).all()
    return [SelectChoice(IN_FORCE, _("The scale in force"))] + [
        SelectChoice(str(s.id), s.name) for s in scales
    ]


def _inputs(common: CommonForm) -> dict[str, Any]:
    """What every scenario reads from the books: pledges, costs, cash, the population."""
    start = (common.start.data or scenarios.add_months(date.today().replace(day=1), 1)).replace(
        day=1
    )
    ahead = funding.to_come(start)
    population = services.population()
    bank, mona_out = reports.available_cents()
    return {
        "start": start,
        "cash": rules.to_cents(common.cash.data)
        if common.cash.data is not None
        else bank - mona_out,
        "grants": ahead.grants,
        "hoped": ahead.hoped,
        "costs": ahead.costs,
        "population": rules.group(population or scenarios.synthetic_population()),
        "enrolled": bool(population),
    }


def _assumptions(form: ScenarioForm, letter: str, inputs: dict[str, Any]) -> scenarios.Assumptions:
    scale = None
    if form.scale.data and form.scale.data != IN_FORCE:
        scale = db.session.get(Scale, int(form.scale.data))
    scale = scale or services.active_scale(inputs["start"])
    allocation, contribution = (
        scenarios.averages(scale, inputs["population"]) if scale is not None else (0, 0)
    )
    return scenarios.Assumptions(
        name=form.name.data or _("Scenario %(letter)s", letter=letter.upper()),
        start=inputs["start"],
        months=int(form.months.data or 12),
        households_from=form.households_from.data or 0,
        households_to=form.households_to.data or 0,
        ramp_months=form.ramp_months.data or 0,
        allocation_cents=allocation,
        contribution_cents=contribution,
        share_permille=round(form.share.data * 10) if form.share.data is not None else None,
        cash_cents=inputs["cash"],
        grants=inputs["grants"],
        hoped=inputs["hoped"],
        count_hoped=bool(form.hoped.data),
        costs=inputs["costs"],
        cost_per_month=rules.to_cents(form.cost.data) if form.cost.data is not None else 0,
    )


def _projections() -> tuple[CommonForm, list[tuple[str, ScenarioForm]], list, dict, bool]:  # type: ignore[type-arg]
    """The page's forms read from the query string, and the projections when they are valid."""
    common = CommonForm(request.args)
    forms = [ScenarioForm(request.args, prefix=f"{letter}-") for letter in PREFIXES]
    choices = _scale_choices()
    for form in forms:
        form.scale.choices = choices
    valid = common.validate() & all([form.validate() for form in forms])
    projections: list[scenarios.Projection] = []
    inputs: dict[str, Any] = {}
    if valid and any(form.wanted() for form in forms):
        inputs = _inputs(common)
        projections = [
            scenarios.project(_assumptions(form, letter, inputs))
            for letter, form in zip(PREFIXES, forms, strict=True)
            if form.wanted()
        ]
    return common, list(zip(PREFIXES, forms, strict=True)), projections, inputs, valid


def _page(status: int | None = None) -> Response:
    common, forms, projections, inputs, valid = _projections()
    return render(
        "budget/scenarios.html",
        common=common,
        forms=forms,
        projections=projections,
        enrolled=inputs.get("enrolled", True),
        chart=_chart(projections) if projections else None,
        proposals=scenario_links.attachable(current_user) if projections else [],
        status=status or (200 if valid else 422),
    )


@bp.get("/scenarios")
def scenarios_page() -> Response:
    wanted = request.args.get("format")
    if wanted in ("csv", "xlsx"):
        projections = _projections()[2]
        if projections:
            return _export(projections, wanted)
    return _page()


@bp.post("/propositions/<int:proposal_id>/scenarios")
@access(scenario_links.PROPOSAL, rule=scenario_links.can_attach_scenario)
def scenarios_attach(proposal: Proposal) -> Response:
    """Freeze the scenarios of the page (its query string) with the proposal."""
    projections = _projections()[2]
    form = FlaskForm()
    if form.validate_on_submit() and save(
        form,
        lambda: scenario_links.attach(proposal, projections, current_user, date.today()),
        lambda error: flash(str(error), "error"),
    ):
        flash(_("The scenarios are attached to the proposal."), "success")
        return redirect(url_for("votes.proposal", proposal_id=proposal.id))
    return _page(status=422)


def _chart(projections: list[scenarios.Projection]) -> Any:
    longest = max(projections, key=lambda p: len(p.months))
    return charts.bars(
        _("Money at the end of each month"),
        [formatting.date(m.month, "MMM yy") for m in longest.months],
        [(p.assumptions.name, [m.cash for m in p.months]) for p in projections],
        lambda cents: formatting.money(int(cents), whole=True),
    )


HEADER = [
    "scenario",
    "month",
    "households",
    "allocations_eur",
    "contributions_eur",
    "grants_eur",
    "costs_eur",
    "cash_eur",
]


def _export(projections: list[scenarios.Projection], kind: str) -> Response:
    rows = [
        [
            p.assumptions.name,
            m.month.isoformat()[:7],
            m.households,
            formatting.machine_amount(m.allocations),
            formatting.machine_amount(m.contributions),
            formatting.machine_amount(m.grants),
            formatting.machine_amount(m.costs),
            formatting.machine_amount(m.cash),
        ]
        for p in projections
        for m in p.months
    ]
    if kind == "csv":
        return tabular.csv_response("scenarios.csv", HEADER, rows)
    return tabular.xlsx_response("scenarios.xlsx", {"scenarios": (HEADER, rows)})
