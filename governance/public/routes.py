"""Pages anyone can read without an account: the home page and the approved points of sale.
The decision register lives with the decisions (``votes/decision_routes.py``), the JSON API in
``api.py``; all of them answer conditional requests and set no cookie for a visitor."""

from __future__ import annotations

from datetime import date

from flask import Blueprint
from werkzeug.wrappers import Response

from governance.budget import story
from governance.evaluation import queries as evaluation_queries
from governance.public import queries
from governance.votes import queries as decision_queries
from governance.web import cacheable, render

bp = Blueprint("public", __name__, template_folder="templates")

LATEST = 5


@bp.get("/")
@cacheable()  # no Last-Modified: what is "next" changes with the date, the ETag follows it
def home() -> Response:
    return render(
        "public/home.html",
        meetings=queries.upcoming_meetings(),
        decisions=decision_queries.latest_decisions(LATEST),
        figures=queries.key_figures(),
        headline=story.headline(),
        committee=evaluation_queries.main_committee_aim(date.today()),
    )
