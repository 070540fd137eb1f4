"""The page each person lands on after logging in: what is next for them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask import Blueprint
from flask_babel import format_currency, format_decimal
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.home import queries
from governance.sessions.forms import CheckInForm
from governance.web import render

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/pour-moi")
def next_for_me() -> Response:
    meetings = queries.next_meetings(current_user)
    return render(
        "home/next.html",
        meetings=meetings,
        rounds=queries.open_rounds(current_user, meetings),
        visits=queries.my_visits(current_user),
        household=queries.my_household(current_user, date.today()),
        check_in=CheckInForm(formdata=None),
        mona=_mona,
        euros=_euros,
    )


def _mona(cents: int) -> str:
    """MonA are their own unit (1 MonA = 1 €, but not euros): the number, then "MonA"."""
    return _("%(amount)s MonA", amount=format_decimal(Decimal(cents).scaleb(-2), "#,##0.00"))


def _euros(cents: int) -> str:
    return format_currency(Decimal(cents).scaleb(-2), "EUR")
