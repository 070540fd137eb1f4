"""The evaluation page: participation over time, each measure a chart, its table and its CSV."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from flask import abort, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from governance import formatting, tabular
from governance.budget import charts
from governance.evaluation import labels, participation
from governance.evaluation.routes import bp
from governance.extensions import db
from governance.people.models import Group, GroupKind

KEYS = tuple(labels.MEASURES)


def _groups() -> list[Group]:
    return list(
        db.session.scalars(select(Group).order_by(Group.kind != GroupKind.COMMITTEE, Group.name))
    )


def _group(groups: list[Group]) -> Group | None:
    raw = request.args.get("groupe", "")
    if raw.isdigit():
        return next((g for g in groups if g.id == int(raw)), None) or abort(404)
    return groups[0] if groups else None


def _measures(group: Group, today: date) -> dict[str, participation.Measure]:
    months = participation.period(today)
    presence, regularity = participation.attendance(group, months)
    found = [
        presence,
        regularity,
        participation.turnover(group, months),
        participation.binomes(group, months),
        participation.objections(group, months),
        participation.positions(group, months),
        participation.decisions(group, months),
        participation.spending(months),
    ]
    return {m.key: m for m in found}


def cell_text(value: Any, kind: str) -> str:
    """A cell as the reader reads it, in their locale."""
    if kind == "month":
        return formatting.date(value, "MMM y")
    if kind == "date":
        return formatting.date(value, "medium")
    if kind == "count":
        return formatting.number(value)
    if kind == "mona":
        return formatting.mona(value)
    if kind == "text" and value in labels.BANDS:
        return str(labels.BANDS[value])
    return str(value)


def _chart(measure: participation.Measure) -> Any:
    title = str(labels.MEASURES[measure.key])
    names = [cell_text(row[0], measure.kinds[0]) for row in measure.rows]
    if measure.kinds[0] == "date":
        names = [formatting.date(row[0], "d MMM") for row in measure.rows]
    series = [
        (labels.column_label(name), [row[i] for row in measure.rows])
        for i, name in enumerate(measure.columns)
        if i > 0 and measure.kinds[i] in ("count", "mona")
    ]
    if len(series) > 1:  # the members' count dwarfs who came, joined or left: in the table only
        series = [s for s in series if s[0] != labels.column_label("members")]
    unit = "mona" if "mona" in measure.kinds else "count"
    series = series[:3]  # three colours; the table has every column
    return charts.bars(title, names, series, lambda v: cell_text(int(v), unit))


@bp.get("/evaluation")
def participation_page() -> Response:
    from governance.web import render

    groups = _groups()
    group = _group(groups)
    today = date.today()
    measures = _measures(group, today) if group else {}
    on_binome = participation.ever_on_binome(group) if group else (0, 0)
    return render(
        "evaluation/participation.html",
        groups=groups,
        group=group,
        measures=measures,
        chart_of={k: _chart(m) for k, m in measures.items()},
        on_binome=on_binome,
        cell_text=cell_text,
        column_label=labels.column_label,
    )


def _csv_value(value: Any, kind: str) -> Any:
    if kind == "mona":
        return Decimal(value).scaleb(-2)
    return value


@bp.get("/evaluation/<any(" + ",".join(KEYS) + "):key>.csv")
def participation_csv(key: str) -> Response:
    groups = _groups()
    group = _group(groups)
    if group is None:
        abort(404)
    measure = _measures(group, date.today())[key]
    rows = [[_csv_value(v, k) for v, k in zip(r, measure.kinds, strict=True)] for r in measure.rows]
    name = f"evaluation-{key}-{group.code}.csv"
    return tabular.csv_response(name, measure.columns, rows)
