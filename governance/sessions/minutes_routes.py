"""Minutes: written per item by the secretary, reviewed, then published for everyone."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance import attachments
from governance.access import Loader, access, rule
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import ConfirmForm
from governance.people.models import Person
from governance.sessions import actions, policy, queries, services
from governance.sessions.forms import ActionForm, minutes_form
from governance.sessions.models import ActionItem, Meeting, MeetingStatus
from governance.sessions.policy import MEETING, MINUTES
from governance.sessions.routes import bp
from governance.web import cacheable, form_status, render, save


@bp.route("/<int:meeting_id>/compte-rendu/ecrire", methods=["GET", "POST"])
@access(MEETING, rule=policy.can_write_minutes)
def minutes_write(meeting: Meeting) -> Response:
    form = minutes_form(meeting.items)
    if form.validate_on_submit():
        texts = {item.id: form[f"item_{item.id}"].data or "" for item in meeting.items}
        if save(form, lambda: services.save_minutes(meeting, texts)):
            flash(_("The minutes are saved."), "success")
            return redirect(url_for("sessions.minutes_write", meeting_id=meeting.id))
    status = form_status(form)
    if form.is_submitted() and status == 200 and any(f.errors for f in form):
        status = 422
    return _minutes_form_page(meeting, form, None, status)


def _action_form(meeting: Meeting, formdata: bool = True) -> ActionForm:
    form = ActionForm() if formdata else ActionForm(formdata=None)
    form.who_id.choices = [SelectChoice(0, _("Nobody in particular"))] + [
        SelectChoice(p.id, p.display_name) for p in services.members(meeting)
    ]
    return form


def _minutes_form_page(
    meeting: Meeting, form: Any, action_form: ActionForm | None, status: int
) -> Response:
    return render(
        "sessions/minutes_form.html",
        block="form",
        form=form,
        meeting=meeting,
        files=attachments.listing("minutes", meeting.id),
        actions=actions.of_meeting(meeting),
        action_form=action_form or _action_form(meeting, formdata=False),
        status=status,
    )


@bp.post("/<int:meeting_id>/compte-rendu/actions")
@access(MEETING, rule=policy.can_write_minutes)
def action_add(meeting: Meeting) -> Response:
    """Who does what, by when: carried to the group's next meetings until done."""
    form = _action_form(meeting)
    if form.validate_on_submit():
        who = db.session.get(Person, form.who_id.data) if form.who_id.data else None
        if save(form, lambda: actions.add(meeting, who, form.what.data, form.due_on.data)):
            flash(
                _("The action is noted; it follows the next meetings until it is done."), "success"
            )
            return redirect(url_for("sessions.minutes_write", meeting_id=meeting.id) + "#actions")
    return _minutes_form_page(meeting, minutes_form(meeting.items), form, 422)


def _action_from_url(action_id: int) -> ActionItem | None:
    return db.session.get(ActionItem, action_id)


@rule
def can_see_action(person: Any, action: ActionItem) -> bool:
    return policy.can_see_meeting(person, action.meeting)


@rule
def can_close_action(person: Any, action: ActionItem) -> bool:
    """Whoever runs the group's meetings, or the person the action was given to."""
    return action.who_id == getattr(person, "id", None) or policy.can_run_meeting(
        person, action.meeting
    )


ACTION = Loader("action", _action_from_url, can_see_action)


@bp.post("/actions/<int:action_id>/fait")
@access(ACTION, rule=can_close_action)
def action_done(action: ActionItem) -> Response:
    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    actions.mark_done(action, current_user)
    db.session.commit()
    flash(_("The action is marked done."), "success")
    back = request.form.get("back", type=int)
    return redirect(url_for("sessions.meeting", meeting_id=back or action.meeting_id))


@bp.post("/<int:meeting_id>/compte-rendu/relu")
@access(MEETING, rule=policy.can_run_meeting)
def minutes_review(meeting: Meeting) -> Response:
    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    services.review_minutes(meeting, current_user)
    db.session.commit()
    flash(_("The minutes are marked as reviewed. You can now publish them."), "success")
    return redirect(url_for("sessions.meeting", meeting_id=meeting.id))


@bp.get("/<int:meeting_id>/compte-rendu")
@access(MINUTES)
@cacheable()
def minutes(meeting: Meeting) -> Response:
    """Published minutes are public; before that, only who writes or runs the meeting sees them."""
    published = meeting.status is MeetingStatus.PUBLISHED
    return render(
        "sessions/minutes.html",
        meeting=meeting,
        published=published,
        quorum=services.quorum(meeting),
        attendance=queries.attendance_by_person(meeting.id),
        people={p.id: p for p in services.members(meeting)},
        actions=actions.of_meeting(meeting),
        files=[
            f
            for f in attachments.listing("minutes", meeting.id)
            if f.public or policy.can_see_meeting(current_user, meeting)
        ],
    )


@bp.get("/comptes-rendus")
@cacheable()
def minutes_list() -> Response:
    return render("sessions/minutes_list.html", meetings=queries.published_meetings())
