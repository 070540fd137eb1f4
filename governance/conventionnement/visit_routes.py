"""The binôme's questionnaire on their phones, one section per screen, and the report."""

from __future__ import annotations

import secrets
from pathlib import Path

from flask import abort, current_app, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance import attachments, formatting
from governance.access import access
from governance.conventionnement import policy, services
from governance.conventionnement.forms import PhotoForm, SubmitForm
from governance.conventionnement.models import Visit
from governance.conventionnement.routes import bp
from governance.db import begin_writing
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import ConfirmForm
from governance.web import form_status, reads_first, render, save


def _sections(visit: Visit) -> list[dict]:  # type: ignore[type-arg]
    return visit.questionnaire.definition["sections"]


def _section_page(
    visit: Visit,
    number: int,
    errors: dict[str, str] | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    sections = _sections(visit)
    answers = services.answers(visit)
    required = [q for s in sections for q in s["questions"] if q.get("required")]
    done = sum(1 for q in required if answers.get(q["code"]) and answers[q["code"]].value)
    return render(
        "conventionnement/section.html",
        visit=visit,
        section=sections[number - 1],
        number=number,
        count=len(sections),
        answers=answers,
        errors=errors or {},
        typed=typed or {},
        done=done,
        required=len(required),
        status=status,
        csrf_form=ConfirmForm(formdata=None),
    )


@bp.get("/visites/<int:visit_id>/<int:number>")
@access(policy.VISIT, rule=policy.can_answer_visit)
def section(visit: Visit, number: int) -> Response:
    if not 1 <= number <= len(_sections(visit)):
        abort(404)
    return _section_page(visit, number)


@bp.post("/visites/<int:visit_id>/<int:number>")
@access(policy.VISIT, rule=policy.can_answer_visit)
def section_save(visit: Visit, number: int) -> Response:
    """Without JavaScript the whole screen is sent at once; it is saved the same way."""
    if not 1 <= number <= len(_sections(visit)) or not ConfirmForm().validate_on_submit():
        abort(400)
    errors, typed = {}, {}
    for question in _sections(visit)[number - 1]["questions"]:
        value = request.form.get(question["code"])
        if value is None:
            continue
        typed[question["code"]] = value
        try:
            with db.session.begin_nested():
                services.record_answer(
                    visit, current_user, question["code"], value, secrets.token_hex(16)
                )
        except DomainError as error:
            errors[question["code"]] = str(error.message)
    if errors:
        db.session.rollback()
        return _section_page(visit, number, errors, typed, status=422)
    db.session.commit()
    target = number + 1 if request.form.get("go") != "back" else number - 1
    if target > len(_sections(visit)):
        return redirect(url_for("conventionnement.submit", visit_id=visit.id))
    return redirect(url_for("conventionnement.section", visit_id=visit.id, number=max(1, target)))


@bp.post("/visites/<int:visit_id>/reponse")
@reads_first
@access(policy.VISIT, rule=policy.can_answer_visit)
def answer(visit: Visit) -> Response:
    """One answer, sent by the phone as soon as it is given (or later, when back online)."""
    if not ConfirmForm().validate_on_submit():
        return jsonify(error=_("This form has expired. Reload the page.")), 400
    try:
        at_ms = int(request.form.get("at", "0") or 0)
    except ValueError:
        at_ms = 0
    person = current_user._get_current_object()
    question, key = request.form.get("question", ""), request.form.get("key", "")[:64]
    # Only the write holds the lock, which re-checks everything; only answers of this visit
    # wait for one another (see db.begin_writing).
    begin_writing(db.session, scope=("visit", visit.id))
    try:
        saved = services.record_answer(
            visit,
            person,
            question,
            request.form.get("value", ""),
            key or secrets.token_hex(16),
            at_ms or None,
        )
    except DomainError as error:
        db.session.rollback()
        # Naming the answer refused lets the phone drop that one and keep the others.
        return jsonify(question=question, key=key, error=str(error.message)), error.status
    db.session.commit()
    # The phone forgets an answer only on this echo of that very answer (its key). When a
    # later answer to the question was already saved, it is the one shown.
    return jsonify(
        question=saved.question,
        key=key,
        value=saved.value,
        newer=saved.key != key,
        by=saved.answered_by.display_name if saved.answered_by else "",
    )


def _wants_json() -> bool:
    return request.accept_mimetypes.best == "application/json"


def _submit_page(
    visit: Visit, form: SubmitForm, status: int, photo_form: PhotoForm | None = None
) -> Response:
    return render(
        "conventionnement/submit.html",
        block="form",
        form=form,
        photo_form=photo_form or PhotoForm(formdata=None, key=secrets.token_hex(16)),
        visit=visit,
        photos=attachments.listing("visit", visit.id),
        photos_max=current_app.config["VISIT_PHOTOS_MAX"],
        missing=services.missing(visit),
        sections=_sections(visit),
        status=status,
    )


@bp.route("/visites/<int:visit_id>/envoyer", methods=["GET", "POST"])
@access(policy.VISIT, rule=policy.can_answer_visit)
def submit(visit: Visit) -> Response:
    form = SubmitForm()
    if request.method == "POST" and _wants_json():
        return _submit_json(visit, form)
    if form.validate_on_submit():
        result = save(
            form,
            lambda: services.submit(visit, current_user, form.band.data, form.opinion.data or ""),
        )
        if result is not None:
            flash(
                _(
                    "The questionnaire is sent: %(total)s / 100.",
                    total=formatting.number(result.total),
                ),
                "success",
            )
            return redirect(url_for("conventionnement.report", visit_id=visit.id))
    return _submit_page(visit, form, form_status(form))


def _submit_json(visit: Visit, form: SubmitForm) -> Response:
    """The sending kept by a phone that was offline, sent once its answers and photos are in.
    A questionnaire already sent (this phone's own sending heard late, or the other phone's)
    is confirmed: the phone forgets it and shows the report."""
    report = url_for("conventionnement.report", visit_id=visit.id)
    key = request.form.get("key", "")[:64]
    if not form.validate_on_submit():
        errors = [e for field in form for e in field.errors]
        if "csrf_token" in form.errors:
            return jsonify(key=key, error=_("This form has expired. Reload the page.")), 400
        return jsonify(key=key, error=" ".join(str(e) for e in errors)), 422
    if visit.submitted_at is not None:
        return jsonify(key=key, sent=True, report=report)
    try:
        result = services.submit(visit, current_user, form.band.data, form.opinion.data or "")
    except DomainError as error:
        db.session.rollback()
        return jsonify(key=key, error=str(error.message)), error.status
    db.session.commit()
    flash(
        _("The questionnaire is sent: %(total)s / 100.", total=formatting.number(result.total)),
        "success",
    )
    return jsonify(key=key, sent=True, report=report)


@bp.post("/visites/<int:visit_id>/photos")
@reads_first
@access(policy.VISIT, rule=policy.can_answer_visit)
def photo_add(visit: Visit) -> Response:
    """A photo taken during the visit (reduced by the phone, or sent as it is without
    JavaScript), kept once however many times the phone sends it again."""
    form = PhotoForm()
    upload = request.files.get("photo")
    key = (form.key.data or "")[:64]
    if not form.validate_on_submit():
        if _wants_json():
            return jsonify(key=key, error=_("This form has expired. Reload the page.")), 400
        abort(400)
    content = upload.read(current_app.config["ATTACHMENT_MAX_BYTES"] + 1) if upload else b""
    name = (upload.filename if upload else "") or "photo.jpg"
    try:
        attachments.check(name, content)  # read and checked before the write lock is taken
        begin_writing(db.session, scope=("visit", visit.id))  # like its answers
        photo = attachments.attach(
            "visit",
            visit.id,
            current_user._get_current_object(),
            name,
            content,
            key or secrets.token_hex(16),
            limit=current_app.config["VISIT_PHOTOS_MAX"],
        )
    except DomainError as error:
        db.session.rollback()
        if _wants_json():
            return jsonify(key=key, error=str(error.message)), error.status
        form.photo.errors = [str(error.message)]
        return _submit_page(visit, SubmitForm(formdata=None), 422, photo_form=form)
    db.session.commit()
    url = url_for("conventionnement.photo", visit_id=visit.id, attachment_id=photo.id)
    if _wants_json():
        return jsonify(attachments.as_json(photo, url))
    flash(_("The photo is kept with the visit."), "success")
    return redirect(url_for("conventionnement.submit", visit_id=visit.id) + "#photos")


@bp.get("/visites/<int:visit_id>/photos/<int:attachment_id>")
@access(policy.VISIT, rule=policy.can_read_visit)
def photo(visit: Visit, attachment_id: int) -> Response:
    found = attachments.find("visit", visit.id, attachment_id)
    if found is None:
        abort(404)
    return attachments.serve(found)


@bp.get("/visites/hors-ligne.js")
def offline_worker() -> Response:
    """The service worker that keeps a visit's screens on the phone once opened with signal.
    Served from here so that its scope is the visits and nothing else."""
    assert current_app.static_folder is not None
    script = (Path(current_app.static_folder) / "js" / "visit-worker.js").read_bytes()
    response = Response(script, mimetype="text/javascript")
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.get("/visites/<int:visit_id>/rapport")
@access(policy.VISIT, rule=policy.can_read_visit)
def report(visit: Visit) -> Response:
    questions = {q["code"]: q for s in _sections(visit) for q in s["questions"]}
    return render(
        "conventionnement/report.html",
        visit=visit,
        questions=questions,
        answers=services.answers(visit),
    )
