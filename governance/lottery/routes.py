"""Draws by lot: the admin's pages, and the public record anyone can read and re-run."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance import tabular
from governance.budget.models import Household
from governance.db import begin_writing
from governance.extensions import db
from governance.jobs import services as jobs
from governance.jobs.queue import launch
from governance.lottery import record as published
from governance.lottery import services, sortition
from governance.lottery.forms import (
    METHOD_LABELS,
    PURPOSE_LABELS,
    STATUS_LABELS,
    LotteryForm,
    PoolForm,
    QuotaTable,
    StepForm,
    quota_table,
)
from governance.lottery.models import Lottery, LotteryStatus, Method, Purpose
from governance.people.models import Group
from governance.web import form_status, reads_first, render, save

bp = Blueprint("lottery", __name__, url_prefix="/tirages", template_folder="templates")


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {
        "feature_label": sortition.label,
        "lottery_status_labels": STATUS_LABELS,
        "LotteryStatus": LotteryStatus,
        "sortition_version": sortition.VERSION,
        "method_labels": METHOD_LABELS,
        "purpose_labels": PURPOSE_LABELS,
    }


def _lottery(lottery_id: int) -> Lottery:
    found = db.session.get(Lottery, lottery_id)
    if found is None:
        abort(404)
    return found


def _new_form() -> LotteryForm:
    form = LotteryForm()
    groups = db.session.scalars(select(Group).order_by(Group.name))
    form.group_id.choices = [SelectChoice(0, _("— no group —"))] + [
        SelectChoice(g.id, g.name) for g in groups
    ]
    return form


@bp.route("", methods=["GET", "POST"])
def index() -> Response:
    form = _new_form()
    if form.validate_on_submit():
        group = db.session.get(Group, form.group_id.data) if form.group_id.data else None
        lottery = save(
            form,
            lambda: services.open_lottery(
                form.title.data,
                Purpose(form.purpose.data),
                group,
                form.places.data,
                Method(form.method.data),
                current_user,
            ),
        )
        if lottery is not None:
            return redirect(url_for("lottery.lottery", lottery_id=lottery.id))
    rows = db.session.scalars(select(Lottery).order_by(Lottery.id.desc())).all()
    return render("lottery/index.html", lotteries=rows, form=form, status=form_status(form))


def _page(lottery: Lottery, status: int = 200, **context: Any) -> Response:
    context.setdefault("pool_form", PoolForm())
    context.setdefault("report", None)
    context.setdefault("refusal", None)
    context.setdefault(
        "quotas",
        quota_table(services.categories(lottery), lottery.features, lottery.quotas, lottery.places),
    )
    group = db.session.get(Group, lottery.group_id) if lottery.group_id else None
    enrolled = [c.household_id for c in lottery.candidates if c.household_id]
    references = dict(
        db.session.execute(
            select(Household.id, Household.reference).where(Household.id.in_(enrolled))
        ).all()
    )
    return render(
        "lottery/lottery.html",
        lottery=lottery,
        group=group,
        step=StepForm(),
        by_number={c.number: c for c in lottery.candidates},
        references=references,
        check_job=jobs.latest_for("lottery_check", "lottery", lottery.id),
        status=status,
        **context,
    )


@bp.get("/<int:lottery_id>")
def lottery(lottery_id: int) -> Response:
    return _page(_lottery(lottery_id))


@bp.post("/<int:lottery_id>/candidats")
def pool_import(lottery_id: int) -> Response:
    found = _lottery(lottery_id)
    form = PoolForm()
    if form.validate_on_submit() and form.upload.data:
        text = form.upload.data.read().decode("utf-8-sig", "replace")
        count, report = services.import_pool(found, text)
        if not report:
            db.session.commit()
            flash(_("%(count)d candidates in the pool.", count=count), "success")
            return redirect(url_for("lottery.lottery", lottery_id=found.id, _anchor="quotas"))
        db.session.rollback()
    else:
        report = [services.ImportLine(0, [_("Choose a CSV file.")])]
    return _page(_lottery(lottery_id), 422, pool_form=form, report=report)


@bp.get("/<int:lottery_id>/modele.csv")
def pool_template(lottery_id: int) -> Response:
    """The file to fill in: the people with an account who could join, features left blank."""
    header, *rows = services.template_rows(_lottery(lottery_id))
    return tabular.csv_response("candidats.csv", header, rows)


@bp.post("/<int:lottery_id>/quotas")
def quotas(lottery_id: int) -> Response:
    found = _lottery(lottery_id)
    table: QuotaTable = quota_table(
        services.categories(found), found.features, found.quotas, found.places, request.form
    )
    form = StepForm()
    if form.validate_on_submit() and not table.has_errors:
        saved = save(
            form,
            lambda: services.save_quotas(found, table.used, table.values()),
            lambda error: flash(str(error.message), "error"),  # the table has no field for it
        )
        if saved:
            flash(_("The quotas are saved. Now check them."), "success")
            return redirect(url_for("lottery.lottery", lottery_id=found.id, _anchor="check"))
    return _page(_lottery(lottery_id), 422, quotas=table)


@bp.post("/<int:lottery_id>/verifier")
@reads_first
def check(lottery_id: int) -> Response:
    """The check runs in the queue's worker; its page shows the progress, then the outcome."""
    found = _lottery(lottery_id)  # read without the write lock (web.READ_FIRST)
    digest = hashlib.sha256(json.dumps(services.inputs(found), sort_keys=True).encode())
    begin_writing(db.session)
    job = jobs.start(
        "lottery_check",
        f"lottery:{lottery_id}:{digest.hexdigest()}",
        current_user,
        {"lottery": lottery_id, "back": {"lottery_id": lottery_id}, "locale": str(get_locale())},
    )
    return redirect(url_for("jobs.job", job_id=launch(job)))


def _step(lottery_id: int, action: Any, message: str) -> Response:
    found = _lottery(lottery_id)
    action(found)
    db.session.commit()
    flash(message, "success")
    return redirect(url_for("lottery.lottery", lottery_id=found.id))


@bp.post("/<int:lottery_id>/engager")
def commit(lottery_id: int) -> Response:
    return _step(
        lottery_id,
        services.commit,
        _("The seed's fingerprint is published. Nothing can change any more before the draw."),
    )


@bp.post("/<int:lottery_id>/tirer")
def draw(lottery_id: int) -> Response:
    return _step(lottery_id, services.run_draw, _("The draw is done; the seed is revealed."))


@bp.post("/<int:lottery_id>/confirmer")
def confirm(lottery_id: int) -> Response:
    return _step(
        lottery_id,
        lambda found: services.confirm(found, date.today()),
        _("The selected candidates are enrolled."),
    )


# --- the public record --------------------------------------------------------------------


def _published(lottery_id: int) -> Lottery:
    found = _lottery(lottery_id)
    if found.status is LotteryStatus.DRAFT:
        abort(404)
    return found


@bp.get("/registre")
def records() -> Response:
    rows = db.session.scalars(
        select(Lottery)
        .where(Lottery.status != LotteryStatus.DRAFT)
        .order_by(Lottery.committed_at.desc())
    ).all()
    return render("lottery/records.html", lotteries=rows)


@bp.get("/<int:lottery_id>/registre")
def record(lottery_id: int) -> Response:
    found = _published(lottery_id)
    return render(
        "lottery/record.html",
        lottery=found,
        table=published.selected_per_category(found),
        revealed=found.status is not LotteryStatus.COMMITTED,
    )


@bp.get("/<int:lottery_id>/registre.json")
def record_json(lottery_id: int) -> Response:
    """Everything needed to re-run the draw, and no personal data: candidates are numbers."""
    return jsonify(published.public_record(_published(lottery_id)))
