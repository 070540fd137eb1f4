"""The scenario page's GET form: what is common (first month, cash), then up to three
scenarios side by side, each under its own prefix (a-, b-, c-)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import Length, Optional

from governance.fields import MonthField
from governance.formatting import Between, LocaleDecimalField
from governance.forms import TOO_LONG

PREFIXES = ("a", "b", "c")
WHOLE = _l("Please write a whole number, for example 200.")


class CommonForm(FlaskForm):
    class Meta:
        csrf = False  # a GET form: it changes nothing

    start = MonthField(_l("First month"), validators=[Optional()])
    cash = LocaleDecimalField(
        _l("Money at the start, in euros"),
        description=_l(
            "Empty: the money available today, the bank account minus the MonA still to "
            "reimburse to points of sale."
        ),
        places=2,
        validators=[
            Optional(),
            Between(min=0, max=100_000_000, message=_l("Between %(min)s and %(max)s.")),
        ],
    )


class ScenarioForm(FlaskForm):
    class Meta:
        csrf = False

    name = StringField(_l("Name"), validators=[Optional(), Length(max=40, message=TOO_LONG)])
    households_from = IntegerField(
        _l("Households at the start"),
        validators=[Optional(), Between(min=0, max=1_000_000, message=WHOLE)],
    )
    households_to = IntegerField(
        _l("Households at the end of the ramp"),
        validators=[Optional(), Between(min=0, max=1_000_000, message=WHOLE)],
    )
    ramp_months = IntegerField(
        _l("Months of the ramp"),
        default=6,
        validators=[Optional(), Between(min=0, max=36, message=_l("Between %(min)s and %(max)s."))],
    )
    months = SelectField(
        _l("Over"),
        choices=[
            SelectChoice("12", _l("one year")),
            SelectChoice("24", _l("two years")),
            SelectChoice("36", _l("three years")),
        ],
        default="12",
    )
    scale = SelectField(_l("Scale"), validate_choice=False)
    share = LocaleDecimalField(
        _l("Contribution share assumed, in %"),
        description=_l("Empty: what the scale yields on the enrolled households."),
        places=1,
        validators=[
            Optional(),
            Between(min=0, max=100, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    hoped = BooleanField(_l("Count the grants hoped for, not only the pledged ones"))
    cost = LocaleDecimalField(
        _l("Operating costs per month, in euros"),
        description=_l("For the months whose costs are not entered yet."),
        places=2,
        validators=[
            Optional(),
            Between(min=0, max=10_000_000, message=_l("Between %(min)s and %(max)s.")),
        ],
    )

    def wanted(self) -> bool:
        return self.households_to.data is not None

    def validate_households_from(self, field: IntegerField) -> None:
        if self.households_to.data is not None and field.data is None:
            field.data = self.households_to.data
