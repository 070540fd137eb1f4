"""The public JSON API: the decision register, the approved points of sale and the chain's
head, described by an OpenAPI document (``openapi.py``). Read-only, no account, no cookie."""

from __future__ import annotations

import json
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from governance.conventionnement import territories
from governance.conventionnement.models import PosKind
from governance.public import queries
from governance.public.openapi import MAX_PER_PAGE, MAX_YEAR, MIN_YEAR, document
from governance.public.points_of_sale import point_json
from governance.public.routes import bp
from governance.votes import open_data, register
from governance.votes import queries as decision_queries
from governance.votes.models import DecisionKind, Outcome
from governance.votes.queries import RegisterFilter
from governance.web import cacheable, render


def _json(body: Any, status: int = 200) -> Response:
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )


def _integer(name: str, default: int, low: int, high: int, errors: dict[str, str]) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or not low <= int(raw) <= high:
        errors[name] = _("A whole number from %(low)d to %(high)d.", low=low, high=high)
        return default
    return int(raw)


def _choice(name: str, kind: type[Any], errors: dict[str, str]) -> Any:
    raw = request.args.get(name)
    if not raw:
        return None
    try:
        return kind(raw)
    except ValueError:
        errors[name] = _("One of: %(values)s.", values=", ".join(k.value for k in kind))
        return None


@bp.get("/api")
@cacheable()
def api_doc() -> Response:
    return render("public/api.html")


@bp.get("/api/openapi.json")
@cacheable()
def openapi() -> Response:
    return _json(document())


@bp.get("/api/decisions")
@cacheable()
def api_decisions() -> Response:
    errors: dict[str, str] = {}
    text = request.args.get("q", "")
    if len(text) > 200:
        errors["q"] = _("This is too long: at most %(max)d characters.", max=200)
    year = _integer("year", 0, MIN_YEAR, MAX_YEAR, errors)
    page = _integer("page", 1, 1, 100_000, errors)
    size = _integer("per_page", 20, 1, MAX_PER_PAGE, errors)
    wanted = RegisterFilter(
        text=text if "q" not in errors else "",
        group=request.args.get("group") or None,
        kind=_choice("kind", DecisionKind, errors),
        year=year or None,
        outcome=_choice("outcome", Outcome, errors),
    )
    if errors:
        return _json({"errors": errors}, 422)
    found, total = decision_queries.register(wanted, page, size)
    return _json(
        {
            "total": total,
            "page": page,
            "pages": max(1, -(-total // size)),
            "per_page": size,
            "decisions": [open_data.summary(d) for d in found],
        }
    )


@bp.get("/api/decisions/<reference>")
@cacheable()
def api_decision(reference: str) -> Response:
    found = decision_queries.decision(reference)
    if found is None:
        return _json({"error": _("There is no decision with this reference.")}, 404)
    return _json(open_data.public_record(found))


@bp.get("/api/points-de-vente")
@cacheable()
def api_points() -> Response:
    errors: dict[str, str] = {}
    kind = _choice("kind", PosKind, errors)
    raw = request.args.get("territory", "")
    if raw and not raw.isdigit():
        errors["territory"] = _("The id of a territory is a number.")
    if errors:
        return _json({"errors": errors}, 422)
    territory = territories.chosen(raw)
    if raw and territory is None:
        return _json({"error": _("No territory has this id.")}, 404)
    points = queries.approved_points(
        kind, request.args.get("neighbourhood", ""), territory.id if territory else None
    )
    return _json({"count": len(points), "points": [point_json(p) for p in points]})


@bp.get("/api/registre")
@cacheable()
def api_chain() -> Response:
    check = register.verify_recent()
    return _json(
        {
            "count": check.count,
            "head": check.head,
            "intact": check.broken is None,
            "broken_at": check.broken,
        }
    )
