"""One way to write numbers, money, percentages, dates and times: through the reader's locale.

Each filter has one meaning, and the app registers them once for every template:

- ``money``: integer cents of euros → "150 566,44 €" / "€150,566.44";
- ``mona``: integer cents of MonA, a unit of its own → "150,00 MonA" / "150.00 MonA";
- ``number``: a count or a measure → "82,5" / "82.5" (``digits`` fixes the decimals);
- ``percent``: a ratio (0.851) → "85,1 %" / "85.1%";
- ``permille``: an integer per mille (851), as stored by the reports → "85,1 %";
- ``date``, ``datetime``, ``time``: "5 décembre 2026", "5 décembre 2026 à 9 h 30", "9 h 30".

``colon()`` puts a label before its value ("Décisions : …", "Decisions: …"). Forms read
amounts the same way: ``LocaleDecimalField`` takes "12,50" in French, ``Between`` writes its
bounds by locale. Files for machines (CSV, JSON) keep plain numbers: ``machine_amount`` writes
cents as "1234.50".
"""

from __future__ import annotations

import re
from datetime import date as Date
from datetime import datetime as DateTime
from datetime import time as Time
from decimal import Decimal
from functools import cache
from typing import Any

from babel import Locale
from flask import Flask
from flask_babel import format_currency, format_decimal, format_percent, get_locale
from flask_babel import format_date as babel_date
from flask_babel import format_time as babel_time
from flask_babel import gettext as _
from wtforms.validators import NumberRange, ValidationError
from wtforms.widgets import TextInput

from governance.fields import DecimalField  # bounded: finite numbers of sane size only

NONE = "—"
NBSP = "\u00a0"
# Babel's own short time reads "09:30" in French; a French reader writes "9 h 30".
TIME_PATTERNS = {"fr": "H 'h' mm", "en": "h:mm a"}


def _locale() -> Locale:
    return get_locale() or Locale.parse("fr")


def _amount(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def money(cents: int | None, currency: str = "EUR", whole: bool = False) -> str:
    """Integer cents as an amount of ``currency`` (euros by default); ``whole`` rounds to
    units (a chart's axis: "27 400 €")."""
    if cents is None:
        return NONE
    if not whole:
        return str(format_currency(_amount(cents), currency))
    pattern = _locale().currency_formats["standard"].pattern.replace(".00", "")
    rounded = _amount(cents).quantize(Decimal(1))
    return str(format_currency(rounded, currency, pattern, currency_digits=False))


def mona(cents: int | None) -> str:
    """Integer cents of MonA: the local currency is its own unit, never written with €."""
    if cents is None:
        return NONE
    return f"{format_decimal(_amount(cents), '#,##0.00')}{NBSP}MonA"


def number(value: float | int | Decimal | None, digits: int | None = None) -> str:
    """A count or a measure; ``digits`` fixes the number of decimals shown."""
    if value is None:
        return NONE
    if digits is None:
        return str(format_decimal(value))
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, pattern))


@cache
def _percent_pattern(locale: str, digits: int) -> str:
    pattern = Locale.parse(locale).percent_formats[None].pattern.split(";")[0]
    decimals = "." + "0" * digits if digits else ""
    return re.sub(r"[#,0]*0", lambda m: m.group(0) + decimals, pattern, count=1)


def percent(ratio: float | Decimal | None, digits: int = 1) -> str:
    """A ratio (0.851) as a percentage with ``digits`` decimals: "85,1 %"."""
    if ratio is None:
        return NONE
    return str(format_percent(ratio, _percent_pattern(str(_locale()), digits)))


def permille(value: int | None, digits: int = 1) -> str:
    """An integer per mille (851), as the reports store shares, as a percentage."""
    if value is None:
        return NONE
    return percent(Decimal(int(value)).scaleb(-3), digits)


def date(value: Date | DateTime | None, format: str = "long") -> str:
    """A day: "long" (5 décembre 2026), "full" (with the weekday), "short", or a pattern."""
    if value is None:
        return NONE
    return str(babel_date(value, format))


def time(value: DateTime | Time | None) -> str:
    """A time of day in the reader's way: "9 h 30", "9:30 AM"."""
    if value is None:
        return NONE
    pattern = TIME_PATTERNS.get(_locale().language, "short")
    return str(babel_time(value, pattern)).replace(" ", NBSP)  # "9 h 30" never split


def datetime(value: DateTime | None, format: str = "long") -> str:
    """A day and its time: "5 décembre 2026 à 9 h 30" (``format`` as for ``date``)."""
    if value is None:
        return NONE
    return _("%(date)s at %(time)s", date=date(value, format), time=time(value))


def colon() -> str:
    """What goes between a label and its value: "Décisions : …" in French, "Decisions: …"."""
    return f"{NBSP}: " if _locale().language == "fr" else ": "


def machine_amount(cents: int | None) -> Decimal | None:
    """Cents as an exact decimal for spreadsheets and data files (written "-1234.50"): a number,
    so that the export writer never takes a negative amount for a formula to neutralise."""
    if cents is None:
        return None
    return Decimal(cents).scaleb(-2)


FILTERS = {
    "money": money,
    "mona": mona,
    "number": number,
    "percent": percent,
    "permille": permille,
    "date": date,
    "time": time,
    "datetime": datetime,
}


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(FILTERS)
    app.jinja_env.globals["colon"] = colon


class LocaleDecimalField(DecimalField):
    """A decimal typed the reader's way ("12,50" in French, "1,234.50" in English; a dot is
    taken as a decimal point in French too), and shown back the reader's way, ungrouped. A
    text input with a decimal keypad: a number input would refuse to show "12,50"."""

    widget = TextInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["render_kw"] = {"inputmode": "decimal", **(kwargs.get("render_kw") or {})}
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if valuelist and isinstance(valuelist[0], str):
            valuelist = [_plain_decimal(valuelist[0])]
        super().process_formdata(valuelist)

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        if self.data is None:
            return ""
        places = self.places if self.places is not None else 2
        return str(format_decimal(self.data, "0" + ("." + "0" * places if places else "")))


def _plain_decimal(typed: str) -> str:
    symbols = _locale().number_symbols.get("latn", _locale().number_symbols)
    decimal, group = symbols.get("decimal", "."), symbols.get("group", ",")
    text = re.sub(r"[\s\u00a0\u202f']", "", typed)
    if decimal == ",":
        # "1.234,50": the last mark is the decimal one; "12.50": a dot typed as a decimal point
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(group, "")
    return text


class Between(NumberRange):
    """NumberRange whose message writes its bounds the reader's way ("entre 0,01 et 10 000")."""

    def __call__(self, form: Any, field: Any) -> None:
        data = field.data
        low, high = self.min, self.max
        if data is not None and (low is None or data >= low) and (high is None or data <= high):
            return
        bounds = {"min": number(low), "max": number(high)}
        if self.message:
            raise ValidationError(str(self.message) % bounds)
        raise ValidationError(_("Between %(min)s and %(max)s.", **bounds))
