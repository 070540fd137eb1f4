"""Points of sale: proposing, assigning a binôme, the committee's agenda, exports, forms."""

from __future__ import annotations

import json
from datetime import date

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance import tabular
from governance.access import access
from governance.conventionnement import policy, queries, services, territories
from governance.conventionnement.forms import (
    BAND_LABELS,
    EVENT_LABELS,
    FORM_KIND_LABELS,
    POS_KIND_LABELS,
    POS_STATUS_LABELS,
    AgendaForm,
    AssignForm,
    ProposeForm,
    PublishForm,
)
from governance.conventionnement.labels import opening_days, weekday_names
from governance.conventionnement.models import (
    FormKind,
    LinkAction,
    PointOfSale,
    PosKind,
    PosStatus,
)
from governance.errors import DomainError
from governance.extensions import db
from governance.fields import load_json
from governance.people.models import Group, Person
from governance.sessions.models import AGENDA_OPEN, Meeting
from governance.web import form_status, render, save

bp = Blueprint(
    "conventionnement", __name__, url_prefix="/conventionnement", template_folder="templates"
)


@bp.app_context_processor
def _labels() -> dict[str, object]:
    return {
        "pos_kind_labels": POS_KIND_LABELS,
        "pos_status_labels": POS_STATUS_LABELS,
        "band_labels": BAND_LABELS,
        "event_labels": EVENT_LABELS,
        "form_kind_labels": FORM_KIND_LABELS,
        "opening_days": opening_days,
    }


def _committees() -> list[Group]:
    groups = territories.deciding_groups()
    if not groups:
        raise DomainError(_("There is no citizen committee yet: an admin must create it."))
    return groups


def _days() -> list[SelectChoice]:
    return [SelectChoice(n, name) for n, name in weekday_names().items()]


@bp.get("/")
def index() -> Response:
    status = request.args.get("etat")
    chosen = PosStatus(status) if status in {s.value for s in PosStatus} else None
    territory = territories.chosen(request.args.get("territoire"))
    return render(
        "conventionnement/index.html",
        points=queries.points_of_sale(chosen, territory_id=territory.id if territory else None),
        chosen=chosen,
        territory=territory,
        territories=territories.all_territories() if territories.several() else [],
        my_visits=queries.my_open_visits(current_user.id),
    )


@bp.route("/proposer", methods=["GET", "POST"])
def propose() -> Response:
    form = ProposeForm()
    groups = _committees()
    form.group_id.choices = [SelectChoice(g.id, g.name) for g in groups]
    if form.group_id.data is None or len(groups) == 1:
        form.group_id.data = territories.proposer_default(current_user, groups).id
    form.opening_days.choices = _days()
    if form.validate_on_submit():
        pos = save(
            form,
            lambda: services.propose(
                db.session.get_one(Group, form.group_id.data),
                current_user,
                form.name.data,
                PosKind(form.kind.data),
                address=form.address.data,
                neighbourhood=form.neighbourhood.data,
                contact=form.contact.data,
                sells=form.sells.data,
                why=form.why.data,
                opening_days=",".join(str(d) for d in sorted(set(form.opening_days.data or []))),
            ),
        )
        if pos is not None:
            flash(
                _(
                    "Thank you! A facilitator will now choose a binôme to visit %(name)s.",
                    name=pos.name,
                ),
                "success",
            )
            return redirect(url_for("conventionnement.point", pos_id=pos.id))
    return render(
        "conventionnement/propose.html",
        block="form",
        form=form,
        several=len(groups) > 1,
        status=form_status(form),
    )


def _people_choices() -> list[SelectChoice]:
    rows = db.session.execute(
        select(Person.id, Person.display_name)
        .where(Person.active.is_(True))
        .order_by(Person.display_name)
    )
    return [SelectChoice(pid, name) for pid, name in rows]


def _agenda_form(pos: PointOfSale) -> AgendaForm:
    form = AgendaForm(formdata=None if request.method == "GET" else request.form)
    mine = [g.id for g in territories.running_groups(current_user, pos)]
    upcoming = db.session.scalars(
        select(Meeting)
        .where(
            Meeting.group_id.in_(mine),
            Meeting.status.in_(AGENDA_OPEN),
        )
        .order_by(Meeting.starts_at)
    )
    form.meeting_id.choices = [SelectChoice(m.id, m.title) for m in upcoming]
    return form


def _point_page(
    pos: PointOfSale,
    assign: AssignForm | None = None,
    agenda: AgendaForm | None = None,
    status: int = 200,
) -> Response:
    assign = assign or AssignForm(formdata=None, visit_on=date.today())
    assign.people.choices = _people_choices()
    _group_choices(assign, pos)
    return render(
        "conventionnement/point.html",
        pos=pos,
        places=pos.places if territories.several() else [],
        visits=queries.visits_of(pos.id),
        assign=assign,
        agenda=agenda or _agenda_form(pos),
        status=status,
    )


@bp.get("/<int:pos_id>")
@access(policy.POINT)
def point(pos: PointOfSale) -> Response:
    return _point_page(pos)


def _group_choices(form: AssignForm, pos: PointOfSale) -> list[Group]:
    """The committees this facilitator may send a binôme for (the place's own first)."""
    groups = territories.running_groups(current_user, pos)
    form.group_id.choices = [SelectChoice(g.id, g.name) for g in groups]
    if groups and (form.group_id.data is None or len(groups) == 1):
        form.group_id.data = groups[0].id
    return groups


@bp.post("/<int:pos_id>/binome")
@access(policy.POINT, rule=policy.can_run_conventionnement)
def assign(pos: PointOfSale) -> Response:
    form = AssignForm()
    form.people.choices = _people_choices()
    _group_choices(form, pos)
    if form.validate_on_submit():
        people = [db.session.get(Person, pid) for pid in form.people.data]
        group = db.session.get_one(Group, form.group_id.data)
        visit = save(
            form,
            lambda: services.assign_visit(
                pos, people, form.visit_on.data, current_user, group=group
            ),
        )
        if visit is not None:
            flash(
                _("The binôme is chosen. They will find the questionnaire in their list."),
                "success",
            )
            return redirect(
                url_for("conventionnement.point", pos_id=pos.id, _anchor=f"visit-{visit.id}")
            )
    return _point_page(pos, assign=form, status=422)


@bp.post("/<int:pos_id>/ordre-du-jour")
@access(policy.POINT, rule=policy.can_run_conventionnement)
def agenda(pos: PointOfSale) -> Response:
    form = _agenda_form(pos)
    if not form.validate_on_submit():
        return _point_page(pos, agenda=form, status=422)
    meeting = db.session.get_one(Meeting, form.meeting_id.data)
    visits = [
        v for v in queries.visits_of(pos.id) if v.submitted_at and v.group_id == meeting.group_id
    ]
    if not save(
        form,
        lambda: services.put_on_agenda(
            pos, LinkAction(form.action.data), meeting, visits[0] if visits else None
        ),
    ):
        return _point_page(pos, agenda=form, status=422)
    flash(_("It is on the agenda of %(title)s.", title=meeting.title), "success")
    return redirect(url_for("conventionnement.point", pos_id=pos.id))


# --- exports and forms --------------------------------------------------------------------


def _rows() -> tuple[list[str], list[list[object]]]:
    """The submitted visits of the points the current person's groups run (all, for an admin)."""
    groups = policy.export_group_ids(current_user)
    criteria = [c["code"] for c in services.defaults.GRID["criteria"]]
    header = [
        "point_of_sale",
        "kind",
        "visit_on",
        "questionnaire_version",
        "grid_version",
        "total",
        "band",
        "opinion",
        *criteria,
        "answers",
    ]
    rows = []
    visits = [v for v in queries.submitted_visits() if groups is None or v.group_id in groups]
    all_answers = queries.answers_by_visit([v.id for v in visits])
    for visit in visits:
        by_code = {c["code"]: c["score"] for c in visit.score["criteria"]}
        answers = all_answers[visit.id]
        rows.append(
            [
                visit.pos.name,
                visit.pos.kind.value,
                visit.visit_on.isoformat(),
                visit.questionnaire.number,
                visit.grid.number,
                visit.score["total"],
                visit.score["band"],
                visit.opinion_band,
                *[by_code.get(c, "") for c in criteria],
                json.dumps(answers, ensure_ascii=False),
            ]
        )
    return header, rows


@bp.get("/export.csv")
@access(rule=policy.can_export_visits)
def export_csv() -> Response:
    header, rows = _rows()
    return tabular.csv_response("conventionnement.csv", header, rows)


@bp.get("/export.xlsx")
@access(rule=policy.can_export_visits)
def export_xlsx() -> Response:
    return tabular.xlsx_response("conventionnement.xlsx", {"Visites": _rows()})


@bp.route("/formulaires", methods=["GET", "POST"])
def forms() -> Response:
    form = PublishForm()
    if form.validate_on_submit():
        raw = (
            form.upload.data.read().decode("utf-8", "replace")
            if form.upload.data
            else (form.definition.data or "")
        )
        try:
            definition = load_json(raw)
            if not isinstance(definition, dict):
                raise ValueError
        except ValueError:
            form.definition.errors = [_("This is not valid JSON: check the brackets and commas.")]
        else:
            version = save(
                form,
                lambda: services.publish(
                    form.role.data, FormKind(form.kind.data), definition, current_user
                ),
            )
            if version is not None:
                flash(_("Version %(number)d is published.", number=version.number), "success")
                return redirect(url_for("conventionnement.forms"))
    current = {
        (role, kind): services.current(role, kind)
        for role in (services.QUESTIONNAIRE, services.GRID)
        for kind in FormKind
    }
    return render(
        "conventionnement/forms.html", form=form, current=current, status=form_status(form)
    )
