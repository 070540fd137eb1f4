"""WTForms' date and decimal fields, bounded: every form of the app imports them from here.

A date field takes only years from 1900 to 2200 (a year 9999 or 0001 is a typing slip, and date
arithmetic on it overflows); a decimal field takes only finite numbers of sane size (``sNaN``,
``Infinity`` or ``1E+999999`` are not amounts). Both refuse with the field's usual message, so
the form comes back with what was typed.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import fields

FIRST_YEAR, LAST_YEAR = 1900, 2200
LARGEST = Decimal(10) ** 12  # far above any amount or percentage a form asks for

OUT_OF_RANGE = _l("Please give a date between %(first)d and %(last)d.")
NOT_A_NUMBER = _l("Please write a number, for example 12.50.")


class _Bounded:
    def process_formdata(self, valuelist: list[Any]) -> None:
        super().process_formdata(valuelist)  # type: ignore[misc]
        value = self.data  # type: ignore[has-type]
        if isinstance(value, date) and not FIRST_YEAR <= value.year <= LAST_YEAR:
            self.data = None
            raise ValueError(str(OUT_OF_RANGE % {"first": FIRST_YEAR, "last": LAST_YEAR}))
        if isinstance(value, Decimal) and (not value.is_finite() or abs(value) >= LARGEST):
            self.data = None
            raise ValueError(str(NOT_A_NUMBER))


class DateField(_Bounded, fields.DateField):
    pass


class MonthField(_Bounded, fields.MonthField):
    pass


class DecimalField(_Bounded, fields.DecimalField):
    pass


def load_json(text: str) -> Any:
    """``json.loads``, with nesting too deep for the parser refused as invalid (``ValueError``)
    like any other broken JSON, instead of a ``RecursionError``."""
    try:
        return json.loads(text)
    except RecursionError as error:
        raise ValueError("JSON nested too deeply") from error
