"""Purchase imports as a treasurer does them: send the file, choose its columns once per
operator, read the preview (what is new, what was already done), then confirm; the worker
writes it, all or nothing. And the payment operators with their codes for the points of sale."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance.budget import purchase_files
from governance.budget.ledger_forms import (
    FIELD_LABELS,
    CodesForm,
    ColumnsForm,
    ImportForm,
    OperatorForm,
)
from governance.budget.ledger_routes import _launch, _payload
from governance.budget.models import PaymentOperator, PurchaseUpload
from governance.budget.routes import bp
from governance.conventionnement.models import PointOfSale
from governance.db import begin_writing
from governance.errors import DomainError
from governance.extensions import db
from governance.jobs import services as jobs
from governance.web import field_error, form_status, reads_first, render, save

SAMPLE = 10


def _operators() -> list[PaymentOperator]:
    return list(db.session.scalars(select(PaymentOperator).order_by(PaymentOperator.name)))


@bp.route("/comptes/achats", methods=["GET", "POST"])
@reads_first
def purchase_import() -> Response:
    """The file is read here and kept for its preview; nothing goes to the books yet."""
    form = ImportForm()
    operators = _operators()
    form.operator.choices = [SelectChoice(0, _("— none, or not in the list —"))]
    form.operator.choices += [SelectChoice(o.id, o.name) for o in operators]
    if form.validate_on_submit():
        operator = next((o for o in operators if o.id == form.operator.data), None)
        raw = form.upload.data.read() if form.upload.data else b""
        filename = getattr(form.upload.data, "filename", "") or ""
        try:
            if not raw.strip():
                raise DomainError(_("The file is empty."), "upload")
            table = purchase_files.read(raw)
        except DomainError as error:
            field_error(form, error)
        else:
            begin_writing(db.session)  # the file is read: the lock only for its row
            upload = save(
                form,
                lambda: purchase_files.receive(raw, table, filename, operator, current_user.id),
            )
            if upload is not None:
                return redirect(url_for("budget.purchase_upload", upload_id=upload.id))
    return render(
        "budget/purchases.html",
        form=form,
        recent=jobs.recent("purchase_import"),
        has_operators=bool(operators),
        status=form_status(form),
    )


@bp.route("/comptes/achats/<int:upload_id>", methods=["GET", "POST"])
@reads_first
def purchase_upload(upload_id: int) -> Response:
    """The preview; its columns chosen (``action=columns``) or the import confirmed."""
    upload = db.session.get(PurchaseUpload, upload_id) or abort(404)
    form = ColumnsForm(data=upload.columns if request.method == "GET" else None)
    form.offer(upload.table["header"])
    status = 200
    if request.method == "POST" and form.validate_on_submit():
        if request.form.get("action") == "columns":
            chosen = {name: form[name].data for name in FIELD_LABELS}
            begin_writing(db.session)
            if save(form, lambda: purchase_files.choose_columns(upload, chosen)):
                return redirect(url_for("budget.purchase_upload", upload_id=upload.id))
            status = 422
        elif purchase_files.mapped(upload):
            text = purchase_files.canonical_text(upload)
            payload = _payload()
            if upload.operator_id is not None:
                payload["operator"] = upload.operator_id  # type: ignore[assignment]
            begin_writing(db.session)  # the lock only for the job's row (and the columns)
            purchase_files.remember_columns(upload)
            key = f"purchases:{upload.digest}"
            return _launch(jobs.start("purchase_import", key, current_user, payload, text))
        else:
            status = 422  # confirmed before its columns were chosen
    elif request.method == "POST":
        status = 422
    shown = purchase_files.preview(upload) if purchase_files.mapped(upload) else None
    return render(
        "budget/purchase_preview.html",
        upload=upload,
        operator=db.session.get(PaymentOperator, upload.operator_id)
        if upload.operator_id
        else None,
        form=form,
        preview=shown,
        sample=upload.table["rows"][:SAMPLE],
        header=upload.table["header"],
        status=status,
    )


@bp.route("/comptes/operateurs", methods=["GET", "POST"])
def operators() -> Response:
    form = OperatorForm()
    if form.validate_on_submit():
        created = save(form, lambda: purchase_files.add_operator(form.name.data))
        if created is not None:
            flash(_("The operator %(name)s is recorded.", name=created.name), "success")
            return redirect(url_for("budget.operator", operator_id=created.id))
    return render(
        "budget/operators.html",
        form=form,
        operators=_operators(),
        status=form_status(form) if not getattr(form, "refusal", None) else 422,
    )


@bp.route("/comptes/operateurs/<int:operator_id>", methods=["GET", "POST"])
def operator(operator_id: int) -> Response:
    """The operator's codes for the points of sale, one input each (several: commas)."""
    operator = db.session.get(PaymentOperator, operator_id) or abort(404)
    points = db.session.scalars(select(PointOfSale).order_by(PointOfSale.name)).all()
    form = CodesForm()
    typed = purchase_files.codes_of(operator)
    status = 200
    if form.validate_on_submit():
        typed = {p.id: request.form.get(f"code-{p.id}", "")[:500] for p in points}
        if save(form, lambda: purchase_files.set_codes(operator, typed) or operator):
            flash(_("The codes are saved."), "success")
            return redirect(url_for("budget.operator", operator_id=operator.id))
        status = 422
    elif form.is_submitted():
        status = 422
    return render(
        "budget/operator.html",
        operator=operator,
        points=points,
        typed=typed,
        form=form,
        labels=FIELD_LABELS,
        status=status,
    )
