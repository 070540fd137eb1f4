"""The live room: check-in, attendance, the facilitator's console and every member's phone."""

from __future__ import annotations

import segno
from flask import abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.access import access
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Person
from governance.sessions import panels, policy, queries, services
from governance.sessions.forms import EXPECTED, AttendanceForm, CheckInForm
from governance.sessions.models import AttendanceStatus, Meeting, MeetingStatus
from governance.sessions.policy import MEETING
from governance.sessions.routes import bp
from governance.web import form_status, is_htmx, render

POLL_SECONDS = 3


# --- check-in -----------------------------------------------------------------------------


@bp.route("/presence", methods=["GET", "POST"])
def check_in() -> Response:
    form = CheckInForm()
    status = 200
    if form.validate_on_submit():
        try:
            meeting = services.check_in(form.code.data, current_user)
        except DomainError as error:
            db.session.rollback()
            form.code.errors = [*form.code.errors, str(error.message)]
            status = 422
        else:
            db.session.commit()
            flash(_("Welcome! You are marked present."), "success")
            return redirect(url_for("sessions.room", meeting_id=meeting.id))
    return render(
        "sessions/check_in.html", block="form", form=form, status=max(status, form_status(form))
    )


@bp.get("/presence/<code>")
def check_in_scan(code: str) -> Response:
    """Where the QR code on the projector leads: the code filled in, one button to press."""
    form = CheckInForm(formdata=None, code=code[:20].upper())
    return render("sessions/check_in.html", form=form)


# --- attendance, marked by the facilitator ------------------------------------------------


def _attendance_page(meeting: Meeting, status: int = 200) -> Response:
    return render(
        "sessions/attendance.html",
        block="attendance",
        meeting=meeting,
        people=services.members(meeting),
        marks=queries.attendance_by_person(meeting.id),
        quorum=services.quorum(meeting),
        form=AttendanceForm(formdata=None),
        status=status,
    )


@bp.get("/<int:meeting_id>/presences")
@access(MEETING, rule=policy.can_run_meeting)
def attendance(meeting: Meeting) -> Response:
    return _attendance_page(meeting)


@bp.post("/<int:meeting_id>/presences/<int:person_id>")
@access(MEETING, rule=policy.can_run_meeting)
def attendance_mark(meeting: Meeting, person_id: int) -> Response:
    person = db.session.get(Person, person_id)
    form = AttendanceForm()
    if person is None:
        abort(404)
    if not form.validate_on_submit():
        raise DomainError(_("Choose present, remote, excused or absent."))
    services.mark_attendance(meeting, person, AttendanceStatus(form.status.data), current_user)
    db.session.commit()
    if is_htmx():
        return _attendance_page(queries.meeting(meeting.id))
    return redirect(url_for("sessions.attendance", meeting_id=meeting.id, _anchor=f"p{person.id}"))


# --- the facilitator's console ------------------------------------------------------------


def _console(meeting: Meeting) -> Response:
    url = url_for("sessions.check_in_scan", code=meeting.code, _external=True)
    return render(
        "sessions/console.html",
        block="console",
        meeting=meeting,
        quorum=services.quorum(meeting),
        elapsed=services.elapsed_seconds(meeting),
        qr_svg=segno.make(url, error="m").svg_inline(scale=5, title=_("QR code to check in")),
        check_in_url=url,
        expected=EXPECTED,
        panels=panels.render(meeting, current_user, "console"),
    )


@bp.get("/<int:meeting_id>/console")
@access(MEETING, rule=policy.can_run_meeting)
def console(meeting: Meeting) -> Response:
    return _console(meeting)


ACTIONS = {
    "demarrer": services.start_timer,
    "pause": services.pause_timer,
    "suivant": lambda meeting: services.go_to(meeting, 1),
    "precedent": lambda meeting: services.go_to(meeting, -1),
}


@bp.post("/<int:meeting_id>/direct/<any(demarrer,pause,suivant,precedent):action>")
@access(MEETING, rule=policy.can_run_meeting)
def live_action(meeting: Meeting, action: str) -> Response:
    from governance.people.forms import ConfirmForm

    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    ACTIONS[action](meeting)
    db.session.commit()
    if is_htmx():
        return _console(queries.meeting(meeting.id))
    return redirect(url_for("sessions.console", meeting_id=meeting.id))


# --- every member's phone -----------------------------------------------------------------


@bp.get("/<int:meeting_id>/salle")
@access(policy.ROOM, keep=("meeting_id",))
def room(meeting_id: int, state: policy.LiveState) -> Response:
    """The room as a member sees it. Polled every few seconds by htmx: while nothing changes,
    the answer is a bodiless 304 decided from one small read, before any rendering."""
    attendance = queries.attendance_of(meeting_id, current_user.id)
    etag = "room-{}-{}-{}-{}-{}-{}".format(
        meeting_id,
        state[0],
        current_user.id,
        attendance.status if attendance else "none",
        get_locale(),
        panels.etag(state[3], current_user.id),
    )
    # Weak: the same room compressed or not (Flask-Compress leaves weak validators alone).
    if is_htmx() and request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        meeting = queries.meeting(meeting_id)
        response = render(
            "sessions/room.html",
            block="live",
            meeting=meeting,
            attendance=attendance,
            elapsed=services.elapsed_seconds(meeting),
            expected=EXPECTED,
            poll_seconds=POLL_SECONDS,
            panels=panels.render(meeting, current_user, "room"),
            open=meeting.status is MeetingStatus.OPEN,
        )
    response.set_etag(etag, weak=True)
    response.headers["Cache-Control"] = "no-cache, private"
    response.headers["Vary"] = "HX-Request, Cookie"
    return response
