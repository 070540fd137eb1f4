"""The live room: check-in, attendance, the facilitator's console and every member's phone."""

from __future__ import annotations

import segno
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.access import access
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import ConfirmForm
from governance.people.models import Person
from governance.sessions import panels, policy, queries, services
from governance.sessions.forms import EXPECTED, AttendanceForm, CheckInForm
from governance.sessions.models import Attendance, AttendanceStatus, Meeting
from governance.sessions.policy import MEETING
from governance.sessions.routes import bp
from governance.web import external_url, form_status, is_htmx, reads_first, render, save

# --- check-in -----------------------------------------------------------------------------


@bp.route("/presence", methods=["GET", "POST"])
@reads_first
def check_in() -> Response:
    form = CheckInForm()
    if form.validate_on_submit():
        meeting = save(form, lambda: services.check_in(form.code.data, current_user))
        if meeting is not None:
            flash(_("Welcome! You are marked present."), "success")
            return redirect(url_for("sessions.room", meeting_id=meeting.id))
    return render("sessions/check_in.html", block="form", form=form, status=form_status(form))


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


# --- the facilitator's console and every member's phone -------------------------------------
#
# Both are a page of two regions: a small *status* (item, timer, quorum) polled every few
# seconds from its own URL, and the *parts* (the item's panels, the agenda), fetched again from
# their own URL only when the status says they changed and the person is not busy with them.
# Fragments have URLs of their own, so that no cache can ever answer a poll with a whole page.


def _part_key(meeting: Meeting, viewer_id: int, place: str) -> str:
    """Changes whenever the parts of the page change for this viewer."""
    shown = [meeting.status.value, meeting.current_item_id, meeting.agenda_version]
    if place == "console":
        shown += [meeting.timer_started_at is not None, services.quorum(meeting).counted]
    prefix = ".".join(str(value) for value in shown)
    return f"{prefix}:{panels.key(meeting.current_item_id, viewer_id, place)}"


def _live(meeting: Meeting, place: str) -> dict[str, object]:
    """What the status and the parts of the console ("console") or the room ("room") show."""
    return {
        "meeting": meeting,
        "elapsed": services.elapsed_seconds(meeting),
        "expected": EXPECTED,
        "part_key": _part_key(meeting, current_user.id, place),
        "open_round": panels.open_round(meeting.current_item_id),
    }


def _fragment_only(endpoint: str, meeting_id: int) -> Response | None:
    """A fragment URL opened as a page (a bookmark, a reload) leads to the page itself."""
    if is_htmx():
        return None
    return redirect(url_for(endpoint, meeting_id=meeting_id))


def _no_store_between_people(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-cache, private"
    response.vary.add("HX-Request")
    response.vary.add("Cookie")
    return response


def _console_context(meeting: Meeting) -> dict[str, object]:
    url = external_url("sessions.check_in_scan", code=meeting.code)
    return {
        **_live(meeting, "console"),
        "quorum": services.quorum(meeting),
        "qr_svg": segno.make(url, error="m").svg_inline(scale=5, title=_("QR code to check in")),
        "check_in_url": url,
        "panels": panels.render(meeting, current_user, "console"),
    }


@bp.get("/<int:meeting_id>/console")
@access(MEETING, rule=policy.can_run_meeting)
def console(meeting: Meeting) -> Response:
    return _no_store_between_people(render("sessions/console.html", **_console_context(meeting)))


@bp.get("/<int:meeting_id>/ecran")
@access(MEETING, rule=policy.can_run_meeting)
def projector(meeting: Meeting) -> Response:
    """What the room's screen shows: the item, its timer, the quorum and how to check in."""
    context = _console_context(meeting)
    return _no_store_between_people(render("sessions/projector.html", **context))


@bp.get("/<int:meeting_id>/console/etat")
@access(MEETING, rule=policy.can_run_meeting)
def console_status(meeting: Meeting) -> Response:
    found = _fragment_only("sessions.console", meeting.id) or render(
        "sessions/console.html",
        block="status",
        quorum=services.quorum(meeting),
        **_live(meeting, "console"),
    )
    return _no_store_between_people(found)


@bp.get("/<int:meeting_id>/console/suite")
@access(MEETING, rule=policy.can_run_meeting)
def console_parts(meeting: Meeting) -> Response:
    found = _fragment_only("sessions.console", meeting.id) or render(
        "sessions/console.html", block="parts", **_console_context(meeting)
    )
    return _no_store_between_people(found)


ACTIONS = {
    "demarrer": services.start_timer,
    "pause": services.pause_timer,
    "suivant": lambda meeting: services.go_to(meeting, 1),
    "precedent": lambda meeting: services.go_to(meeting, -1),
}


@bp.post("/<int:meeting_id>/direct/<any(demarrer,pause,suivant,precedent):action>")
@access(MEETING, rule=policy.can_run_meeting)
def live_action(meeting: Meeting, action: str) -> Response:
    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    ACTIONS[action](meeting)
    db.session.commit()
    return redirect(url_for("sessions.console", meeting_id=meeting.id))


def _room_context(meeting: Meeting, attendance: Attendance | None) -> dict[str, object]:
    return {
        **_live(meeting, "room"),
        "attendance": attendance,
        "poll_seconds": current_app.config["LIVE_POLL_SECONDS"],
        "check_in_open": services.check_in_is_open(meeting),
    }


@bp.get("/<int:meeting_id>/salle")
@access(MEETING)
def room(meeting: Meeting) -> Response:
    """The room as a member sees it, on their phone."""
    attendance = queries.attendance_of(meeting.id, current_user.id)
    context = _room_context(meeting, attendance)
    page = render(
        "sessions/room.html", panels=panels.render(meeting, current_user, "room"), **context
    )
    return _no_store_between_people(page)


@bp.get("/<int:meeting_id>/salle/etat")
@access(policy.ROOM, keep=("meeting_id",))
def room_status(meeting_id: int, state: policy.LiveState) -> Response:
    """Polled every few seconds by each phone: while nothing changed, a bodiless 304 decided
    from one small read, before any rendering."""
    attendance = queries.attendance_of(meeting_id, current_user.id)
    etag = "room-status-{}-{}-{}-{}-{}".format(
        meeting_id,
        state.version,
        current_user.id,
        attendance.status if attendance else "none",
        get_locale(),
    )
    redirected = _fragment_only("sessions.room", meeting_id)
    if redirected is not None:
        return redirected
    # Weak: the same answer compressed or not (Flask-Compress leaves weak validators alone).
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        meeting = queries.meeting(meeting_id)
        context = _room_context(meeting, attendance)
        response = render("sessions/room.html", block="status", **context)
    response.set_etag(etag, weak=True)
    return _no_store_between_people(response)


@bp.get("/<int:meeting_id>/salle/suite")
@access(MEETING)
def room_parts(meeting: Meeting) -> Response:
    """The item's panels and the agenda, fetched when the status says they changed."""
    redirected = _fragment_only("sessions.room", meeting.id)
    if redirected is not None:
        return redirected
    attendance = queries.attendance_of(meeting.id, current_user.id)
    response = render(
        "sessions/room.html",
        block="parts",
        panels=panels.render(meeting, current_user, "room"),
        **_room_context(meeting, attendance),
    )
    return _no_store_between_people(response)
