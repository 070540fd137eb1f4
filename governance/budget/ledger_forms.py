"""Forms of the treasurer's ledger pages. Each carries an idempotency key made when the form
is shown, so that a double tap or a resent form records the operation once."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from governance.budget.models import TransactionKind
from governance.fields import DateField, MonthField
from governance.formatting import Between, LocaleDecimalField
from governance.forms import NOT_A_CHOICE, REQUIRED, TOO_LONG

AMOUNT = _l("Please write an amount, for example 12.50.")


def new_key() -> str:
    return secrets.token_hex(16)


class OperationForm(FlaskForm):
    key = HiddenField(default=new_key, validators=[DataRequired(), Length(max=64)])
    on = DateField(_l("Date"), validators=[InputRequired(_l("Please give a date."))])
    amount = LocaleDecimalField(
        _l("Amount in euros"),
        places=2,
        validators=[
            InputRequired(AMOUNT),
            Between(min=0.01, max=10_000_000, message=_l("Between %(min)s and %(max)s.")),
        ],
    )


class GrantForm(OperationForm):
    funder = StringField(
        _l("Funder"), validators=[DataRequired(REQUIRED), Length(max=60, message=TOO_LONG)]
    )


class ContributionForm(OperationForm):
    household = StringField(
        _l("Household reference"),
        validators=[DataRequired(REQUIRED), Length(max=20, message=TOO_LONG)],
    )


class RunForm(FlaskForm):
    class Meta:
        # The preview is a GET; the confirming POST is still checked by the app-wide CSRFProtect.
        csrf = False

    month = DateField(
        _l("Month (any day of it)"), validators=[InputRequired(_l("Please give a date."))]
    )


class ImportForm(FlaskForm):
    operator = SelectField(
        _l("Payment operator"),
        coerce=int,
        validate_choice=False,
        description=_l("Its columns and its codes for the points of sale are remembered."),
    )
    upload = FileField(
        _l("The operator's export (CSV or Excel)"),
        description=_l(
            "CSV as your spreadsheet saves it (separated by ; or by commas, dates as 02/12/2026, "
            "amounts as 12,50) or an Excel workbook (.xlsx). Each line: the date, the operator's "
            "transaction id, the household, the point of sale (its name or the operator's code) "
            "and the amount."
        ),
    )


FIELD_LABELS = {
    "date": _l("Date of the purchase"),
    "operator_id": _l("Operator's transaction id"),
    "household": _l("Household reference"),
    "point_of_sale": _l("Point of sale (name or code)"),
    "amount": _l("Amount"),
}


class ColumnsForm(FlaskForm):
    """Which column of the file holds each item (choices: the file's headers)."""

    date = SelectField(FIELD_LABELS["date"], validate_choice=False)
    operator_id = SelectField(FIELD_LABELS["operator_id"], validate_choice=False)
    household = SelectField(FIELD_LABELS["household"], validate_choice=False)
    point_of_sale = SelectField(FIELD_LABELS["point_of_sale"], validate_choice=False)
    amount = SelectField(FIELD_LABELS["amount"], validate_choice=False)

    def offer(self, header: list[str]) -> None:
        choices = [SelectChoice("", _l("— choose a column —"))]
        choices += [SelectChoice(h, h) for h in header]
        for name in FIELD_LABELS:
            self[name].choices = choices


class OperatorForm(FlaskForm):
    name = StringField(
        _l("Name of the operator"),
        validators=[DataRequired(REQUIRED), Length(max=60, message=TOO_LONG)],
    )


class CodesForm(FlaskForm):
    """The codes themselves are one input per point of sale (``code-<id>``), read by the route."""


class PeriodForm(FlaskForm):
    """The months a report covers (a GET form: nothing is written)."""

    class Meta:
        csrf = False

    start = MonthField(_l("From (month)"), validators=[Optional()])
    end = MonthField(_l("To (month, included)"), validators=[Optional()])
    month = MonthField(_l("Households for the month"), validators=[Optional()])
    # Shown only where the caisse has several territories (choices set by the route).
    territoire = SelectField(_l("Territory"), choices=[], validate_choice=False)

    def validate_territoire(self, field: SelectField) -> None:
        if field.data and field.data not in {str(c[0]) for c in field.choices}:
            raise ValidationError(NOT_A_CHOICE)

    def validate_end(self, field: MonthField) -> None:
        if self.start.data and field.data:
            if field.data < self.start.data:
                raise ValidationError(_l("The last month comes after the first one."))
            if (field.data.year - self.start.data.year) * 12 > 120:
                raise ValidationError(_l("At most ten years at once."))


class TargetForm(FlaskForm):
    month = MonthField(_l("From the month"), validators=[InputRequired(_l("Please give a month."))])
    percent = LocaleDecimalField(
        _l("Share of the allocations covered by contributions, in %"),
        places=1,
        validators=[
            InputRequired(_l("Please write a percentage, for example 30.")),
            Between(min=0, max=100, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    reference = StringField(
        _l("Reference of the committee's decision (if any)"),
        validators=[Optional(), Length(max=30, message=TOO_LONG)],
    )


class ReversalForm(FlaskForm):
    reason = TextAreaField(
        _l("Why is this operation reversed?"),
        validators=[DataRequired(REQUIRED), Length(max=500, message=TOO_LONG)],
    )
    on = DateField(
        _l("Date of the reversal"), validators=[InputRequired(_l("Please give a date."))]
    )


class CloseForm(FlaskForm):
    month = MonthField(_l("Month to close"), validators=[InputRequired(_l("Please give a month."))])


class ReimbursementForm(OperationForm):
    point_of_sale = SelectField(
        _l("Point of sale"), coerce=int, validate_choice=False, validators=[InputRequired(REQUIRED)]
    )


KIND_LABELS = {
    TransactionKind.GRANT: _l("Grant"),
    TransactionKind.CONTRIBUTION: _l("Contribution"),
    TransactionKind.ALLOCATION: _l("Allocation"),
    TransactionKind.PURCHASE: _l("Purchase"),
    TransactionKind.REIMBURSEMENT: _l("Reimbursement"),
    TransactionKind.REVERSAL: _l("Reversal"),
}
