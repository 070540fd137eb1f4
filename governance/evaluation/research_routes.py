"""The research export: the evaluator reads who consented and downloads the pseudonymised
dataset; every export is recorded (and, being a write of an evaluator, in the audit log)."""

from __future__ import annotations

from datetime import date

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from governance import tabular
from governance.evaluation import dataset, services
from governance.evaluation.forms import ConfirmForm
from governance.evaluation.models import ResearchExport
from governance.evaluation.routes import bp
from governance.extensions import db
from governance.web import render

LAST_EXPORTS = 20


@bp.get("/evaluation/recherche")
def research() -> Response:
    exports = db.session.scalars(
        select(ResearchExport).order_by(ResearchExport.id.desc()).limit(LAST_EXPORTS)
    ).all()
    return render(
        "evaluation/research.html",
        consenting=len(dataset.consenting()),
        exports=exports,
        columns=dataset.columns(),
        form=ConfirmForm(formdata=None),
    )


@bp.post("/evaluation/recherche/export")
def research_export() -> Response:
    form = ConfirmForm()
    if not form.validate_on_submit():
        flash(_("This form has expired. Reload the page, then send it again."), "error")
        return redirect(url_for(".research"))
    header = dataset.columns()
    rows = dataset.rows(date.today())
    text = tabular.csv_text(header, rows)
    services.record_export(current_user._get_current_object(), len(rows), dataset.digest(text))
    db.session.commit()
    # the same writer writes the same text: the file sent is the one whose digest is recorded
    return tabular.csv_response(f"tablee-research-{date.today().isoformat()}.csv", header, rows)
