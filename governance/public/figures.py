"""/chiffres: the fund's figures for everyone, without an account and without personal data —
money received, allocations, purchases by kind of point of sale, the contribution share
against the committee's target, months of runway. Charts are SVG drawn on the server, each
with its table; the page is cached by the browser until the books change (ETag)."""

from __future__ import annotations

import hashlib
import time
from datetime import date

from flask import request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from governance import formatting
from governance.budget import charts, reports, story
from governance.budget.models import ContributionTarget, CostLine, LedgerTransaction, Pledge
from governance.conventionnement import territories
from governance.conventionnement.labels import POS_KIND_LABELS
from governance.extensions import db
from governance.public.routes import bp
from governance.web import render

MONTHS = 12
SOURCE_LABELS = {
    "contributions": _l("Households' contributions"),
    "public": _l("Public bodies"),
    "private": _l("Foundations and companies"),
    "citizen": _l("Citizens' donations"),
    "other": _l("Other grants"),
}


def _version() -> tuple[str, object]:
    """What the page depends on: the head of the books, the targets, the pledges and costs
    to come, the month, the language, who reads it, the hour. Cheap to read: an unchanged
    page costs four small queries and no rendering."""
    head = db.session.execute(
        select(LedgerTransaction.id, LedgerTransaction.hash, LedgerTransaction.created_at)
        .order_by(LedgerTransaction.id.desc())
        .limit(1)
    ).first()
    targets = db.session.execute(
        select(func.count(), func.max(ContributionTarget.set_at)).select_from(ContributionTarget)
    ).first()
    # the runway counts the pledges and the costs still to come
    ahead = db.session.execute(
        select(func.count(), func.max(Pledge.id), func.sum(Pledge.cents)).select_from(Pledge)
    ).first()
    costs = db.session.execute(
        select(
            func.count(),
            func.sum(CostLine.forecast_cents),
            func.sum(func.coalesce(CostLine.paid_cents, -1)),
        ).select_from(CostLine)
    ).first()
    stamp = "|".join(
        str(part)
        for part in (
            *(ahead or ()),
            *(costs or ()),
            head[0] if head else 0,
            head[1] if head else "",
            targets[0],
            targets[1],
            date.today().replace(day=1),
            get_locale(),
            # the page's header (who is signed in) and its form tokens (valid for 12 hours)
            current_user.get_id() if current_user.is_authenticated else "-",
            int(time.time()) // 3600,
            request.args.get("territoire", ""),
        )
    )
    changed = max((d for d in (head[2] if head else None, targets[1]) if d), default=None)
    return hashlib.sha256(stamp.encode()).hexdigest()[:32], changed


def _charts(months: list[reports.MonthTotals], shares: list[reports.ShareMonth], bought):  # type: ignore[no-untyped-def]
    labels = [formatting.date(m.month, "MMM yy") for m in months]
    money = charts.bars(
        _("Money received and MonA allocated, per month"),
        labels,
        [
            (_("contributions"), [m.contributions for m in months]),
            (_("grants"), [m.grants for m in months]),
            (_("allocations"), [m.allocations for m in months]),
        ],
        lambda cents: formatting.money(int(cents), whole=True),
    )
    share = charts.bars(
        _("Contribution share and target, per month"),
        labels,
        [
            (_("share"), [s.share_permille or 0 for s in shares]),
            (_("target"), [s.target_permille or 0 for s in shares]),
        ],
        lambda permille: formatting.permille(int(permille), 0),
    )
    kinds = charts.rows(
        _("Purchases by kind of point of sale"),
        [(str(POS_KIND_LABELS[k]), c) for k, c, _p in bought.by_kind],
        lambda cents: formatting.mona(int(cents)),
    )
    return money, share, kinds


@bp.get("/chiffres")
def figures() -> Response:
    etag, changed = _version()
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        end = date.today().replace(day=1)
        start = reports.add_months(end, -(MONTHS - 1))
        territory = territories.chosen(request.args.get("territoire"))
        where = territory.id if territory else None
        months = reports.monthly_totals(start, end, where)
        shares = reports.contribution_share(start, end, where)
        bought = reports.purchases(start, end, where)
        money, share, kinds = _charts(months, shares, bought)
        told = story.since_start()
        response = render(
            "public/figures.html",
            months=months,
            shares=shares,
            bought=bought,
            kinds=POS_KIND_LABELS,
            runway=reports.runway(date.today()),
            story=told,
            totals={
                name: sum(getattr(m, name) for m in months)
                for name in ("contributions", "grants", "allocations", "purchases")
            },
            charts={
                "money": money,
                "share": share,
                "kinds": kinds,
                "sources": charts.rows(
                    _("Where the money came from, since the start"),
                    [(str(SOURCE_LABELS[key]), cents) for key, cents in told.sources],
                    lambda cents: formatting.money(int(cents), whole=True),
                ),
            },
            territory=territory,
            territories=territories.all_territories() if territories.several() else [],
        )
    response.set_etag(etag)
    if changed:
        response.last_modified = changed
    # Kept by the browser only (the page carries the reader's form tokens), asked again each
    # time: a 304 while the books have not changed.
    response.headers["Cache-Control"] = "private, no-cache"
    response.vary.add("Cookie")
    return response
