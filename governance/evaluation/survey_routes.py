"""Surveys: staff create campaigns and read their results; a person answers screen by screen
on their phone; a facilitator keys in a paper copy."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from governance.errors import DomainError
from governance.evaluation import surveys
from governance.evaluation.forms import ConfirmForm, PaperForm, SurveyForm
from governance.evaluation.models import Audience, SurveyCampaign, SurveyWave
from governance.evaluation.routes import bp
from governance.evaluation.survey_defaults import FOOD_HABITS
from governance.extensions import db
from governance.people.models import Person
from governance.web import form_status, render, save


@bp.route("/evaluation/enquetes", methods=["GET", "POST"])
def surveys_page() -> Response:
    form = SurveyForm()
    if not form.is_submitted():
        form.opens_on.data = date.today()
    created = form.validate_on_submit() and save(
        form,
        lambda: surveys.create(
            form.title.data,
            Audience(form.audience.data),
            form.plan.data,
            form.opens_on.data,
            FOOD_HABITS,
            current_user._get_current_object(),
        ),
    )
    if created:
        flash(_("The survey is created."), "success")
        return redirect(url_for(".survey_results", campaign_id=created.id))
    return render(
        "evaluation/surveys.html",
        block="form",
        form=form,
        campaigns=surveys.campaigns(),
        status=form_status(form),
    )


def _campaign(campaign_id: int) -> SurveyCampaign:
    return db.session.get(SurveyCampaign, campaign_id) or abort(404)


@bp.get("/evaluation/enquetes/<int:campaign_id>")
def survey_results(campaign_id: int) -> Response:
    campaign = _campaign(campaign_id)
    rates, questions = surveys.results(campaign, date.today())
    return render(
        "evaluation/survey_results.html", campaign=campaign, rates=rates, questions=questions
    )


def _wave(wave_id: int) -> SurveyWave:
    return db.session.get(SurveyWave, wave_id) or abort(404)


def _sections(wave: SurveyWave) -> list[dict[str, Any]]:
    return wave.campaign.definition["sections"]


def _given(questions: list[dict[str, Any]]) -> dict[str, str]:
    return {q["code"]: request.form[q["code"]] for q in questions if q["code"] in request.form}


@bp.route("/evaluation/enquetes/vague/<int:wave_id>/papier", methods=["GET", "POST"])
def survey_paper(wave_id: int) -> Response:
    """A paper copy typed in by a facilitator: whom it is from, then every answer at once."""
    wave = _wave(wave_id)
    today = date.today()
    people = db.session.scalars(
        select(Person)
        .where(Person.id.in_(surveys.asked_in(wave, today)))
        .order_by(Person.display_name)
    ).all()
    form = PaperForm()
    form.person_id.choices = [(p.id, p.display_name) for p in people]
    questions = [q for s in _sections(wave) for q in s["questions"]]
    errors: dict[str, str] = {}
    typed = _given(questions) if form.is_submitted() else {}
    if form.validate_on_submit():
        person = db.session.get(Person, form.person_id.data)

        def keep() -> Any:
            response = surveys.response_for(wave, person, keyed_by=current_user)
            errors.update(surveys.save_answers(response, typed))
            if errors:
                raise DomainError(_("Some answers cannot be kept: see below."))
            return surveys.submit(response)

        if save(form, keep):
            flash(
                _("The paper answers of %(name)s are saved.", name=person.display_name), "success"
            )
            return redirect(url_for(".survey_paper", wave_id=wave.id))
    return render(
        "evaluation/survey_paper.html",
        wave=wave,
        form=form,
        sections=_sections(wave),
        typed=typed,
        errors=errors,
        status=422
        if form.is_submitted() and (errors or form.errors or form.person_id.errors)
        else 200,
    )


# --- a person answers ------------------------------------------------------------------------


@bp.get("/compte/enquetes")
def my_surveys() -> Response:
    return render(
        "evaluation/my_surveys.html",
        waves=surveys.open_waves(current_user._get_current_object(), date.today()),
    )


def _asked_wave(wave_id: int, number: int) -> SurveyWave:
    """Only the people the wave asks reach it (404 for anyone else, as for a missing one)."""
    wave = _wave(wave_id)
    if not surveys.is_asked(wave, current_user, date.today()):
        abort(404)
    if not 1 <= number <= len(_sections(wave)) + 1:
        abort(404)
    return wave


def _screen(
    wave: SurveyWave, number: int, errors: dict[str, str], typed: dict[str, str], status: int = 200
) -> Response:
    response = surveys.find_response(wave, current_user._get_current_object())
    sections = _sections(wave)
    return render(
        "evaluation/survey_screen.html",
        wave=wave,
        number=number,
        count=len(sections),
        section=sections[number - 1] if number <= len(sections) else None,
        answers=surveys.answers(response),
        missing=surveys.missing(wave, response) if number > len(sections) else [],
        submitted=response is not None and response.submitted_at is not None,
        errors=errors,
        typed=typed,
        csrf_form=ConfirmForm(formdata=None),
        status=status,
    )


@bp.get("/compte/enquetes/<int:wave_id>/<int:number>")
def survey_screen(wave_id: int, number: int) -> Response:
    return _screen(_asked_wave(wave_id, number), number, {}, {})


@bp.post("/compte/enquetes/<int:wave_id>/reponse")
def survey_answer(wave_id: int) -> Response:
    """One answer, sent by the phone as soon as it is given (or later, when back online). The
    reply names the question and the key the phone gave it: the phone forgets only that one."""
    wave = _wave(wave_id)
    question, key = request.form.get("question", ""), request.form.get("key", "")[:64]
    if not surveys.is_asked(wave, current_user, date.today()):
        return jsonify(error=_("This survey is not open to you.")), 403
    if not ConfirmForm().validate_on_submit():
        return jsonify(error=_("This form has expired. Reload the page.")), 400
    if question not in surveys.codes(wave.campaign):
        return jsonify(question=question, key=key, error=_("This question is unknown.")), 422
    person = current_user._get_current_object()
    response = surveys.response_for(wave, person)
    errors = surveys.save_answers(response, {question: request.form.get("value", "")})
    if errors:
        db.session.rollback()
        return jsonify(question=question, key=key, error=errors[question]), 422
    db.session.commit()
    return jsonify(question=question, key=key, by=person.display_name)


@bp.post("/compte/enquetes/<int:wave_id>/<int:number>")
def survey_screen_save(wave_id: int, number: int) -> Response:
    """A screen's answers, saved as soon as it is sent; the screen after the last one sends
    the whole survey."""
    wave = _asked_wave(wave_id, number)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    response = surveys.response_for(wave, current_user._get_current_object())
    sections = _sections(wave)
    if number > len(sections):
        try:
            surveys.submit(response)
        except DomainError:
            db.session.rollback()
            return _screen(wave, number, {}, {}, status=422)
        db.session.commit()
        flash(_("Thank you: your answers are sent."), "success")
        return redirect(url_for(".my_surveys"))
    typed = _given(sections[number - 1]["questions"])
    errors = surveys.save_answers(response, typed)
    if errors:
        db.session.rollback()
        return _screen(wave, number, errors, typed, status=422)
    db.session.commit()
    target = number - 1 if request.form.get("go") == "back" else number + 1
    return redirect(url_for(".survey_screen", wave_id=wave.id, number=max(1, target)))
