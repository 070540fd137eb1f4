"""The page each person lands on after logging in: what is next for them."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.home import queries
from governance.sessions.forms import CheckInForm
from governance.votes import online
from governance.web import render

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/pour-moi")
def next_for_me() -> Response:
    meetings = queries.next_meetings(current_user)
    return render(
        "home/next.html",
        meetings=meetings,
        rounds=queries.open_rounds(current_user, meetings),
        online=online.waiting_for(current_user),
        visits=queries.my_visits(current_user),
        household=queries.my_household(current_user, date.today()),
        check_in=CheckInForm(formdata=None),
    )
