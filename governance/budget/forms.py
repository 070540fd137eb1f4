"""Forms of the budget pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)

from governance.budget.models import HouseholdStatus
from governance.budget.rules import BRACKETS, PRESETS
from governance.fields import DateField, DecimalField
from governance.people.forms import REQUIRED, TOO_LONG

STATUS_LABELS = {
    HouseholdStatus.ACTIVE: _l("active"),
    HouseholdStatus.PAUSED: _l("paused"),
    HouseholdStatus.LEFT: _l("left"),
}
NUMBER = _l("Please write a whole number.")


def bracket_label(index: int) -> str:
    low, high = BRACKETS[index]
    return f"{low} – {high} €"


class HouseholdForm(FlaskForm):
    adults = IntegerField(
        _l("Adults"),
        default=1,
        validators=[
            InputRequired(NUMBER),
            NumberRange(min=1, max=20, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    teens = IntegerField(
        _l("Other people aged 14 or more"),
        default=0,
        validators=[
            InputRequired(NUMBER),
            NumberRange(min=0, max=20, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    children = IntegerField(
        _l("Children under 14"),
        default=0,
        validators=[
            InputRequired(NUMBER),
            NumberRange(min=0, max=20, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    income_bracket = SelectField(
        _l("Monthly income per consumption unit"),
        coerce=int,
        choices=[SelectChoice(i, bracket_label(i)) for i in range(len(BRACKETS))],
        description=_l("Only the bracket is kept, never the exact income."),
        validators=[InputRequired(REQUIRED)],
    )
    contribution = DecimalField(
        _l("Contribution chosen by the household, in euros"),
        places=2,
        validators=[
            InputRequired(_l("Please write an amount, for example 12.50.")),
            NumberRange(min=0, max=100000, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    starts_on = DateField(_l("Since"), validators=[InputRequired(_l("Please give a date."))])
    status = SelectField(
        _l("Status"),
        choices=[SelectChoice(s.value, label) for s, label in STATUS_LABELS.items()],
        validators=[InputRequired(REQUIRED)],
    )


class ImportForm(FlaskForm):
    upload = FileField(
        _l("CSV file"),
        description=_l(
            "Columns: reference, adults, teens, children, income_bracket (0 to 6), contribution "
            "(euros), starts_on (2026-01-31), status (active, paused, left)."
        ),
    )


class ScaleForm(FlaskForm):
    name = StringField(
        _l("Name of the proposal"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
    )
    preset = SelectField(
        _l("Start from"), choices=[SelectChoice(k, p["name"]) for k, p in PRESETS.items()]
    )


class RulesForm(FlaskForm):
    name = StringField(
        _l("Name of the proposal"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
    )
    allocation = TextAreaField(
        _l("Allocation rule (JSON, amounts in cents)"),
        validators=[DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)],
    )
    contribution = TextAreaField(
        _l("Contribution rule (JSON, amounts in cents)"),
        validators=[DataRequired(REQUIRED), Length(max=5000, message=TOO_LONG)],
    )


class AgendaForm(FlaskForm):
    meeting_id = SelectField(_l("Meeting"), coerce=int, validators=[InputRequired(REQUIRED)])
    effective_month = DateField(
        _l("In force from (first day of the month)"),
        validators=[InputRequired(_l("Please give a date."))],
    )


def percentages(text: str, size: int) -> list[int]:
    """ "40, 20, 15, 20, 5" → [40, 20, 15, 20, 5]; ValueError unless ``size`` shares of 100."""
    shares = [int(part) for part in text.replace(";", ",").split(",")]
    if len(shares) != size or sum(shares) != 100 or min(shares) < 0:
        raise ValueError
    return shares


class SimulationForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    def validate_mix(self, field: StringField) -> None:
        try:
            percentages(field.data or "", 5)
        except ValueError:
            raise ValidationError(_l("Five whole numbers that add up to 100.")) from None

    def validate_incomes(self, field: StringField) -> None:
        try:
            percentages(field.data or "", 7)
        except ValueError:
            raise ValidationError(_l("Seven whole numbers that add up to 100.")) from None

    population = SelectField(
        _l("Population"),
        choices=[
            SelectChoice("households", _l("The enrolled households")),
            SelectChoice("synthetic", _l("A synthetic population")),
        ],
        default="households",
    )
    households = IntegerField(
        _l("Number of households (synthetic)"),
        default=1000,
        validators=[Optional(), NumberRange(min=1, max=1_000_000)],
    )
    mix = StringField(
        _l("Synthetic households, percent: single, couple, single parent, family, large family"),
        default="40, 20, 15, 20, 5",
        validators=[Optional(), Length(max=60, message=TOO_LONG)],
    )
    incomes = StringField(
        _l("Households (synthetic), in percent for each of the 7 income brackets, poorest first"),
        default="10, 15, 20, 20, 15, 12, 8",
        validators=[Optional(), Length(max=80, message=TOO_LONG)],
    )
    balance = DecimalField(
        _l("Money in the fund today, in euros"),
        default=0,
        places=0,
        validators=[Optional(), NumberRange(min=0, max=100_000_000)],
    )
    grants = DecimalField(
        _l("Grants committed per month, in euros"),
        default=0,
        places=0,
        validators=[Optional(), NumberRange(min=0, max=10_000_000)],
    )
