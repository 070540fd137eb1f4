"""Forms of the budget pages."""

from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)

from governance.budget.models import AssessmentStatus, HouseholdStatus, ScaleStatus
from governance.budget.rules import BRACKETS, PRESETS
from governance.fields import DateField
from governance.formatting import Between, LocaleDecimalField, money
from governance.forms import NOT_A_CHOICE, REQUIRED, TOO_LONG, OnceForm

STATUS_LABELS = {
    HouseholdStatus.ACTIVE: _l("active"),
    HouseholdStatus.PAUSED: _l("paused"),
    HouseholdStatus.LEFT: _l("left"),
}
SCALE_STATUS_LABELS = {
    ScaleStatus.DRAFT: _l("proposal"),
    ScaleStatus.ACTIVE: _l("adopted"),
    ScaleStatus.REFUSED: _l("refused"),
}
ASSESSMENT_LABELS = {
    AssessmentStatus.PENDING: _l("waiting for the next monthly run"),
    AssessmentStatus.APPLIED: _l("applied"),
    AssessmentStatus.REPLACED: _l("replaced by a later one"),
}
NUMBER = _l("Please write a whole number.")


def income_range(index: int) -> str:
    """The bracket as a reader reads it: "600 € – 900 €", "€600 – €900"."""
    low, high = BRACKETS[index]
    return f"{money(low * 100, whole=True)} – {money(high * 100, whole=True)}"


BRACKET_CHOICES = [SelectChoice(i, LazyString(income_range, i)) for i in range(len(BRACKETS))]
PEOPLE = Between(min=0, max=20, message=_l("Between %(min)s and %(max)s."))


class HouseholdFields(FlaskForm):
    """A household's composition and income bracket: the treasurer's household form, the
    application to join, enrolment and the household's own contribution page."""

    adults = IntegerField(
        _l("Adults in the household"),
        default=1,
        validators=[
            InputRequired(NUMBER),
            Between(min=1, max=20, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    teens = IntegerField(
        _l("Other people aged 14 or more"),
        default=0,
        validators=[InputRequired(NUMBER), PEOPLE],
    )
    children = IntegerField(
        _l("Children under 14"), default=0, validators=[InputRequired(NUMBER), PEOPLE]
    )
    income_bracket = SelectField(
        _l("Monthly income per consumption unit"),
        coerce=int,
        choices=BRACKET_CHOICES,
        description=_l(
            "Add up the household's monthly income, then divide: 1 for the first adult, 0.5 for "
            "each other person aged 14 or more, 0.3 for each child. Only the bracket is kept."
        ),
        validators=[InputRequired(NOT_A_CHOICE)],
    )


class HouseholdForm(HouseholdFields, OnceForm):
    contribution = LocaleDecimalField(
        _l("Contribution chosen by the household, in euros"),
        places=2,
        validators=[
            InputRequired(_l("Please write an amount, for example 12.50.")),
            Between(min=0, max=100000, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    starts_on = DateField(_l("Since"), validators=[InputRequired(_l("Please give a date."))])
    # Shown only where the caisse has several territories (the choices are set by the route).
    territory_id = SelectField(_l("Territory"), coerce=int, validators=[Optional()])
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


# The rules of real caisses to start from, named in the reader's language.
PRESET_LABELS = {
    "montpellier": _l("Montpellier: 100 MonA per person, guide grid"),
    "lyon8": _l("Lyon 8e: 150 + 75 per person aged 14 or more + 45 per child"),
    "gironde": _l("Gironde: 75 per household + 75 per person"),
    "grenoble": _l("Grenoble: 100 / 150 / 200 by size of household"),
    "ariege": _l("Ariège: 2.5 percent of income, at least €10"),
}


class ScaleForm(OnceForm):
    name = StringField(
        _l("Name of the proposal"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
    )
    preset = SelectField(
        _l("Start from"), choices=[SelectChoice(k, PRESET_LABELS[k]) for k in PRESETS]
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
        validators=[Optional(), Between(min=1, max=1_000_000)],
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
    balance = LocaleDecimalField(
        _l("Money in the fund today, in euros"),
        default=0,
        places=0,
        validators=[Optional(), Between(min=0, max=100_000_000)],
    )
    grants = LocaleDecimalField(
        _l("Grants committed per month, in euros"),
        default=0,
        places=0,
        validators=[Optional(), Between(min=0, max=10_000_000)],
    )
