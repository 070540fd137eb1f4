"""Forms of joining and of a household's own contribution."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from governance.budget.forms import BRACKET_CHOICES, HouseholdFields
from governance.formatting import Between, LocaleDecimalField
from governance.forms import NOT_A_CHOICE, REQUIRED, TOO_LONG, CheckboxesField, OnceForm
from governance.joining.models import ApplicantStatus, HeardFrom, PlacesMode

AMOUNT = _l("Please write an amount in euros, for example 120 or 45.50.")

STATUS_LABELS = {
    ApplicantStatus.NEW: _l("new"),
    ApplicantStatus.INVITED: _l("invited to a welcome meeting"),
    ApplicantStatus.CAME: _l("came to the meeting"),
    ApplicantStatus.ENROLLED: _l("enrolled"),
    ApplicantStatus.WAITING: _l("on the waiting list"),
    ApplicantStatus.WITHDRAWN: _l("withdrawn"),
}
# The button that moves an applicant to each step.
MOVE_LABELS = {
    ApplicantStatus.NEW: _l("Open again"),
    ApplicantStatus.INVITED: _l("Invited to a welcome meeting"),
    ApplicantStatus.CAME: _l("Came to the meeting"),
    ApplicantStatus.WAITING: _l("Put on the waiting list"),
    ApplicantStatus.WITHDRAWN: _l("Withdrawn"),
}
HEARD_LABELS = {
    HeardFrom.ORGANISATION: _l("An organisation or association"),
    HeardFrom.SOCIAL_SERVICES: _l("Social services"),
    HeardFrom.WORD_OF_MOUTH: _l("Word of mouth: a neighbour, a friend, family"),
    HeardFrom.OTHER: _l("Another way"),
}
MODE_LABELS = {
    PlacesMode.ORDER: _l("In order of arrival"),
    PlacesMode.DRAW: _l("By a fair draw"),
}


class ApplyForm(HouseholdFields, OnceForm):
    # Seven radio buttons: every bracket seen at once on a phone, none chosen for the visitor.
    income_bracket = RadioField(
        _l("Monthly income per consumption unit"),
        coerce=int,
        choices=BRACKET_CHOICES,
        description=HouseholdFields.income_bracket.kwargs["description"],
        validators=[InputRequired(NOT_A_CHOICE)],
    )
    name = StringField(
        _l("Your name"),
        description=_l("Or the name you want us to call you."),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
    )
    neighbourhood = StringField(
        _l("Your neighbourhood or town"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
    )
    heard_from = RadioField(
        _l("How did you hear about the caisse?"),
        choices=[SelectChoice(k.value, v) for k, v in HEARD_LABELS.items()],
        validators=[InputRequired(_l("Choose one answer."))],
    )
    heard_detail = StringField(
        _l("Which one? (optional)"),
        description=_l("The name of the organisation or of the service, if you want."),
        validators=[Optional(), Length(max=200, message=TOO_LONG)],
    )
    email = StringField(
        _l("E-mail address (optional)"),
        validators=[
            Optional(),
            Email(_l("This e-mail address does not look right.")),
            Length(max=254, message=TOO_LONG),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )
    phone = StringField(
        _l("Phone number (optional)"),
        description=_l(
            "With no e-mail and no phone, come to a welcome meeting: we will know you there."
        ),
        validators=[Optional(), Length(max=30, message=TOO_LONG)],
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )


class AssessmentForm(HouseholdFields):
    left = LocaleDecimalField(
        _l("What is left each month once rent and bills are paid, in euros"),
        places=2,
        description=_l("Income, minus rent, energy, water, insurance, phone and loans."),
        validators=[InputRequired(AMOUNT), Between(min=0, max=1_000_000)],
    )
    food = LocaleDecimalField(
        _l("What the household spends on food each month today, in euros"),
        places=2,
        validators=[InputRequired(AMOUNT), Between(min=0, max=1_000_000)],
    )
    declared = LocaleDecimalField(
        _l("What the household will give each month, in euros"),
        places=2,
        description=_l("You choose: the suggested amount is a guide."),
        validators=[Optional(), Between(min=0, max=100_000)],
    )


class EnrolForm(AssessmentForm):
    """The first contribution assessment, filled in with the household when enrolling it; the
    household's territory when the caisse has several (choices set by the page)."""

    territory = SelectField(_l("Territory of the household"), coerce=lambda v: _whole(v))


def _whole(value: object) -> int | None:
    """A choice's id, or None for the empty "choose" line."""
    return None if value in ("", None) else int(value)  # type: ignore[call-overload]


class InviteForm(FlaskForm):
    """Invite the chosen applicants to a welcome meeting (choices set by the page)."""

    meeting = SelectField(
        _l("Welcome meeting"), coerce=int, validators=[InputRequired(NOT_A_CHOICE)]
    )
    applicants = CheckboxesField(
        _l("Households to invite"),
        coerce=int,
        validators=[DataRequired(_l("Choose at least one household."))],
    )


class IntakeForm(FlaskForm):
    capacity = IntegerField(
        _l("How many households the caisse can take"),
        description=_l("Leave empty for no limit."),
        validators=[Optional(), Between(min=0, max=1_000_000)],
    )
    mode = RadioField(
        _l("How places are given"),
        choices=[SelectChoice(k.value, v) for k, v in MODE_LABELS.items()],
        validators=[InputRequired(NOT_A_CHOICE)],
    )
    decision_reference = StringField(
        _l("Decision that set this (reference, optional)"),
        validators=[Optional(), Length(max=30, message=TOO_LONG)],
    )
