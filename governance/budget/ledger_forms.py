"""Forms of the treasurer's ledger pages. Each carries an idempotency key made when the form
is shown, so that a double tap or a resent form records the operation once."""

from __future__ import annotations

import secrets

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import DateField, DecimalField, HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from governance.people.forms import REQUIRED, TOO_LONG

AMOUNT = _l("Please write an amount, for example 12.50.")


def new_key() -> str:
    return secrets.token_hex(16)


class OperationForm(FlaskForm):
    key = HiddenField(default=new_key, validators=[DataRequired(), Length(max=64)])
    on = DateField(_l("Date"), validators=[InputRequired(_l("Please give a date."))])
    amount = DecimalField(
        _l("Amount in euros"),
        places=2,
        validators=[
            InputRequired(AMOUNT),
            NumberRange(min=0.01, max=10_000_000, message=_l("Between %(min)s and %(max)s.")),
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
    upload = FileField(
        _l("The operator's export (CSV)"),
        description=_l("Columns: date, operator_id, household, point_of_sale, amount."),
    )
    content = TextAreaField(validators=[Optional(), Length(max=20_000_000)])
