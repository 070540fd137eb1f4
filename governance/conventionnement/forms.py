"""Forms of the conventionnement pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from governance.conventionnement.labels import POS_KIND_LABELS
from governance.conventionnement.models import FormKind, PosStatus
from governance.conventionnement.scoring import Band
from governance.fields import DateField
from governance.forms import NOT_A_CHOICE, REQUIRED, TOO_LONG, CheckboxesField, OnceForm

POS_STATUS_LABELS = {
    PosStatus.PROPOSED: _l("proposed"),
    PosStatus.VISITING: _l("visit planned"),
    PosStatus.REPORTED: _l("report ready"),
    PosStatus.APPROVED: _l("approved"),
    PosStatus.REFUSED: _l("refused"),
    PosStatus.SUSPENDED: _l("suspended"),
    PosStatus.ENDED: _l("approval ended"),
}
BAND_LABELS = {
    Band.FAVOURABLE: _l("favourable"),
    Band.TO_DISCUSS: _l("to discuss"),
    Band.UNFAVOURABLE: _l("unfavourable"),
}
FORM_KIND_LABELS = {FormKind.SHOP: _l("Shop"), FormKind.PRODUCER: _l("Producer")}
EVENT_LABELS = {
    "proposed": _l("Proposed"),
    "visit_assigned": _l("Visit assigned to"),
    "reported": _l("Report sent, score"),
    "on_agenda": _l("On the agenda of"),
    "listed": _l("Listed in the territory"),
    "unlisted": _l("No longer listed in the territory"),
    "decision_approve_adopted": _l("Approved by decision"),
    "decision_approve_rejected": _l("Refused by decision"),
    "decision_suspend_adopted": _l("Suspended by decision"),
    "decision_suspend_rejected": _l("Suspension refused by decision"),
    "decision_end_adopted": _l("Approval ended by decision"),
    "decision_end_rejected": _l("End of approval refused by decision"),
}


class ProposeForm(OnceForm):
    # Shown only where several committees decide (the choices are set by the route).
    group_id = SelectField(
        _l("Which committee decides"),
        coerce=int,
        validate_choice=True,
        validators=[Optional()],
    )
    name = StringField(
        _l("Name of the place"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
    )
    kind = SelectField(
        _l("Kind of place"),
        choices=[SelectChoice(k.value, label) for k, label in POS_KIND_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
    )
    address = StringField(
        _l("Address, or the market where it sells"),
        validators=[Optional(), Length(max=255, message=TOO_LONG)],
    )
    neighbourhood = StringField(
        _l("Neighbourhood (optional)"), validators=[Optional(), Length(max=120, message=TOO_LONG)]
    )
    opening_days = CheckboxesField(
        _l("Days it is open (optional)"), coerce=int, validators=[Optional()]
    )
    contact = StringField(
        _l("Contact: a name, a phone number (optional)"),
        validators=[Optional(), Length(max=255, message=TOO_LONG)],
    )
    sells = TextAreaField(
        _l("What it sells"), validators=[Optional(), Length(max=1000, message=TOO_LONG)]
    )
    why = TextAreaField(
        _l("Why you propose it"),
        validators=[DataRequired(REQUIRED), Length(max=2000, message=TOO_LONG)],
    )


class AssignForm(OnceForm):
    # Shown only when the facilitator runs this place for several committees.
    group_id = SelectField(_l("For the committee"), coerce=int, validators=[Optional()])
    people = SelectMultipleField(
        _l("The binôme or trinôme"),
        coerce=int,
        description=_l(
            "Two or three people, at least one of them a member of the committee that decides."
        ),
        validators=[InputRequired(_l("Choose two or three people."))],
    )
    visit_on = DateField(
        _l("Day of the visit"), validators=[InputRequired(_l("Please give a date."))]
    )


class SubmitForm(FlaskForm):
    band = RadioField(
        _l("Your opinion"),
        choices=[SelectChoice(b.value, label) for b, label in BAND_LABELS.items()],
        validators=[InputRequired(_l("Give your opinion."))],
    )
    opinion = TextAreaField(
        _l("Why (optional)"), validators=[Optional(), Length(max=4000, message=TOO_LONG)]
    )


class PhotoForm(FlaskForm):
    """A photo of the visit (or a document the place gave): the phone reduces it first."""

    photo = FileField(_l("Photo or document"))
    key = HiddenField()


class AgendaForm(FlaskForm):
    meeting_id = SelectField(_l("Meeting"), coerce=int, validators=[InputRequired(REQUIRED)])
    action = SelectField(
        _l("What the committee will decide"),
        choices=[
            SelectChoice("approve", _l("Approve")),
            SelectChoice("suspend", _l("Suspend the approval")),
            SelectChoice("end", _l("End the approval")),
        ],
        validators=[InputRequired(REQUIRED)],
    )


class PublishForm(FlaskForm):
    role = SelectField(
        _l("What to publish"),
        choices=[
            SelectChoice("questionnaire", _l("A questionnaire")),
            SelectChoice("grid", _l("An analysis grid")),
        ],
        validators=[InputRequired(REQUIRED)],
    )
    kind = SelectField(
        _l("For"),
        choices=[SelectChoice(k.value, label) for k, label in FORM_KIND_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
    )
    definition = TextAreaField(
        _l("Definition (JSON)"),
        description=_l("Start from the current version shown below."),
        validators=[Optional(), Length(max=200000, message=TOO_LONG)],
    )
    upload = FileField(_l("Or a JSON file"))


class TerritoryForm(FlaskForm):
    name = StringField(
        _l("Name of the territory"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
    )
    group_id = SelectField(
        _l("Its local committee"),
        coerce=int,
        description=_l("The committee that approves the points of sale of this territory."),
        validators=[InputRequired(NOT_A_CHOICE)],
    )
    places = CheckboxesField(_l("Its points of sale"), coerce=int, validators=[Optional()])
