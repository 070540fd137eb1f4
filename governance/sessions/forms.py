"""Forms of the meeting pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    HiddenField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from governance.fields import DateField
from governance.forms import REQUIRED, TOO_LONG, OnceForm
from governance.sessions.models import AttendanceStatus, ItemKind, MeetingStatus, SuggestionStatus

KIND_LABELS = {
    ItemKind.INFORMATION: _l("Information"),
    ItemKind.DISCUSSION: _l("Discussion"),
    ItemKind.DECISION: _l("Decision"),
    ItemKind.CONVENTIONNEMENT: _l("Approval of a point of sale"),
    ItemKind.CONTRIBUTION_SCALE: _l("Contribution scale"),
}
STATUS_LABELS = {
    MeetingStatus.DRAFT: _l("in preparation"),
    MeetingStatus.CONVENED: _l("convened"),
    MeetingStatus.OPEN: _l("in progress"),
    MeetingStatus.CLOSED: _l("closed"),
    MeetingStatus.PUBLISHED: _l("minutes published"),
}
ATTENDANCE_LABELS = {
    AttendanceStatus.PRESENT: _l("present"),
    AttendanceStatus.REMOTE: _l("remote"),
    AttendanceStatus.EXCUSED: _l("excused"),
    AttendanceStatus.ABSENT: _l("absent"),
}
SUGGESTION_LABELS = {
    SuggestionStatus.PENDING: _l("waiting for an answer"),
    SuggestionStatus.ACCEPTED: _l("on the agenda"),
    SuggestionStatus.DECLINED: _l("not taken"),
}
# What a member is expected to do while an item of this kind is discussed.
EXPECTED = {
    ItemKind.INFORMATION: _l("Listen. You can ask questions at the end."),
    ItemKind.DISCUSSION: _l("Give your opinion when the facilitator gives you the floor."),
    ItemKind.DECISION: _l(
        "A proposal will be decided by consent: listen, ask, then give your position."
    ),
    ItemKind.CONVENTIONNEMENT: _l("The visit report is presented, then the committee decides."),
    ItemKind.CONTRIBUTION_SCALE: _l("The proposed scale is presented, then the committee decides."),
}
NUMBER = _l("Please write a whole number.")


class MeetingForm(OnceForm):
    group_id = SelectField(_l("Group"), coerce=int, validators=[InputRequired(REQUIRED)])
    title = StringField(
        _l("Title"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
        description=_l("For example: Monthly session of December"),
    )
    day = DateField(_l("Day"), validators=[InputRequired(_l("Please give a date."))])
    time = TimeField(_l("Start time"), validators=[InputRequired(_l("Please give a time."))])
    duration_minutes = IntegerField(
        _l("Length in minutes"),
        default=180,
        validators=[
            InputRequired(NUMBER),
            NumberRange(min=15, max=720, message=_l("Between %(min)s and %(max)s minutes.")),
        ],
        render_kw={"inputmode": "numeric"},
    )
    place = StringField(_l("Place"), validators=[Optional(), Length(max=255, message=TOO_LONG)])
    agenda_version = HiddenField()


class DayRolesForm(FlaskForm):
    class Meta:
        csrf = False  # sent inside the meeting form, which carries the token

    facilitator_id = SelectField(_l("Facilitator of the day"), coerce=int, default=0)
    secretary_id = SelectField(_l("Secretary (takes the minutes)"), coerce=int, default=0)
    timekeeper_id = SelectField(_l("Time-keeper"), coerce=int, default=0)


def _kind(default: str | None = None) -> Any:
    return SelectField(
        _l("Kind of item"),
        choices=[SelectChoice(k.value, label) for k, label in KIND_LABELS.items()],
        default=default,
        validators=[InputRequired(REQUIRED)],
    )


def _timebox() -> Any:
    """An item's time, the same rule wherever an item is made (the agenda, a suggestion)."""
    return IntegerField(
        _l("Time planned, in minutes"),
        default=15,
        validators=[
            InputRequired(NUMBER),
            NumberRange(min=1, max=240, message=_l("Between %(min)s and %(max)s minutes.")),
        ],
        render_kw={"inputmode": "numeric"},
    )


class ItemForm(OnceForm):
    kind = _kind()
    title = StringField(
        _l("Title of the item"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
    )
    description = TextAreaField(
        _l("Short description (optional)"),
        validators=[Optional(), Length(max=2000, message=TOO_LONG)],
    )
    presenter_id = SelectField(_l("Presenter"), coerce=int, default=0)
    timebox_minutes = _timebox()
    agenda_version = HiddenField(validators=[InputRequired()])


class VersionForm(FlaskForm):
    """Buttons that change the agenda carry the version they were shown with."""

    agenda_version = HiddenField(validators=[InputRequired()])


class CheckInForm(FlaskForm):
    code = StringField(
        _l("Code of the meeting"),
        description=_l("6 letters and digits, shown on the screen in the room."),
        validators=[DataRequired(REQUIRED), Length(max=20, message=TOO_LONG)],
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )


class AttendanceForm(FlaskForm):
    status = SelectField(
        _l("Presence"),
        choices=[SelectChoice(s.value, label) for s, label in ATTENDANCE_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
    )


def minutes_form(items: list, formdata: object | None = None) -> FlaskForm:  # type: ignore[type-arg]
    """One text area per agenda item, named after the item's id."""

    class MinutesForm(FlaskForm):
        pass

    for item in items:
        setattr(
            MinutesForm,
            f"item_{item.id}",
            TextAreaField(
                item.title,
                default=item.minutes,
                validators=[Optional(), Length(max=20000, message=TOO_LONG)],
            ),
        )
    return MinutesForm() if formdata is None else MinutesForm(formdata=formdata)


class SuggestionForm(FlaskForm):
    title = StringField(
        _l("The item you suggest"),
        validators=[DataRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
        description=_l("In a few words, as it would read on the agenda."),
    )
    why = TextAreaField(
        _l("Why it matters"),
        validators=[DataRequired(REQUIRED), Length(max=2000, message=TOO_LONG)],
    )
    text = TextAreaField(
        _l("A text to decide on (optional)"),
        description=_l("If you propose a decision, its text: the facilitator can attach it."),
        validators=[Optional(), Length(max=20000, message=TOO_LONG)],
    )


class AcceptSuggestionForm(FlaskForm):
    kind = _kind(default=ItemKind.DISCUSSION.value)
    timebox_minutes = _timebox()
    agenda_version = HiddenField(validators=[InputRequired()])


class DeclineSuggestionForm(FlaskForm):
    answer = TextAreaField(
        _l("Your answer to the member"),
        description=_l("Why not, or when instead: the member reads it."),
        validators=[DataRequired(REQUIRED), Length(max=1000, message=TOO_LONG)],
    )


class ActionForm(FlaskForm):
    """An action decided in the meeting: who does what, by when."""

    who_id = SelectField(_l("Who"), coerce=int, default=0)
    what = StringField(
        _l("What"), validators=[DataRequired(REQUIRED), Length(max=500, message=TOO_LONG)]
    )
    due_on = DateField(_l("By when (optional)"), validators=[Optional()])
