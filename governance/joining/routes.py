"""Joining (public application, the welcome, enrolment) and a household's own contribution."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import segno
from flask import Blueprint, abort, current_app, flash, redirect, request, url_for
from flask_babel import format_datetime, ngettext
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response

from governance.access import access
from governance.budget import assessments, rules
from governance.budget.models import Household, Scale
from governance.budget.rules import Suggestion
from governance.budget.sections import example_sentence
from governance.budget.services import active_scale
from governance.conventionnement import territories
from governance.db import utcnow
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import ConfirmForm
from governance.joining import policy, services
from governance.joining.forms import (
    HEARD_LABELS,
    MODE_LABELS,
    MOVE_LABELS,
    STATUS_LABELS,
    ApplyForm,
    AssessmentForm,
    EnrolForm,
    IntakeForm,
    InviteForm,
)
from governance.joining.models import Applicant, ApplicantStatus, HeardFrom, PlacesMode
from governance.people import queries as people_queries
from governance.people.models import Person
from governance.people.policy import is_admin
from governance.people.services import format_card_code
from governance.sessions.models import Meeting, MeetingStatus
from governance.web import external_url, field_error, form_status, render, save

bp = Blueprint("joining", __name__, template_folder="templates")

STEPS = {
    "nouvelle": ApplicantStatus.NEW,
    "invitee": ApplicantStatus.INVITED,
    "venue": ApplicantStatus.CAME,
    "attente": ApplicantStatus.WAITING,
    "retiree": ApplicantStatus.WITHDRAWN,
}
STEP_WORDS = {status: word for word, status in STEPS.items()}


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {
        "applicant_status_labels": STATUS_LABELS,
        "heard_labels": HEARD_LABELS,
        "places_mode_labels": MODE_LABELS,
    }


# --- the public page ----------------------------------------------------------------------


def _what_one_gets() -> dict[str, object]:
    """The scale in force, told through three households (nothing when none is in force)."""
    scale = active_scale(date.today().replace(day=1))
    if scale is None:
        return {"scale": None, "sentences": []}
    examples = rules.examples(scale.allocation, scale.contribution)
    return {"scale": scale, "sentences": [example_sentence(e) for e in examples]}


@bp.route("/rejoindre", methods=["GET", "POST"])
def apply() -> Response:
    """Anyone, without an account and without JavaScript, asks to join."""
    form = ApplyForm()
    if form.validate_on_submit():
        done = save(
            form,
            lambda: services.apply(
                services.Application(
                    name=form.name.data,
                    adults=form.adults.data,
                    teens=form.teens.data,
                    children=form.children.data,
                    income_bracket=form.income_bracket.data,
                    neighbourhood=form.neighbourhood.data,
                    heard_from=HeardFrom(form.heard_from.data),
                    heard_detail=form.heard_detail.data or "",
                    email=form.email.data or None,
                    phone=form.phone.data or None,
                )
            ),
        )
        if done:
            _applicant, new = done
            if new:
                flash(_("Thank you: your application is recorded."), "success")
            else:
                flash(_("We already have your application: there is nothing more to do."), "info")
            return redirect(url_for("joining.thanks"))
    return render(
        "joining/apply.html",
        form=form,
        places_left=services.places_left(),
        **_what_one_gets(),
        status=form_status(form),
    )


@bp.get("/rejoindre/merci")
def thanks() -> Response:
    return render("joining/thanks.html")


# --- the welcome: applicants, their steps, enrolment ----------------------------------------


def _intake_form() -> IntakeForm:
    found = services.intake()
    form = IntakeForm(formdata=request.form if request.method == "POST" else None)
    if request.method != "POST":
        form.capacity.data, form.mode.data = found.capacity, found.mode.value
        form.decision_reference.data = found.decision_reference
    return form


@bp.get("/accueil")
def applicants() -> Response:
    wanted = STEPS.get(request.args.get("etape", ""))
    if request.args.get("etape") == "inscrite":
        wanted = ApplicantStatus.ENROLLED
    return _applicants_page(wanted, _intake_form())


def _invite_form() -> InviteForm:
    form = InviteForm(formdata=request.form if request.method == "POST" else None)
    meetings = services.welcome_meetings(utcnow() - timedelta(hours=12))
    form.meeting.choices = [
        (m.id, f"{format_datetime(m.starts_at, 'short')} · {m.title} · {m.group.name}")
        for m in policy.welcomes_at(current_user, meetings)
    ]
    form.applicants.choices = [(a.id, a.name) for a in services.invitable()]
    return form


def _applicants_page(
    wanted: ApplicantStatus | None,
    form: IntakeForm,
    status: int = 200,
    invite_form: InviteForm | None = None,
) -> Response:
    invited = services.meetings_with_applicants()
    mine = set(policy.welcomes_at(current_user, [meeting for meeting, _count in invited]))
    return render(
        "joining/applicants.html",
        invite_form=invite_form or _invite_form(),
        welcomes=[(meeting, count) for meeting, count in invited if meeting in mine],
        applicants=services.applicants(wanted),
        wanted=wanted,
        counts=services.counts(),
        intake=services.intake(),
        enrolled=services.enrolled_count(),
        places_left=services.places_left(),
        intake_form=form,
        PlacesMode=PlacesMode,
        ApplicantStatus=ApplicantStatus,
        step_words=STEP_WORDS,
        status=status,
    )


@bp.post("/accueil/reglages")
def intake_settings() -> Response:
    form = _intake_form()
    if form.validate_on_submit() and save(
        form,
        lambda: services.set_intake(
            form.capacity.data, PlacesMode(form.mode.data), form.decision_reference.data or ""
        ),
    ):
        flash(_("The settings are saved."), "success")
        return redirect(url_for("joining.applicants"))
    return _applicants_page(None, form, status=422)


@bp.post("/accueil/inviter")
def invite() -> Response:
    """Invite the chosen applicants to a welcome meeting."""
    form = _invite_form()
    if form.validate_on_submit():
        meeting = db.session.get(Meeting, form.meeting.data)
        chosen = [db.session.get(Applicant, i) for i in form.applicants.data]
        if save(
            form,
            lambda: [services.invite(a, meeting, current_user) for a in chosen if a],
            lambda error: form.applicants.errors.append(str(error.message)),
        ):
            flash(
                ngettext("%(num)s household invited.", "%(num)s households invited.", len(chosen)),
                "success",
            )
            return redirect(url_for("joining.welcome", meeting_id=meeting.id))
    return _applicants_page(None, _intake_form(), status=422, invite_form=form)


@bp.get("/accueil/reunions/<int:meeting_id>")
@access(policy.WELCOME)
def welcome(meeting: Meeting) -> Response:
    """The welcome meeting's list of invited households: during it, staff mark who came."""
    return render(
        "joining/welcome.html",
        meeting=meeting,
        invited=services.invited_to(meeting),
        confirm=ConfirmForm(),
        ApplicantStatus=ApplicantStatus,
        MeetingStatus=MeetingStatus,
    )


@bp.post("/accueil/reunions/<int:meeting_id>/venue/<int:applicant_id>")
@access(policy.WELCOME)
def welcome_came(meeting: Meeting, applicant_id: int) -> Response:
    found = _applicant(applicant_id)
    form = ConfirmForm()
    if form.validate_on_submit() and save(
        form,
        lambda: services.check_in(found, meeting, current_user),
        lambda error: flash(str(error.message), "error"),
    ):
        flash(_("%(name)s came.", name=found.name), "success")
    return redirect(url_for("joining.welcome", meeting_id=meeting.id))


def _applicant(applicant_id: int) -> Applicant:
    found = db.session.get(Applicant, applicant_id)
    if found is None:
        abort(404)
    return found


def _enrol_form(applicant: Applicant) -> EnrolForm:
    form = EnrolForm(formdata=request.form if request.method == "POST" else None)
    if territories.several():
        form.territory.choices = [("", _("Choose a territory"))] + [
            (t.id, t.name) for t in territories.all_territories()
        ]
    else:
        del form.territory  # one territory (or none): the household goes there
    if request.method != "POST":
        form.adults.data, form.teens.data = applicant.adults, applicant.teens
        form.children.data, form.income_bracket.data = applicant.children, applicant.income_bracket
    return form


def _applicant_page(found: Applicant, form: EnrolForm, status: int = 200) -> Response:
    return render(
        "joining/applicant.html",
        applicant=found,
        form=form,
        moves=[s for s in services.MOVES[found.status] if s in MOVE_LABELS],
        move_labels=MOVE_LABELS,
        step_words=STEP_WORDS,
        refusal=services.enrol_refusal(found),
        confirm=ConfirmForm(),
        ApplicantStatus=ApplicantStatus,
        status=status,
    )


@bp.get("/accueil/candidatures/<int:applicant_id>")
def applicant(applicant_id: int) -> Response:
    found = _applicant(applicant_id)
    return _applicant_page(found, _enrol_form(found))


@bp.post(
    "/accueil/candidatures/<int:applicant_id>/etape/<any(nouvelle,invitee,venue,attente,retiree):step>"
)
def applicant_move(applicant_id: int, step: str) -> Response:
    found = _applicant(applicant_id)
    form = ConfirmForm()
    if form.validate_on_submit() and save(
        form,
        lambda: services.move(found, STEPS[step], current_user),
        lambda error: flash(str(error.message), "error"),
    ):
        flash(_("Done: %(step)s.", step=STATUS_LABELS[STEPS[step]]), "success")
    return redirect(url_for("joining.applicant", applicant_id=found.id))


def _answers(form: AssessmentForm) -> assessments.Answers:
    return assessments.Answers(
        form.adults.data,
        form.teens.data,
        form.children.data,
        form.income_bracket.data,
        rules.to_cents(form.left.data),
        rules.to_cents(form.food.data),
    )


@bp.post("/accueil/candidatures/<int:applicant_id>/inscrire")
def applicant_enrol(applicant_id: int) -> Response:
    """The household, its login card and its first assessment; the card's code shown once."""
    found = _applicant(applicant_id)
    form = _enrol_form(found)
    valid = form.validate_on_submit()
    if valid and form.declared.data is None:
        form.declared.errors = [_("Please write the amount the household will give.")]
    elif valid:
        done = save(
            form,
            lambda: services.enrol(
                found,
                _answers(form),
                rules.to_cents(form.declared.data),
                current_user,
                date.today(),
                form.territory.data if "territory" in form else None,
            ),
        )
        if done:
            url = external_url("people.card_scan", code=done.card_code)
            return render(
                "joining/enrolled.html",
                applicant=found,
                household=done.household,
                person=done.person,
                code=format_card_code(done.card_code),
                url=url,
                qr_svg=segno.make(url, error="m").svg_inline(scale=4, title=_("QR code to log in")),
                valid_days=current_app.config["LOGIN_CARD_VALID_DAYS"],
            )
    return _applicant_page(found, form, status=422)


# --- a household's own contribution ----------------------------------------------------------


def _assessment_page(household: Household | None, mine: bool) -> Response:
    """Four answers → the amount the scale in force suggests ("compute"); then the household
    declares what it will give ("declare"). Without JavaScript: one form, two buttons."""
    form = AssessmentForm(formdata=request.form if request.method == "POST" else None)
    if household is not None and request.method != "POST":
        form.adults.data, form.teens.data = household.adults, household.teens
        form.children.data, form.income_bracket.data = household.children, household.income_bracket
    shown = None
    if household is not None and form.validate_on_submit():
        answers = _answers(form)
        shown = _suggested(form, answers)
    scale, suggestion = shown or (None, None)
    if shown and request.form.get("action") == "declare":
        if form.declared.data is None:
            form.declared.errors = [_("Please write the amount the household will give.")]
        elif save(
            form,
            lambda: assessments.declare(
                household, answers, rules.to_cents(form.declared.data), current_user, date.today()
            ),
        ):
            flash(
                _("Thank you. The new contribution applies from the next monthly run."), "success"
            )
            return redirect(request.path)
    elif suggestion is not None and form.declared.data is None:
        form.declared.data = Decimal(suggestion.suggested_cents).scaleb(-2)
        form.declared.raw_data = None  # shown the reader's way, not as the empty box sent
    return render(
        "joining/contribution.html",
        household=household,
        mine=mine,
        form=form,
        scale=scale,
        suggestion=suggestion,
        pending=assessments.pending_for(household) if household else [],
        others=_households_i_help() if mine else [],
        status=form_status(form),
    )


def _suggested(
    form: AssessmentForm, answers: assessments.Answers
) -> tuple[Scale | None, Suggestion | None] | None:
    """What the scale suggests: a reading, so nothing to commit (``save`` is for writes); a
    refused answer is shown on its field."""
    try:
        return assessments.suggest(answers, date.today())
    except DomainError as error:
        field_error(form, error)
        return None


def _households_i_help() -> list[tuple[Household, Person]]:
    """Households of the members of the groups this facilitator runs (for a member without a
    phone); treasurers and admins reach every household from the households' list."""
    visible = people_queries.visible_people(current_user, is_admin(current_user), date.today())
    ids = select(visible.subquery().c.id)
    if not people_queries.facilitated_group_ids(current_user, date.today()):
        return []
    rows = db.session.execute(
        select(Household, Person)
        .join(Person, Person.id == Household.person_id)
        .where(Person.id.in_(ids), Person.id != current_user.id)
        .order_by(Person.display_name)
        .limit(200)
    )
    return [(h, p) for h, p in rows]


@bp.route("/ma-cotisation", methods=["GET", "POST"])
def my_contribution() -> Response:
    household = db.session.scalar(select(Household).where(Household.person_id == current_user.id))
    if household is None and request.method == "POST":
        abort(404)
    return _assessment_page(household, mine=True)


@bp.route("/ma-cotisation/<int:household_id>", methods=["GET", "POST"])
@access(policy.HOUSEHOLD, rule=policy.can_assess_for)
def contribution_for(household: Household) -> Response:
    return _assessment_page(household, mine=household.person_id == current_user.id)
