"""Minutes: written per item by the secretary, reviewed, then published for everyone."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance import attachments
from governance.access import access
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import ConfirmForm
from governance.sessions import policy, queries, services
from governance.sessions.forms import minutes_form
from governance.sessions.models import Meeting, MeetingStatus
from governance.sessions.policy import MEETING, MINUTES
from governance.sessions.routes import bp
from governance.web import cacheable, form_status, render


@bp.route("/<int:meeting_id>/compte-rendu/ecrire", methods=["GET", "POST"])
@access(MEETING, rule=policy.can_write_minutes)
def minutes_write(meeting: Meeting) -> Response:
    form = minutes_form(meeting.items)
    if form.validate_on_submit():
        texts = {item.id: form[f"item_{item.id}"].data or "" for item in meeting.items}
        try:
            services.save_minutes(meeting, texts)
        except DomainError as error:
            db.session.rollback()
            next(iter(form)).errors = [str(error.message)]
        else:
            db.session.commit()
            flash(_("The minutes are saved."), "success")
            return redirect(url_for("sessions.minutes_write", meeting_id=meeting.id))
    status = form_status(form)
    if form.is_submitted() and status == 200 and any(f.errors for f in form):
        status = 422
    return render(
        "sessions/minutes_form.html",
        block="form",
        form=form,
        meeting=meeting,
        files=attachments.listing("minutes", meeting.id),
        status=status,
    )


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
