"""The approved (conventionnés) points of sale: where MonA can be spent, since when, until
when, and the decision behind each; as a page, CSV and JSON."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from flask import current_app, request
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from governance import tabular
from governance.conventionnement import territories
from governance.conventionnement.models import PosKind
from governance.public import queries
from governance.public.forms import PointsForm
from governance.public.queries import ApprovedPoint
from governance.public.routes import bp
from governance.web import cacheable, external_url, render

CSV_COLUMNS = [
    "name",
    "kind",
    "neighbourhood",
    "address",
    "sells",
    "approved_since",
    "review_on",
    "decision",
    "decision_url",
    "group",
    "opening_days",
]


def _changed(*_args: object, **_kwargs: object) -> datetime | None:
    return queries.points_changed_at()


def point_json(point: ApprovedPoint) -> dict[str, Any]:
    return {
        "name": point.name,
        "kind": point.kind.value,
        "neighbourhood": point.neighbourhood,
        "address": point.address,
        "sells": point.sells,
        "approved_since": point.since.isoformat() if point.since else None,
        "review_on": point.review_on.isoformat() if point.review_on else None,
        "decision": point.decision,
        "decision_url": external_url("votes.decision", reference=point.decision)
        if point.decision
        else None,
        "group": point.group,
        "opening_days": list(point.opening_days),
    }


def _cell(value: object) -> object:
    return " ".join(map(str, value)) if isinstance(value, list) else value


def points_form() -> PointsForm:
    form = PointsForm(formdata=request.args)
    form.neighbourhood.choices = [("", _("All neighbourhoods"))] + [
        (n, n) for n in queries.neighbourhoods()
    ]
    form.territory.choices = [("", _("The whole caisse"))] + [
        (str(t.id), t.name) for t in territories.all_territories()
    ]
    return form


@bp.get("/points-de-vente")
@cacheable(last_modified=_changed)
def points_of_sale() -> Response:
    form = points_form()
    valid = form.validate() if request.args else True
    kind = form.kind.data if form.kind.data and not form.kind.errors else None
    neighbourhood = form.neighbourhood.data if not form.neighbourhood.errors else ""
    territory = territories.chosen(form.territory.data) if not form.territory.errors else None
    points = queries.approved_points(
        PosKind(kind) if kind else None,
        neighbourhood or "",
        territory.id if territory else None,
    )
    by_kind: dict[PosKind, list[ApprovedPoint]] = {}
    for point in points:
        by_kind.setdefault(point.kind, []).append(point)
    return render(
        "public/points_of_sale.html",
        form=form,
        by_kind=by_kind,
        total=len(points),
        territory=territory,
        several=len(form.territory.choices) > 2,
        filtered=bool(kind or neighbourhood or territory),
        status=200 if valid else 422,
    )


@bp.get("/points-de-vente.json")
@cacheable(last_modified=_changed)
def points_of_sale_json() -> Response:
    points = [point_json(p) for p in queries.approved_points()]
    body = {"caisse": current_app.config["CAISSE_NAME"], "count": len(points), "points": points}
    return current_app.response_class(
        json.dumps(body, ensure_ascii=False, indent=1), mimetype="application/json"
    )


@bp.get("/points-de-vente.csv")
@cacheable(last_modified=_changed)
def points_of_sale_csv() -> Response:
    rows = [
        [_cell(row[c]) for c in CSV_COLUMNS] for row in map(point_json, queries.approved_points())
    ]
    return tabular.csv_response("points-de-vente.csv", CSV_COLUMNS, rows, inline=True)
