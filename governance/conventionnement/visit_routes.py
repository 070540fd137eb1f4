"""The binôme's questionnaire on their phones, one section per screen, and the report."""

from __future__ import annotations

import secrets

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance import formatting
from governance.access import access
from governance.conventionnement import policy, services
from governance.conventionnement.forms import SubmitForm
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


@bp.route("/visites/<int:visit_id>/envoyer", methods=["GET", "POST"])
@access(policy.VISIT, rule=policy.can_answer_visit)
def submit(visit: Visit) -> Response:
    form = SubmitForm()
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
    return render(
        "conventionnement/submit.html",
        block="form",
        form=form,
        visit=visit,
        missing=services.missing(visit),
        sections=_sections(visit),
        status=form_status(form),
    )


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
