"""The admin's page of the caisse's territories: name, local committee, points of sale."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance.conventionnement import territories
from governance.conventionnement.forms import TerritoryForm
from governance.conventionnement.models import PointOfSale, TerritoryPlace
from governance.conventionnement.routes import bp
from governance.extensions import db
from governance.people.models import Group, GroupKind, Territory
from governance.web import form_status, render, save


def _form(territory: Territory | None) -> TerritoryForm:
    form = TerritoryForm(
        formdata=request.form if request.method == "POST" else None,
        name=territory.name if territory else "",
        group_id=(territory.group_id or 0) if territory else 0,
        places=[p.pos_id for p in _listed(territory)] if territory else [],
    )
    groups = db.session.scalars(
        select(Group)
        .where(Group.kind.in_((GroupKind.COMMITTEE, GroupKind.LOCAL_COMMITTEE)))
        .order_by(Group.name)
    )
    form.group_id.choices = [SelectChoice(0, _("No committee"))] + [
        SelectChoice(g.id, g.name) for g in groups
    ]
    form.places.choices = [
        SelectChoice(p.id, p.name)
        for p in db.session.scalars(select(PointOfSale).order_by(PointOfSale.name))
    ]
    return form


def _listed(territory: Territory) -> list[TerritoryPlace]:
    return list(
        db.session.scalars(
            select(TerritoryPlace).where(TerritoryPlace.territory_id == territory.id)
        )
    )


def _save(form: TerritoryForm, territory: Territory | None) -> Territory | None:
    group = db.session.get(Group, form.group_id.data) if form.group_id.data else None
    return save(
        form,
        lambda: territories.save_territory(territory, form.name.data, group, form.places.data),
    )


@bp.route("/territoires", methods=["GET", "POST"])
def territories_page() -> Response:
    form = _form(None)
    if form.validate_on_submit() and _save(form, None) is not None:
        flash(_("The territory %(name)s is created.", name=form.name.data.strip()), "success")
        return redirect(url_for("conventionnement.territories_page"))
    found = territories.all_territories()
    return render(
        "conventionnement/territories.html",
        form=form,
        territories=found,
        counts=territories.place_counts(),
        status=form_status(form),
    )


@bp.route("/territoires/<int:territory_id>", methods=["GET", "POST"])
def territory_edit(territory_id: int) -> Response:
    territory = db.session.get(Territory, territory_id)
    if territory is None:
        abort(404)
    form = _form(territory)
    if form.validate_on_submit() and _save(form, territory) is not None:
        flash(_("The territory %(name)s is saved.", name=territory.name), "success")
        return redirect(url_for("conventionnement.territories_page"))
    return render(
        "conventionnement/territory.html",
        form=form,
        territory=territory,
        status=form_status(form),
    )
