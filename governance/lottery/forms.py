"""Forms of the draw pages; the quota table is read from the posted form (its rows depend on
the pool), everything else is WTForms."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import MultiDict
from wtforms import IntegerField, RadioField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from governance.forms import REQUIRED, TOO_LONG, OnceForm
from governance.lottery.models import LotteryStatus, Method, Purpose

PURPOSE_LABELS = {
    Purpose.HOUSEHOLDS: _l("Households who will join the caisse"),
    Purpose.GROUP: _l("Members of a group (for example the committee)"),
}
STATUS_LABELS = {
    LotteryStatus.DRAFT: _l("being prepared"),
    LotteryStatus.COMMITTED: _l("fingerprint published"),
    LotteryStatus.DRAWN: _l("drawn"),
    LotteryStatus.CONFIRMED: _l("confirmed"),
}
METHOD_LABELS = {
    Method.MAXIMIN: _l("Maximin: the smallest chance is as high as the quotas allow"),
    Method.NASH: _l("Nash: chances as even as possible overall"),
}


class LotteryForm(OnceForm):
    title = StringField(
        _l("Name of the draw"),
        validators=[DataRequired(REQUIRED), Length(max=120, message=TOO_LONG)],
    )
    purpose = RadioField(
        _l("Who is drawn"),
        choices=[SelectChoice(p.value, label) for p, label in PURPOSE_LABELS.items()],
        default=Purpose.HOUSEHOLDS.value,
        validators=[InputRequired(REQUIRED)],
    )
    group_id = SelectField(
        _l("Group they will join (for a draw of members)"),
        coerce=int,
        validators=[Optional()],
    )
    places = IntegerField(
        _l("Number of places"),
        validators=[
            InputRequired(_l("Please write a whole number.")),
            NumberRange(min=1, max=500, message=_l("Between %(min)s and %(max)s.")),
        ],
    )
    method = RadioField(
        _l("Method"),
        choices=[SelectChoice(m.value, label) for m, label in METHOD_LABELS.items()],
        default=Method.MAXIMIN.value,
        description=_l(
            "Both come from the Sortition Foundation's algorithms: every quota is met, and "
            "each candidate's chance is shown before the draw."
        ),
        validators=[InputRequired(REQUIRED)],
    )


class PoolForm(FlaskForm):
    upload = FileField(
        _l("CSV file of the candidates"),
        description=_l(
            "One line per candidate. Columns: name; username (the person's account, needed for "
            "a draw of members); adults, teens, children; income_bracket (0 to 6); age_band, "
            "household_kind, neighbourhood; gender (may stay empty). The file replaces the pool."
        ),
    )


class StepForm(FlaskForm):
    """Only the CSRF token: the buttons that move a draw one step on."""


@dataclass
class QuotaRow:
    value: str
    count: int
    low: str
    high: str
    error: str = ""


@dataclass
class QuotaTable:
    """The quota table as shown or as posted, with the errors of each row."""

    used: list[str] = field(default_factory=list)
    rows: dict[str, list[QuotaRow]] = field(default_factory=dict)

    @property
    def has_errors(self) -> bool:
        return any(row.error for rows in self.rows.values() for row in rows)

    def values(self) -> dict[str, dict[str, tuple[int, int]]]:
        return {f: {r.value: (int(r.low), int(r.high)) for r in self.rows[f]} for f in self.used}


def quota_table(
    categories: dict[str, list[tuple[str, int]]],
    used: list[str],
    saved: dict[str, dict[str, list[int]]],
    places: int,
    posted: MultiDict[str, str] | None = None,
) -> QuotaTable:
    """Rows for every category of the pool; posted input is kept as typed, and checked."""
    if posted is not None:  # a feature nobody in the pool has is ignored, never a crash
        used = [f for f in posted.getlist("feature") if f in categories]
    table = QuotaTable(used=list(used))
    for feature, values in categories.items():
        rows = []
        for index, (value, count) in enumerate(values):
            low, high = saved.get(feature, {}).get(value, (0, min(places, count)))
            row = QuotaRow(value, count, str(low), str(high))
            if posted is not None:
                row.low = posted.get(f"min-{feature}-{index}", "").strip()
                row.high = posted.get(f"max-{feature}-{index}", "").strip()
                if feature in table.used:
                    row.error = _row_error(row, places)
            rows.append(row)
        table.rows[feature] = rows
    return table


def _row_error(row: QuotaRow, places: int) -> str:
    try:
        low, high = int(row.low), int(row.high)
    except ValueError:
        return str(_l("Write two whole numbers."))
    if not 0 <= low <= high:
        return str(_l("The minimum must be at most the maximum."))
    if high > places:
        return str(_l("The maximum is at most the number of places (%(places)d).", places=places))
    return ""
