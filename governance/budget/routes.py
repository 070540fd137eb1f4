"""Households, scale proposals and the simulator."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance import formatting, tabular
from governance.access import access
from governance.budget import assessments, charts, policy, rules, services
from governance.budget.forms import (
    ASSESSMENT_LABELS,
    SCALE_STATUS_LABELS,
    STATUS_LABELS,
    AgendaForm,
    HouseholdForm,
    ImportForm,
    RulesForm,
    ScaleForm,
    SimulationForm,
    income_range,
)
from governance.budget.models import Currency, Household, HouseholdStatus, Scale, ScaleStatus
from governance.budget.reports import DueStatus
from governance.conventionnement import territories
from governance.extensions import db
from governance.fields import load_json
from governance.sessions.models import AGENDA_OPEN, Meeting
from governance.web import form_status, render, save

bp = Blueprint("budget", __name__, url_prefix="/budget", template_folder="templates")


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {
        "household_status_labels": STATUS_LABELS,
        "scale_status_labels": SCALE_STATUS_LABELS,
        "assessment_status_labels": ASSESSMENT_LABELS,
        "income_range": income_range,
        "Currency": Currency,
        "ScaleStatus": ScaleStatus,
        "DueStatus": DueStatus,
    }


# --- households ---------------------------------------------------------------------------


@bp.get("/foyers")
def households() -> Response:
    territory = territories.chosen(request.args.get("territoire"))
    query = select(Household).order_by(Household.reference)
    if territory is not None:
        query = query.where(Household.territory_id == territory.id)
    return render(
        "budget/households.html",
        households=db.session.scalars(query).all(),
        import_form=ImportForm(),
        report=None,
        pending=assessments.pending(),
        territory=territory,
        territories=territories.all_territories() if territories.several() else [],
    )


@bp.post("/foyers/import")
def households_import() -> Response:
    form = ImportForm()
    report: list[services.ImportLine] = []
    if form.validate_on_submit() and form.upload.data:
        text = form.upload.data.read().decode("utf-8-sig", "replace")
        count, report = services.import_csv(text)
        if not report:
            db.session.commit()
            flash(_("%(count)d households imported.", count=count), "success")
            return redirect(url_for("budget.households"))
        db.session.rollback()
    else:
        report = [services.ImportLine(0, [_("Choose a CSV file.")])]
    rows = db.session.scalars(select(Household).order_by(Household.reference)).all()
    return render(
        "budget/households.html",
        households=rows,
        import_form=form,
        report=report,
        pending=assessments.pending(),
        status=422,
    )


def _territory_choices(form: HouseholdForm) -> bool:
    """The territories a household may belong to; False where there is only one (or none)."""
    found = territories.all_territories()
    form.territory_id.choices = [SelectChoice(0, _("No territory"))] + [
        SelectChoice(t.id, t.name) for t in found
    ]
    if form.territory_id.data is None:
        form.territory_id.data = 0
    return len(found) > 1


def _household_form(household: Household | None) -> Response:
    form = HouseholdForm(obj=household)
    several = _territory_choices(form)
    if household is not None and not form.is_submitted():
        form.contribution.data = Decimal(household.contribution_cents).scaleb(-2)
        form.status.data = household.status.value
    if household is None and not form.is_submitted():
        form.starts_on.data = date.today()
    saved = form.validate_on_submit() and save(
        form,
        lambda: services.save_household(
            household,
            adults=form.adults.data,
            teens=form.teens.data,
            children=form.children.data,
            income_bracket=form.income_bracket.data,
            contribution_cents=rules.to_cents(form.contribution.data),
            starts_on=form.starts_on.data,
            status=HouseholdStatus(form.status.data),
            **({"territory_id": form.territory_id.data or None} if several else {}),
        ),
    )
    if saved:
        flash(_("The household %(ref)s is saved.", ref=saved.reference), "success")
        return redirect(url_for("budget.household", household_id=saved.id))
    suggestions = services.suggestions(household) if household is not None else []
    return render(
        "budget/household.html",
        block="form",
        form=form,
        household=household,
        several=several,
        suggestions=suggestions,
        assessments=assessments.history(household) if household is not None else [],
        books=_statement(household) if household is not None else None,
        status=form_status(form),
    )


def _statement(household: Household) -> dict[str, object]:
    from governance.budget import ledger, purchases

    return {
        "balance": ledger.wallet(household).balance_cents,
        "lines": purchases.household_statement(household),
        "paid": purchases.contributions_paid(household),
    }


@bp.route("/foyers/nouveau", methods=["GET", "POST"])
def household_new() -> Response:
    return _household_form(None)


@bp.route("/foyers/<int:household_id>", methods=["GET", "POST"])
def household(household_id: int) -> Response:
    found = db.session.get(Household, household_id)
    if found is None:
        abort(404)
    return _household_form(found)


# --- scales -------------------------------------------------------------------------------


@bp.route("/baremes", methods=["GET", "POST"])
def scales() -> Response:
    form = ScaleForm()
    if form.validate_on_submit():
        preset = rules.PRESETS[form.preset.data]
        scale = services.save_scale(
            None, form.name.data, preset["allocation"], preset["contribution"], current_user
        )
        db.session.commit()
        return redirect(url_for("budget.scale", scale_id=scale.id))
    rows = db.session.scalars(select(Scale).order_by(Scale.id.desc())).all()
    return render("budget/scales.html", scales=rows, form=form, status=form_status(form))


def _agenda_form() -> AgendaForm:
    form = AgendaForm(formdata=request.form if request.method == "POST" else None)
    upcoming = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.group_id.in_(policy.scale_groups(current_user)),
            Meeting.status.in_(AGENDA_OPEN),
        )
        .order_by(Meeting.starts_at)
    )
    form.meeting_id.choices = [SelectChoice(m.id, m.title) for m in upcoming]
    return form


@bp.route("/baremes/<int:scale_id>", methods=["GET", "POST"])
def scale(scale_id: int) -> Response:
    found = db.session.get(Scale, scale_id)
    if found is None:
        abort(404)
    form = RulesForm(obj=found)
    if not form.is_submitted():
        form.allocation.data = json.dumps(found.allocation, indent=1)
        form.contribution.data = json.dumps(found.contribution, indent=1)
    if form.validate_on_submit():
        try:
            allocation, contribution = (
                load_json(form.allocation.data),
                load_json(form.contribution.data),
            )
        except (ValueError, TypeError):  # TypeError: a field missing from the post
            form.allocation.errors = [_("This is not valid JSON: check the brackets and commas.")]
        else:
            if save(
                form,
                lambda: services.save_scale(
                    found, form.name.data, allocation, contribution, current_user
                ),
            ):
                flash(_("The proposal is saved."), "success")
                return redirect(url_for("budget.scale", scale_id=found.id))
    return render(
        "budget/scale.html", scale=found, form=form, agenda=_agenda_form(), status=form_status(form)
    )


@bp.post("/baremes/<int:scale_id>/ordre-du-jour")
@access(policy.SCALE, rule=policy.can_put_scale_on_agenda)
def scale_agenda(found: Scale) -> Response:
    form = _agenda_form()
    if form.validate_on_submit() and save(
        form,
        lambda: services.put_on_agenda(
            found, db.session.get(Meeting, form.meeting_id.data), form.effective_month.data
        ),
    ):
        flash(_("The proposal is on the agenda."), "success")
        return redirect(url_for("budget.scale", scale_id=found.id))
    return render(
        "budget/scale.html", scale=found, form=RulesForm(obj=found), agenda=form, status=422
    )


# --- the simulator ------------------------------------------------------------------------


def _population(form: SimulationForm) -> list[rules.Member]:
    if form.population.data == "synthetic":
        return rules.synthetic(
            form.households.data or rules.SYNTHETIC_HOUSEHOLDS,
            rules.SYNTHETIC_MIX,
            rules.SYNTHETIC_BRACKETS,
        )
    return services.population()


@bp.get("/simulateur")
def simulator() -> Response:
    form = SimulationForm(request.args)
    chosen = [db.session.get(Scale, i) for i in request.args.getlist("bareme", type=int)][:3]
    chosen = [s for s in chosen if s is not None]
    all_scales = db.session.scalars(select(Scale).order_by(Scale.id.desc())).all()
    valid = form.validate()
    results = []
    if valid and chosen:
        population = _population(form)
        balance = rules.to_cents(form.balance.data or 0)
        grants = rules.to_cents(form.grants.data or 0)
        results = [
            (s, rules.simulate(s.allocation, s.contribution, population, balance, grants))
            for s in chosen
        ]
    if request.args.get("format") == "csv" and results:
        return _csv(results)
    figures = _charts(results) if results else []
    return render(
        "budget/simulator.html",
        form=form,
        scales=all_scales,
        chosen=chosen,
        results=results,
        figures=figures,
        status=200 if valid else 422,
    )


def _charts(results: list) -> list:  # type: ignore[type-arg]
    names = [s.name for s, _r in results]
    totals = charts.bars(
        _("Per month: allocations, contributions, outside money"),
        [_("allocations"), _("contributions"), _("outside money")],
        [(s.name, [r.allocations, r.contributions, r.outside_needed]) for s, r in results],
        lambda cents: formatting.money(int(cents), whole=True),
    )
    deciles = charts.bars(
        _("Net monthly transfer per household, by income decile (poorest first)"),
        [f"D{n}" for n in range(1, 11)],
        [(s.name, list(r.decile_net)) for s, r in results],
        lambda cents: formatting.money(int(cents), whole=True),
    )
    return [(totals, names), (deciles, names)]


def _csv(results: list) -> Response:  # type: ignore[type-arg]
    return tabular.csv_response(
        "simulation.csv",
        [
            "proposal",
            "households",
            "allocations_eur",
            "contributions_eur",
            "share_percent",
            "outside_eur_month",
            "outside_eur_year",
            "runway_months",
            "paying_more",
            "paying_less",
            *[f"decile_{n}_net_eur" for n in range(1, 11)],
        ],
        (
            [
                scale_.name,
                r.households,
                formatting.machine_amount(r.allocations),
                formatting.machine_amount(r.contributions),
                f"{r.share_permille / 10:.1f}",
                formatting.machine_amount(r.outside_needed),
                formatting.machine_amount(r.outside_needed * 12),
                r.runway_months,
                r.paying_more,
                r.paying_less,
                *[formatting.machine_amount(v) for v in r.decile_net],
            ]
            for scale_, r in results
        ),
    )
