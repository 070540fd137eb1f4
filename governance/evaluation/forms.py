"""The profile a person gives (or a facilitator keys in with them), and the export's button."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from governance.budget.forms import income_range
from governance.budget.rules import BRACKETS
from governance.evaluation import labels
from governance.evaluation.models import Audience
from governance.fields import DateField
from governance.forms import REQUIRED, TOO_LONG, OnceForm

PREFER_NOT = _l("I prefer not to say")


def _choices(values: dict) -> list[SelectChoice]:  # type: ignore[type-arg]
    return [SelectChoice("", PREFER_NOT)] + [
        SelectChoice(str(getattr(k, "value", k)), label) for k, label in values.items()
    ]


class ProfileForm(FlaskForm):
    age_band = RadioField(_l("Your age"), choices=_choices(labels.AGE_BANDS), default="")
    gender = RadioField(_l("You are"), choices=_choices(labels.GENDERS), default="")
    household_size = RadioField(
        _l("How many people live in your household, you included?"),
        choices=_choices(labels.SIZES),
        default="",
    )
    income_bracket = RadioField(
        _l("Your household's monthly income per consumption unit"),
        description=_l(
            "Income of the household ÷ consumption units (1 for the first adult, 0.5 per other "
            "person aged 14 or over, 0.3 per child under 14). The poverty line is 1 288 €."
        ),
        choices=[SelectChoice("", PREFER_NOT)]
        + [SelectChoice(str(i), LazyString(income_range, i)) for i in range(len(BRACKETS))],
        default="",
    )
    food_aid = RadioField(
        _l("Have you used food aid (food bank, social grocery, parcels) in the last 12 months?"),
        choices=_choices(labels.FOOD_AID),
        default="",
    )
    came_by = RadioField(
        _l("How did you come to the caisse?"), choices=_choices(labels.CAME_BY), default=""
    )
    research_consent = BooleanField(
        _l(
            "I agree that researchers evaluating the caisse receive these facts and my "
            "participation, without my name or contact details."
        )
    )


class ConfirmForm(FlaskForm):
    """A button alone (withdraw everything, export): the CSRF token is all it carries."""


class SurveyForm(OnceForm):
    title = StringField(
        _l("Title"),
        validators=[InputRequired(REQUIRED), Length(max=200, message=TOO_LONG)],
        default="Habitudes alimentaires",
    )
    audience = RadioField(
        _l("Who is asked"),
        choices=[
            SelectChoice(
                Audience.HOUSEHOLDS.value, _l("The households (the person who holds each)")
            ),
            SelectChoice(Audience.COMMITTEE.value, _l("The members of the citizen committee")),
        ],
        default=Audience.HOUSEHOLDS.value,
        validators=[InputRequired(REQUIRED)],
    )
    plan = RadioField(
        _l("When"),
        choices=[
            SelectChoice("waves", _l("A baseline, then again 6 and 12 months later")),
            SelectChoice("one_off", _l("Once")),
        ],
        default="waves",
        validators=[InputRequired(REQUIRED)],
    )
    opens_on = DateField(
        _l("The first wave opens on"),
        validators=[InputRequired(_l("Please give a date, for example 2026-09-01."))],
    )


class PaperForm(FlaskForm):
    person_id = SelectField(
        _l("Who answered on paper"), coerce=int, validators=[InputRequired(REQUIRED)]
    )
