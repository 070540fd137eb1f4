"""Meetings and their agenda: create, edit, reorder, convene."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, abort, current_app, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance import attachments, mail
from governance.access import access
from governance.errors import Conflict, DomainError
from governance.extensions import db
from governance.forms import ConfirmForm
from governance.people.models import Person
from governance.sessions import actions, convocation, panels, policy, queries, services, suggestions
from governance.sessions.convocation import Delivered
from governance.sessions.forms import (
    ATTENDANCE_LABELS,
    KIND_LABELS,
    STATUS_LABELS,
    SUGGESTION_LABELS,
    DayRolesForm,
    ItemForm,
    MeetingForm,
    VersionForm,
)
from governance.sessions.models import AGENDA_OPEN, AgendaItem, ItemKind, Meeting, MeetingStatus
from governance.sessions.policy import ITEM, MEETING
from governance.web import (
    field_error,
    form_status,
    is_htmx,
    refusal_of,
    refused_status,
    render,
    save,
)

bp = Blueprint("sessions", __name__, url_prefix="/seances", template_folder="templates")

LABELS = {
    "kind_labels": KIND_LABELS,
    "suggestion_labels": SUGGESTION_LABELS,
    "status_labels": STATUS_LABELS,
    "attendance_labels": ATTENDANCE_LABELS,
    "MeetingStatus": MeetingStatus,
    "Delivered": Delivered,
}


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return LABELS


def _local(day, time) -> datetime:  # type: ignore[no-untyped-def]
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.combine(day, time, tzinfo=zone).astimezone(UTC)


def _person_choices(meeting: Meeting, nobody: str) -> list[SelectChoice]:
    return [SelectChoice(0, nobody)] + [
        SelectChoice(p.id, p.display_name) for p in services.members(meeting)
    ]


# --- list and creation --------------------------------------------------------------------


@bp.get("/")
def index() -> Response:
    meetings = queries.meetings_for(current_user)
    ahead = AGENDA_OPEN
    upcoming = [m for m in meetings if m.status in ahead]
    past = [m for m in meetings if m.status not in ahead]
    return render(
        "sessions/index.html",
        upcoming=upcoming[::-1],
        past=past,
        can_create=bool(queries.groups_run_by(current_user)),
    )


@bp.route("/nouvelle", methods=["GET", "POST"])
def meeting_new() -> Response:
    groups = queries.groups_run_by(current_user)
    if not groups:
        abort(403)
    form = MeetingForm()
    form.group_id.choices = [SelectChoice(g.id, g.name) for g in groups]
    if form.validate_on_submit():
        group = next(g for g in groups if g.id == form.group_id.data)
        meeting = services.create_meeting(
            group,
            form.title.data,
            _local(form.day.data, form.time.data),
            form.duration_minutes.data,
            form.place.data or "",
            current_user,
        )
        db.session.commit()
        flash(_("The meeting is created. Now build its agenda."), "success")
        return redirect(url_for("sessions.meeting", meeting_id=meeting.id))
    return render(
        "sessions/meeting_form.html",
        block="form",
        form=form,
        meeting=None,
        status=form_status(form),
    )


# --- one meeting and its agenda -----------------------------------------------------------


def _meeting_page(
    meeting: Meeting,
    item_form: ItemForm | None = None,
    status: int = 200,
    conflict: str | None = None,
) -> Response:
    if item_form is None:
        item_form = ItemForm(formdata=None, agenda_version=meeting.agenda_version)
    item_form.presenter_id.choices = _person_choices(meeting, _("Nobody in particular"))
    return render(
        "sessions/meeting.html",
        block="agenda",
        meeting=meeting,
        item_form=item_form,
        version_form=VersionForm(formdata=None),
        quorum=services.quorum(meeting),
        extras=panels.item_extras(meeting),
        item_files=attachments.grouped("agenda_item", [i.id for i in meeting.items]),
        carried=actions.carried_to(meeting),
        suggestions=suggestions.of_meeting(
            meeting.id, None if policy.can_run_meeting(current_user, meeting) else current_user.id
        ),
        conflict=conflict,
        status=status,
        opens_today=services.opens_today(meeting),
        offers=services.offers(meeting),
        next_step=next_step(meeting),
        convocations=(
            convocation.statuses(meeting)
            if policy.can_run_meeting(current_user, meeting) and meeting.notified_version
            else None
        ),
    )


@bp.get("/<int:meeting_id>")
@access(MEETING)
def meeting(meeting: Meeting) -> Response:
    return _meeting_page(meeting)


@bp.route("/<int:meeting_id>/modifier", methods=["GET", "POST"])
@access(MEETING, rule=policy.can_run_meeting)
def meeting_edit(meeting: Meeting) -> Response:
    found = meeting
    form = MeetingForm(obj=found)
    del form.group_id  # a meeting stays in its group
    roles = DayRolesForm(obj=found, prefix="roles")
    for field in (roles.facilitator_id, roles.secretary_id, roles.timekeeper_id):
        field.choices = _person_choices(found, _("Nobody yet"))
    if not form.is_submitted():
        local = found.starts_at.astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
        form.day.data, form.time.data = local.date(), local.time()
        form.agenda_version.data = str(found.agenda_version)
        for field in (roles.facilitator_id, roles.secretary_id, roles.timekeeper_id):
            field.data = field.data or 0

    def update() -> Meeting:
        services.update_meeting(
            found,
            _version(form.agenda_version.data),
            form.title.data,
            _local(form.day.data, form.time.data),
            form.duration_minutes.data,
            form.place.data or "",
        )
        people = [
            db.session.get(Person, f.data) if f.data else None
            for f in (roles.facilitator_id, roles.secretary_id, roles.timekeeper_id)
        ]
        services.set_day_roles(found, *people)
        return found

    if (form.validate_on_submit() & roles.validate()) and save(form, update):
        flash(_("The meeting is saved."), "success")
        return redirect(url_for("sessions.meeting", meeting_id=found.id))
    return render(
        "sessions/meeting_form.html",
        block="form",
        form=form,
        roles=roles,
        meeting=found,
        status=refused_status(form) if refusal_of(form) else (422 if form.is_submitted() else 200),
    )


def _version(raw: str | None) -> int:
    try:
        return int(raw or "")
    except ValueError:
        raise Conflict(_("This page is out of date: reload it, then try again.")) from None


def _item_choices(form: ItemForm, meeting: Meeting) -> None:
    form.presenter_id.choices = _person_choices(meeting, _("Nobody in particular"))


def _save_item(meeting: Meeting, item: AgendaItem | None) -> Response:
    form = ItemForm(obj=item) if item else ItemForm()
    _item_choices(form, meeting)
    if item is not None and not form.is_submitted():
        form.kind.data, form.presenter_id.data = item.kind.value, item.presenter_id or 0
        form.agenda_version.data = str(meeting.agenda_version)
    if form.validate_on_submit():
        presenter = (
            db.session.get(Person, form.presenter_id.data) if form.presenter_id.data else None
        )
        args = (
            ItemKind(form.kind.data),
            form.title.data,
            form.description.data or "",
            presenter,
            form.timebox_minutes.data,
        )

        def write() -> AgendaItem:
            version = _version(form.agenda_version.data)
            if item is None:
                return services.add_item(meeting, version, *args)
            return services.update_item(item, version, *args)

        if not save(form, write, shown=lambda error: None):  # shown by _item_refused
            return _item_refused(meeting, item, form, refusal_of(form))
        flash(_("The agenda is saved."), "success")
        if item is None and is_htmx():
            return _meeting_page(queries.meeting(meeting.id))
        return redirect(url_for("sessions.meeting", meeting_id=meeting.id, _anchor="agenda"))
    if item is None and form.is_submitted():
        return _meeting_page(meeting, form, status=form_status(form))
    return render(
        "sessions/item_form.html",
        block="form",
        form=form,
        meeting=meeting,
        item=item,
        status=form_status(form),
    )


def _item_refused(
    meeting: Meeting, item: AgendaItem | None, form: ItemForm, error: DomainError
) -> Response:
    """The form back with what was typed; a conflict also shows the agenda as it is now."""
    meeting = queries.meeting(meeting.id)
    conflict = str(error.message) if isinstance(error, Conflict) else None
    if conflict:
        form.agenda_version.data = str(meeting.agenda_version)
    else:
        field_error(form, error)
    if item is None:
        return _meeting_page(meeting, form, status=error.status, conflict=conflict)
    return render(
        "sessions/item_form.html",
        block="form",
        form=form,
        meeting=meeting,
        item=item,
        conflict=conflict,
        status=error.status,
    )


@bp.post("/<int:meeting_id>/points")
@access(MEETING, rule=policy.can_run_meeting)
def item_add(meeting: Meeting) -> Response:
    return _save_item(meeting, None)


@bp.route("/<int:meeting_id>/points/<int:item_id>", methods=["GET", "POST"])
@access(ITEM, rule=policy.can_run_item)
def item_edit(item: AgendaItem) -> Response:
    return _save_item(item.meeting, item)


@bp.post("/<int:meeting_id>/points/<int:item_id>/<any(monter,descendre,supprimer):action>")
@access(ITEM, rule=policy.can_run_item)
def item_action(item: AgendaItem, action: str) -> Response:
    """Up, down, remove: plain buttons that work without JavaScript, swapped by htmx."""
    found = item.meeting
    form = VersionForm()

    def write() -> Meeting:
        if not form.validate_on_submit():
            raise Conflict(_("This page is out of date: reload it, then try again."))
        version = _version(form.agenda_version.data)
        if action == "supprimer":
            return services.remove_item(item, version)
        return services.move_item(item, -1 if action == "monter" else 1, version)

    if not save(form, write, shown=lambda error: None):  # above the agenda, not on a field
        refusal = refusal_of(form)
        return _meeting_page(
            queries.meeting(found.id), status=refusal.status, conflict=str(refusal.message)
        )
    if is_htmx():
        return _meeting_page(queries.meeting(found.id))
    return redirect(url_for("sessions.meeting", meeting_id=found.id, _anchor="agenda"))


# --- life of the meeting ------------------------------------------------------------------

STEPS = {
    "convoquer": MeetingStatus.CONVENED,
    "ouvrir": MeetingStatus.OPEN,
    "clore": MeetingStatus.CLOSED,
    "publier": MeetingStatus.PUBLISHED,
}
STEP_LABELS = {
    "convoquer": _l("Convene the members"),
    "ouvrir": _l("Open the meeting"),
    "clore": _l("Close the meeting"),
    "publier": _l("Publish the minutes"),
}


WORD_OF = {status: step for step, status in STEPS.items()}


def next_step(meeting: Meeting) -> tuple[str, str] | None:
    """The step that moves the meeting on from where it is (its URL word, its button)."""
    after = services.next_status(meeting)
    return None if after is None else (WORD_OF[after], str(STEP_LABELS[WORD_OF[after]]))


@bp.post("/<int:meeting_id>/etape/<any(convoquer,ouvrir,clore,publier):step>")
@access(MEETING, rule=policy.can_run_meeting)
def meeting_step(meeting: Meeting, step: str) -> Response:
    found = meeting
    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    services.transition(found, STEPS[step], current_user)
    sent = convocation.notify(found, update=False) if step == "convoquer" else None
    db.session.commit()
    mail.send_soon()
    messages = {
        "ouvrir": _(
            "The meeting is open. Members can check in with the code %(code)s.", code=found.code
        ),
        "clore": _("The meeting is closed. The secretary can finish the minutes."),
        "publier": _("The minutes are published."),
    }
    if sent is not None:
        flash(
            _(
                "The meeting is convened: %(count)d e-mails sent. Print the convocation for "
                "the members without e-mail.",
                count=sent,
            ),
            "success",
        )
    else:
        flash(messages[step], "success")
    target = "sessions.console" if step == "ouvrir" else "sessions.meeting"
    return redirect(url_for(target, meeting_id=found.id))


@bp.post("/<int:meeting_id>/prevenir")
@access(MEETING, rule=policy.can_run_meeting)
def meeting_notify(meeting: Meeting) -> Response:
    found = meeting
    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    if found.notified_version is None:
        raise DomainError(_("Convene the meeting first."))
    sent = convocation.notify(found, update=True)
    db.session.commit()
    mail.send_soon()
    flash(_("The new agenda is sent: %(count)d e-mails.", count=sent), "success")
    return redirect(url_for("sessions.meeting", meeting_id=found.id))


@bp.get("/<int:meeting_id>/convocation")
@access(MEETING, rule=policy.can_run_meeting)
def convocation_print(meeting: Meeting) -> Response:
    """One printable page per member without e-mail (and a spare one)."""
    found = meeting
    people = [p for p in services.members(found) if not p.email]
    return render(
        "sessions/convocation.html",
        meeting=found,
        people=people,
        extras=panels.item_extras(found),
        summary=panels.summary,
    )


@bp.get("/<int:meeting_id>/invitation.ics")
@access(MEETING)
def invitation(meeting: Meeting) -> Response:
    found = meeting
    response = current_app.make_response(convocation.invitation_ics(found))
    response.mimetype = "text/calendar"
    response.headers["Content-Disposition"] = f'attachment; filename="seance-{found.id}.ics"'
    return response
