"""Running a consent decision: the proposal, its rounds, the positions, the objections."""

from __future__ import annotations

import difflib
from typing import Any

from flask import (
    Blueprint,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance import attachments
from governance.access import access
from governance.db import begin_writing, utcnow
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import ConfirmForm
from governance.people.models import Person
from governance.sessions import policy as meeting_policy
from governance.sessions import services as meetings
from governance.sessions import suggestions
from governance.sessions.models import AgendaItem, ItemKind, Meeting, MeetingStatus
from governance.votes import panel, policy, queries, sections, services
from governance.votes.forms import (
    KIND_LABELS,
    OBJECTION_LABELS,
    OUTCOME_LABELS,
    STAGE_LABELS,
    VALUE_HINTS,
    VALUE_LABELS,
    AmendForm,
    ConflictForm,
    NotesForm,
    PositionForm,
    ProposalForm,
    ResolutionForm,
)
from governance.votes.models import (
    DecisionKind,
    Objection,
    ObjectionStatus,
    Position,
    Proposal,
    Round,
    RoundKind,
    Stage,
    Value,
)
from governance.web import form_status, is_htmx, reads_first, render, save

bp = Blueprint("votes", __name__, template_folder="templates")

ITEM_TO_DECISION = {
    ItemKind.CONVENTIONNEMENT: DecisionKind.CONVENTIONNEMENT,
    ItemKind.CONTRIBUTION_SCALE: DecisionKind.CONTRIBUTION_SCALE,
}


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {
        "value_labels": VALUE_LABELS,
        "value_hints": VALUE_HINTS,
        "stage_labels": STAGE_LABELS,
        "outcome_labels": OUTCOME_LABELS,
        "decision_kind_labels": KIND_LABELS,
        "objection_labels": OBJECTION_LABELS,
        "RoundKind": RoundKind,
        "ObjectionStatus": ObjectionStatus,
    }


def _confirm() -> None:
    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))


def _meeting_of(proposal: Proposal) -> Meeting:
    return proposal.item.meeting


def _round(round_id: int) -> Round:
    return db.session.get_one(Round, round_id)


def _back_to_console(proposal: Proposal) -> Response:
    if _meeting_of(proposal).online:  # no console between sessions: the proposal's page
        return redirect(url_for("votes.proposal", proposal_id=proposal.id))
    return redirect(
        url_for("sessions.console", meeting_id=_meeting_of(proposal).id, _anchor="vote-panel")
    )


# --- the panel in the live room -----------------------------------------------------------


def _trusted(html: str) -> Markup:
    """HTML rendered by our own autoescaping template, safe to embed as is."""
    return Markup(html)  # noqa: S704


def render_panel(meeting: Meeting, viewer: Person, place: str) -> Markup | None:
    context = panel.context(meeting, viewer, place)
    if context is None:
        return None
    return _trusted(render_template("votes/_panel.html", **context))


# --- proposals ----------------------------------------------------------------------------


def online_context(
    proposal: Proposal, position_form: PositionForm | None, question_form: Any
) -> dict[str, Any]:
    """What an online proposal's page adds: the open round, this member's position form and
    what they said, the questions under it, and the forms of whoever runs it."""
    from governance.votes import online
    from governance.votes.forms import NextRoundForm, QuestionForm

    if not _meeting_of(proposal).online:
        return {"online": False}
    round_ = proposal.open_round or (proposal.rounds[-1] if proposal.rounds else None)
    found = services.ballot(round_.id, current_user.id) if round_ is not None else None
    mine = None
    if found is not None and found.eligible:
        mine = db.session.scalar(
            select(Position).where(
                Position.round_id == found.round_id, Position.person_id == current_user.id
            )
        )
    if position_form is None:
        position_form = PositionForm(
            formdata=None,
            value=mine.value.value if mine else None,
            argument=mine.argument if mine else "",
        )
    return {
        "online": True,
        "online_round": round_,
        "ballot": found,
        "mine": mine,
        "position_form": position_form,
        "answered": services.answered_count(round_.id) if round_ is not None else 0,
        "past_deadline": bool(round_ and round_.closes_at and round_.closes_at <= utcnow()),
        "thread": online.thread(proposal),
        "question_form": question_form or QuestionForm(formdata=None),
        "next_round_form": NextRoundForm(formdata=None),
        "to_record": _eligible_people(round_)
        if policy.can_run_proposal(current_user, proposal)
        else [],
    }


def _eligible_people(round_: Round | None) -> list[Person]:
    """Whose position the facilitator may record (a member without phone, on paper)."""
    if round_ is None or round_.closed_at is not None:
        return []
    ids = [e.person_id for e in round_.eligible]
    return list(
        db.session.scalars(select(Person).where(Person.id.in_(ids)).order_by(Person.display_name))
    )


@bp.route("/seances/<int:meeting_id>/points/<int:item_id>/proposition", methods=["GET", "POST"])
@access(meeting_policy.ITEM, rule=meeting_policy.can_run_item)
def proposal_new(item: AgendaItem) -> Response:
    meeting = item.meeting
    form = ProposalForm()
    form.presenter_id.choices = [SelectChoice(0, _("Nobody in particular"))] + [
        SelectChoice(p.id, p.display_name) for p in meetings.members(meeting)
    ]
    if not form.is_submitted():
        form.title.data, form.presenter_id.data = item.title, item.presenter_id or 0
        form.kind.data = ITEM_TO_DECISION.get(item.kind, DecisionKind.GENERAL).value
        form.text.data = suggestions.text_for_item(item.id)
    if form.validate_on_submit():
        presenter = (
            db.session.get(Person, form.presenter_id.data) if form.presenter_id.data else None
        )
        attached = save(
            form,
            lambda: services.attach_proposal(
                item,
                form.title.data,
                form.text.data,
                presenter,
                DecisionKind(form.kind.data),
                form.effect.data or "",
                form.review_on.data,
                current_user,
            ),
        )
        if attached is not None:
            flash(_("The proposal is attached to the item."), "success")
            return redirect(_back_from_proposal(meeting, item))
    return render(
        "votes/proposal_form.html",
        block="form",
        form=form,
        meeting=meeting,
        item=item,
        back=_back_from_proposal(meeting, item),
        status=form_status(form),
    )


def _back_from_proposal(meeting: Meeting, item: AgendaItem) -> str:
    """Where the facilitator came from: the console during the session (its vote panel), the
    agenda while it is prepared."""
    if meeting.status is MeetingStatus.OPEN and meeting.current_item_id == item.id:
        return url_for("sessions.console", meeting_id=meeting.id, _anchor="vote-panel")
    return url_for("sessions.meeting", meeting_id=meeting.id, _anchor=f"item-{item.id}")


def _diff(proposal: Proposal) -> list[tuple[str, str]]:
    """Line by line, what the last version changed: (mark, line) with mark in '+', '-', ' '."""
    if len(proposal.versions) < 2:
        return []
    before, after = proposal.versions[-2].text, proposal.versions[-1].text
    lines = difflib.ndiff(before.splitlines(), after.splitlines())
    return [(line[0], line[2:]) for line in lines if line[:1] in "+- "]


@bp.get("/propositions/<int:proposal_id>")
@access(policy.PROPOSAL)
def proposal(proposal: Proposal) -> Response:
    return proposal_page(proposal)


def proposal_page(
    found: Proposal,
    status: int = 200,
    position_form: PositionForm | None = None,
    question_form: Any = None,
) -> Response:
    """The proposal; online, also where members read, ask and give their position."""
    return render(
        "votes/proposal.html",
        status=status,
        **online_context(found, position_form, question_form),
        proposal=found,
        meeting=_meeting_of(found),
        diff=_diff(found),
        objections=queries.objections(found.id),
        positions={r.id: queries.positions(r.id) for r in found.rounds if r.closed_at},
        decision=queries.decision_for_proposal(found.id),
        files=attachments.listing("proposal", found.id),
        sections=sections.render(found),
        notes_form=NotesForm(formdata=None, notes=found.notes),
    )


@bp.post(
    "/propositions/<int:proposal_id>/etape/<any(presentation,questions,reactions,amendment):stage>"
)
@access(policy.PROPOSAL, rule=policy.can_run_proposal)
def proposal_stage(proposal: Proposal, stage: str) -> Response:
    found = proposal
    _confirm()
    services.move_to(found, Stage(stage))
    db.session.commit()
    return _back_to_console(found)


@bp.post("/propositions/<int:proposal_id>/notes")
@access(policy.PROPOSAL, rule=policy.can_write_notes)
def proposal_notes(proposal: Proposal) -> Response:
    found = proposal
    form = NotesForm()
    if not form.validate_on_submit():
        return render(
            "votes/proposal.html",
            proposal=found,
            meeting=_meeting_of(found),
            diff=_diff(found),
            objections=queries.objections(found.id),
            positions={},
            decision=None,
            notes_form=form,
            status=422,
        )
    services.save_notes(found, form.notes.data or "")
    db.session.commit()
    flash(_("The notes are saved."), "success")
    return redirect(url_for("votes.proposal", proposal_id=found.id))


@bp.route("/propositions/<int:proposal_id>/amender", methods=["GET", "POST"])
@access(policy.PROPOSAL, rule=policy.can_run_proposal)
def proposal_amend(proposal: Proposal) -> Response:
    found = proposal
    form = AmendForm()
    raised = services.raised_objections(found)
    if not form.is_submitted():
        form.text.data = found.current_version.text
    if form.validate_on_submit():
        chosen = set(request.form.getlist("integrated", type=int))
        integrated = [o for o in raised if o.id in chosen]
        if save(form, lambda: services.amend(found, form.text.data, current_user, integrated)):
            flash(_("The new version is saved."), "success")
            return _back_to_console(found)
    return render(
        "votes/amend.html",
        block="form",
        form=form,
        proposal=found,
        raised=raised,
        status=form_status(form),
    )


@bp.post("/propositions/<int:proposal_id>/<any(consentement,repli):kind>")
@access(policy.PROPOSAL, rule=policy.can_run_proposal)
def round_open(proposal: Proposal, kind: str) -> Response:
    found = proposal
    _confirm()
    services.open_round(found, RoundKind.CONSENT if kind == "consentement" else RoundKind.FALLBACK)
    db.session.commit()
    return _back_to_console(found)


@bp.post("/propositions/<int:proposal_id>/<any(reporter,'reporter-quorum',retirer):action>")
@access(policy.PROPOSAL, rule=policy.can_run_proposal)
def proposal_end(proposal: Proposal, action: str) -> Response:
    found = proposal
    _confirm()
    if action == "retirer":
        services.withdraw(found)
    else:
        services.postpone(found, for_quorum=action == "reporter-quorum")
    db.session.commit()
    return _back_to_console(found)


@bp.post("/tours/<int:round_id>/clore")
@access(policy.ROUND, rule=policy.can_run_proposal)
def round_close(round_: Round) -> Response:
    found = round_
    _confirm()
    outcome = services.close_round(found)
    db.session.commit()
    if outcome is not None:
        flash(
            _("The round is closed: the proposal is %(outcome)s.", outcome=OUTCOME_LABELS[outcome]),
            "success",
        )
    else:
        flash(_("The round is closed with objections: look for a better version together."), "info")
    return _back_to_console(found.proposal)


def _position_refused(round_: Round, form: PositionForm) -> Response:
    """The form back with what was refused; on a phone (htmx) only its own fragment, unless the
    round is no longer open to this member: then the whole panel, which shows why."""
    meeting = _meeting_of(round_.proposal)
    if meeting.online and not is_htmx():
        return proposal_page(round_.proposal, position_form=form, status=422)
    context = panel.context(meeting, current_user, "room") or {}
    if context.get("round") is not round_:
        # The round closed (or another began) before this position arrived: nothing is
        # recorded, and what the member wrote is shown back to copy.
        context["unsent"] = form
    else:
        context["form"] = form
    if is_htmx() and context.get("round") is round_ and context.get("eligible"):
        return render("votes/_position.html", status=422, **context)
    html = _trusted(render_template("votes/_panel.html", **context))
    if is_htmx():
        response = render("votes/panel_page.html", block="panel", panel=html, meeting=meeting)
        response.status_code = 422
        response.headers["HX-Retarget"] = "#vote-panel"
        return response
    return render("votes/panel_page.html", panel=html, meeting=meeting, status=422)


# The fragment a phone gets back after a position without a reason differs only by language,
# round and value, and by the form's token: rendered once, the token put in each time.
# Measured with bench/consent_round.py (10 bursts of 61 phones, then 5 s of saturation; three
# runs each way on the shared 2-core machine, 2 Dec 2026): with it 238 / 256 / 272 positions/s
# (0.44 / 0.52 / 0.40 of the one-row-insert ceiling), rendering each fragment 199 / 112 / 234
# (0.45 / 0.20 / 0.29); burst p95 714-754 ms against 760-862 ms. Rendering the template is a
# large share of this hot path's CPU: kept, for the minute when the whole committee consents.
_FRAGMENTS: dict[tuple[str, int, str, tuple[str, ...]], str] = {}
_TOKEN = "__tablee_csrf_token__"  # noqa: S105 — where the token goes, not a secret
_MAX_FRAGMENTS = 2048


def _my_position(found: services.Ballot, form: PositionForm, value: Value) -> Response:
    context = {
        "round": found,
        "values": found.values,
        "form": form,
        "mine": {"value": value, "recorded_by_id": None},
    }
    if form.argument.data:
        return render("votes/_position.html", **context)
    key = (str(get_locale()), found.round_id, value.value, tuple(v.value for v in found.values))
    html = _FRAGMENTS.get(key)
    if html is None:
        html = render_template("votes/_position.html", csrf=_TOKEN, **context)
        if len(_FRAGMENTS) >= _MAX_FRAGMENTS:
            _FRAGMENTS.clear()
        _FRAGMENTS[key] = html
    response = make_response(html.replace(_TOKEN, generate_csrf()))
    response.headers["Vary"] = "HX-Request"
    return response


@bp.post("/tours/<int:round_id>/position")
@reads_first
@access(policy.BALLOT, keep=("round_id",))
def position(round_id: int, found: services.Ballot) -> Response:
    """A member's own position, from their phone; given again, it replaces the previous one.

    The hot path of a meeting (61 phones at once): one read of the round and the member's
    eligibility, one guarded write, and for htmx only the member's own form back."""
    # Nothing read needs reading again after the commit (the person, for the locale).
    db.session().expire_on_commit = False
    form = PositionForm()
    if not form.validate_on_submit():
        return _position_refused(_round(round_id), form)
    value = Value(form.value.data)

    def record() -> services.Ballot:
        argument = services.check_position(found, value, form.argument.data or "")
        # Only this meeting's positions wait for one another (see db.begin_writing).
        begin_writing(db.session, scope=("meeting", found.meeting_id))
        services.record_position(found, value, argument)
        return found

    if not save(form, record):
        return _position_refused(_round(round_id), form)
    if is_htmx():
        return _my_position(found, form, value)
    flash(_("Your position is recorded. You can change it until the round closes."), "success")
    round_ = _round(round_id)
    if _meeting_of(round_.proposal).online:
        return redirect(url_for("votes.proposal", proposal_id=round_.proposal_id))
    return redirect(url_for("sessions.room", meeting_id=found.meeting_id))


@bp.post("/tours/<int:round_id>/position-en-salle")
@access(policy.ROUND, rule=policy.can_run_proposal)
def position_in_room(round_: Round) -> Response:
    """The facilitator records the position of a member who has no phone."""
    found = round_
    form = PositionForm()
    person = db.session.get(Person, request.form.get("person_id", type=int) or 0)
    if person is None:
        raise DomainError(_("Choose the member whose position you record."))
    if not form.validate_on_submit():
        raise DomainError(_("Choose a position; an objection needs its reason."))
    services.give_position(
        found, person, Value(form.value.data), form.argument.data or "", recorded_by=current_user
    )
    db.session.commit()
    flash(_("The position of %(name)s is recorded.", name=person.display_name), "success")
    return _back_to_console(found.proposal)


@bp.post("/objections/<int:objection_id>/<any('retiree','non-bloquante'):status>")
@access(policy.OBJECTION, rule=policy.can_run_proposal)
def objection_resolve(objection: Objection, status: str) -> Response:
    proposal_ = objection.round.proposal
    form = ResolutionForm()
    if not form.validate_on_submit():
        raise DomainError(_("This text is too long: at most 2000 characters."))
    new_status = ObjectionStatus.WITHDRAWN if status == "retiree" else ObjectionStatus.NOT_BLOCKING
    outcome = services.resolve_objection(objection, new_status, form.resolution.data or "")
    db.session.commit()
    if outcome is not None:
        flash(_("No objection remains: the proposal is adopted."), "success")
    return _back_to_console(proposal_)


@bp.post("/points/<int:item_id>/conflit")
@access(meeting_policy.ITEM_BY_ID)
def conflict(item: AgendaItem) -> Response:
    form = ConflictForm()
    if not form.validate_on_submit():
        raise DomainError(_("This text is too long: at most 500 characters."))
    services.declare_conflict(item, current_user, form.reason.data or "")
    meetings.touch_live(item.meeting)
    db.session.commit()
    flash(
        _("Your conflict of interest is recorded: you will not take part in this item's rounds."),
        "success",
    )
    return redirect(url_for("sessions.room", meeting_id=item.meeting_id))
