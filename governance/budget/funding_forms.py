"""Forms of the funders', pledges' and operating costs' pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from governance.budget.ledger_forms import AMOUNT
from governance.budget.models import CostKind, FunderKind, Schedule
from governance.fields import DateField, MonthField
from governance.formatting import Between, LocaleDecimalField
from governance.forms import REQUIRED, TOO_LONG, OnceForm

FUNDER_KINDS = {
    FunderKind.PUBLIC: _l("Public body"),
    FunderKind.PRIVATE: _l("Foundation or company"),
    FunderKind.CITIZEN: _l("Citizens (donations, voluntary extra contributions)"),
}
SCHEDULES = {
    Schedule.ONCE: _l("All at once, the first month"),
    Schedule.MONTHLY: _l("Every month"),
    Schedule.QUARTERLY: _l("Every three months"),
    Schedule.YEARLY: _l("Every year"),
}
COST_KINDS = {
    CostKind.STAFF: _l("Staff"),
    CostKind.PAYMENT_FEES: _l("Payment operator fees"),
    CostKind.PREMISES: _l("Premises"),
    CostKind.OTHER: _l("Other"),
}


def _amount(label: object) -> LocaleDecimalField:
    return LocaleDecimalField(
        label,
        places=2,
        validators=[
            InputRequired(AMOUNT),
            Between(min=0.01, max=100_000_000, message=_l("Between %(min)s and %(max)s.")),
        ],
    )


class FunderForm(FlaskForm):
    name = StringField(
        _l("Name of the funder"),
        description=_l("As its grants are recorded in the books."),
        validators=[DataRequired(REQUIRED), Length(max=60, message=TOO_LONG)],
    )
    kind = RadioField(
        _l("Kind"),
        choices=[SelectChoice(kind.value, label) for kind, label in FUNDER_KINDS.items()],
        validators=[InputRequired(_l("Please choose one."))],
    )


class PledgeForm(OnceForm):
    amount = _amount(_l("Amount of the pledge, in euros"))
    first_month = MonthField(
        _l("First month"), validators=[InputRequired(_l("Please give a month."))]
    )
    last_month = MonthField(
        _l("Last month (included)"), validators=[InputRequired(_l("Please give a month."))]
    )
    schedule = SelectField(
        _l("Payment schedule"),
        choices=[SelectChoice(s.value, label) for s, label in SCHEDULES.items()],
    )
    hoped = BooleanField(_l("Hoped for, not signed yet"))
    note = StringField(
        _l("Note (agreement, reference)"),
        validators=[Optional(), Length(max=200, message=TOO_LONG)],
    )


class CostForm(OnceForm):
    label = StringField(
        _l("What"), validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)]
    )
    kind = SelectField(
        _l("Kind"), choices=[SelectChoice(k.value, label) for k, label in COST_KINDS.items()]
    )
    month = MonthField(_l("Month"), validators=[InputRequired(_l("Please give a month."))])
    forecast = _amount(_l("Forecast, in euros"))


class PaidForm(FlaskForm):
    paid = _amount(_l("Paid, in euros"))
    on = DateField(_l("Paid on"), validators=[InputRequired(_l("Please give a date."))])
