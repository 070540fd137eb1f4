"""A member suggests an item for a coming meeting; the facilitator answers it."""

from __future__ import annotations

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.access import access
from governance.errors import Conflict, DomainError
from governance.extensions import db
from governance.sessions import policy, suggestions
from governance.sessions.forms import AcceptSuggestionForm, DeclineSuggestionForm, SuggestionForm
from governance.sessions.models import ItemKind, ItemSuggestion, Meeting
from governance.sessions.policy import MEETING
from governance.sessions.routes import _version, bp
from governance.web import field_error, refused_status, render, save


@bp.route("/<int:meeting_id>/suggerer", methods=["GET", "POST"])
@access(MEETING)
def suggestion_new(meeting: Meeting) -> Response:
    form = SuggestionForm()
    if not meeting.ahead:
        flash(_("This meeting's agenda is no longer open to suggestions."), "info")
        return redirect(url_for("sessions.meeting", meeting_id=meeting.id))
    if form.validate_on_submit() and save(
        form,
        lambda: suggestions.suggest(
            meeting, current_user, form.title.data, form.why.data, form.text.data or ""
        ),
    ):
        flash(_("Thank you: your suggestion is sent. You will read the answer here."), "success")
        return redirect(url_for("sessions.meeting", meeting_id=meeting.id, _anchor="suggestions"))
    return render(
        "sessions/suggestion_form.html",
        block="form",
        form=form,
        meeting=meeting,
        status=refused_status(form),
    )


def _suggestion(meeting: Meeting, suggestion_id: int) -> ItemSuggestion:
    found = db.session.get(ItemSuggestion, suggestion_id)
    if found is None or found.meeting_id != meeting.id:
        abort(404)
    return found


def _answer_page(
    meeting: Meeting,
    found: ItemSuggestion,
    accept: AcceptSuggestionForm | None = None,
    decline: DeclineSuggestionForm | None = None,
    status: int = 200,
) -> Response:
    if accept is None:
        accept = AcceptSuggestionForm(formdata=None, agenda_version=meeting.agenda_version)
    return render(
        "sessions/suggestion.html",
        meeting=meeting,
        suggestion=found,
        accept=accept,
        decline=decline or DeclineSuggestionForm(formdata=None),
        status=status,
    )


@bp.get("/<int:meeting_id>/suggestions/<int:suggestion_id>")
@access(MEETING, rule=policy.can_run_meeting, keep=("suggestion_id",))
def suggestion(meeting: Meeting, suggestion_id: int) -> Response:
    return _answer_page(meeting, _suggestion(meeting, suggestion_id))


@bp.post("/<int:meeting_id>/suggestions/<int:suggestion_id>/accepter")
@access(MEETING, rule=policy.can_run_meeting, keep=("suggestion_id",))
def suggestion_accept(meeting: Meeting, suggestion_id: int) -> Response:
    found = _suggestion(meeting, suggestion_id)
    form = AcceptSuggestionForm()
    if not form.validate_on_submit():
        return _answer_page(meeting, found, accept=form, status=422)

    def shown(error: DomainError) -> None:
        if isinstance(error, Conflict):  # the agenda changed: the form follows it
            form.agenda_version.data = str(meeting.agenda_version)
            form.kind.errors = [*form.kind.errors, str(error.message)]
        else:
            field_error(form, error)

    item = save(
        form,
        lambda: suggestions.accept(
            found,
            _version(form.agenda_version.data),
            ItemKind(form.kind.data),
            form.timebox_minutes.data,
            current_user,
        ),
        shown,
    )
    if item is None:
        return _answer_page(meeting, found, accept=form, status=refused_status(form))
    flash(_("The suggestion is on the agenda."), "success")
    return redirect(url_for("sessions.meeting", meeting_id=meeting.id, _anchor=f"item-{item.id}"))


@bp.post("/<int:meeting_id>/suggestions/<int:suggestion_id>/refuser")
@access(MEETING, rule=policy.can_run_meeting, keep=("suggestion_id",))
def suggestion_decline(meeting: Meeting, suggestion_id: int) -> Response:
    found = _suggestion(meeting, suggestion_id)
    form = DeclineSuggestionForm()
    if not form.validate_on_submit():
        return _answer_page(meeting, found, decline=form, status=422)
    if not save(form, lambda: suggestions.decline(found, form.answer.data, current_user)):
        return _answer_page(meeting, found, decline=form, status=refused_status(form))
    flash(_("Your answer is saved: the member will read it."), "success")
    return redirect(url_for("sessions.meeting", meeting_id=meeting.id, _anchor="suggestions"))
