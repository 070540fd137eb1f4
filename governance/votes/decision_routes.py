"""The decision register: public list with search and filters, permalinks, the feed and the
open data files, and how to verify the chain."""

from __future__ import annotations

import json
from datetime import datetime

from flask import abort, current_app, request
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.sessions import queries as meeting_queries
from governance.votes import open_data, queries, register
from governance.votes.forms import OUTCOME_LABELS, RegisterForm
from governance.votes.models import DecisionKind, Outcome
from governance.votes.queries import RegisterFilter
from governance.votes.routes import bp
from governance.web import cacheable, page_number, page_size, render

FEED_SIZE = 50


def register_form() -> RegisterForm:
    """The search form, filled from the address, with the groups and years the register has."""
    form = RegisterForm(formdata=request.args)
    # A territory's decisions are those of its committee: the option names the territory.
    where = queries.territory_names()
    form.group.choices = [("", _("All groups"))] + [
        (g.code, f"{g.name} ({where[g.id]})" if g.id in where else g.name)
        for g in queries.register_groups()
    ]
    form.year.choices = [("", _("All years"))] + [
        (str(y), str(y)) for y in queries.register_years()
    ]
    return form


def wanted(form: RegisterForm) -> RegisterFilter:
    """What the valid fields ask for; a field in error does not filter."""

    def ok(field):  # type: ignore[no-untyped-def]
        return field.data if field.data and not field.errors else None

    return RegisterFilter(
        text=(form.q.data or "").strip() if not form.q.errors else "",
        group=ok(form.group),
        kind=DecisionKind(ok(form.kind)) if ok(form.kind) else None,
        year=int(ok(form.year)) if ok(form.year) else None,
        outcome=Outcome(ok(form.outcome)) if ok(form.outcome) else None,
    )


def _changed(*_args: object, **_kwargs: object) -> datetime | None:
    return queries.register_changed_at()


@bp.get("/decisions")
@cacheable(last_modified=_changed)
def decisions() -> Response:
    form = register_form()
    valid = form.validate() if request.args else True
    page, size = page_number(), page_size()
    found, total = queries.register(wanted(form), page, size)
    filters = {key: value for key, value in request.args.items() if key != "page" and value}
    return render(
        "votes/decisions.html",
        block="results",
        form=form,
        decisions=found,
        total=total,
        page=page,
        pages=max(1, -(-total // size)),
        filters=filters,
        searched=bool(filters),
        head=register.head(),
        status=200 if valid else 422,
    )


@bp.get("/decisions/verifier")
@cacheable(last_modified=_changed)
def verify() -> Response:
    return render("votes/verify.html", check=register.verify_recent())


@bp.get("/decisions/<reference>")
@cacheable()
def decision(reference: str) -> Response:
    """A citable, printable permalink. The public sees counts; members of the group also see
    who said what (named positions are shown to the room once a round closes)."""
    found = queries.decision(reference)
    if found is None:
        abort(404)
    named = current_user.is_authenticated and bool(
        meeting_queries.group_roles(current_user, found.group_id, found.decided_on)
        or meeting_queries.is_admin(current_user, found.decided_on)
    )
    return render("votes/decision.html", decision=found, named=named)


@bp.get("/decisions.json")
@cacheable(last_modified=_changed)
def decisions_json() -> Response:
    body = json.dumps(
        open_data.register_json(queries.all_decisions()), ensure_ascii=False, indent=1
    )
    return current_app.response_class(body, mimetype="application/json")


@bp.get("/decisions.csv")
@cacheable(last_modified=_changed)
def decisions_csv() -> Response:
    response = current_app.response_class(
        open_data.register_csv(queries.all_decisions()), mimetype="text/csv"
    )
    response.headers["Content-Disposition"] = 'inline; filename="decisions.csv"'
    return response


@bp.get("/decisions.atom")
@cacheable(last_modified=_changed)
def decisions_atom() -> Response:
    feed = open_data.register_atom(queries.latest_decisions(FEED_SIZE), OUTCOME_LABELS)
    return current_app.response_class(feed, mimetype="application/atom+xml")
