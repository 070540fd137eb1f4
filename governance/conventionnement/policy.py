"""Who may act on a point of sale and its visits. A point is decided by the committee it was
proposed to (``pos.group_id``) and by the committee of each territory that lists it: their
facilitators (and the admins) assign binômes, put it on their group's agenda and read the visits'
answers; the binôme answers the questionnaire."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from governance.access import Loader, rule
from governance.conventionnement import queries, services, territories
from governance.conventionnement.models import PointOfSale, Visit
from governance.extensions import db
from governance.people.models import Role
from governance.people.policy import facilitates, is_admin, roles_in, signed_in


@rule
def can_run_conventionnement(person: Any, pos: PointOfSale) -> bool:
    """Assign a binôme, put the point on the agenda: a facilitator of a committee that decides
    on the point (its own, or that of a territory listing it)."""
    return bool(territories.running_groups(person, pos))


def export_group_ids(person: Any) -> set[int] | None:
    """Whose visits a person may export: every group's for an admin (None), else the groups
    running conventionnement that they facilitate."""
    if is_admin(person):
        return None
    owners = set(db.session.scalars(select(PointOfSale.group_id).distinct()))
    owners |= set(db.session.scalars(select(Visit.group_id).distinct()))
    return {g for g in owners if Role.FACILITATOR in roles_in(person, g)}


@rule
def can_export_visits(person: Any, _nothing: None = None) -> bool:
    """The questionnaire exports: a facilitator of a group that runs conventionnement."""
    if not signed_in(person):
        return False
    groups = export_group_ids(person)
    return groups is None or bool(groups)


@rule
def can_answer_visit(person: Any, visit: Visit) -> bool:
    """The questionnaire: the binôme only."""
    return signed_in(person) and services.is_member(visit, person)


@rule
def can_read_visit(person: Any, visit: Visit) -> bool:
    """A sent report: any member; one still being written: the binôme and the facilitators of
    the point's group (and the admins)."""
    if not signed_in(person):
        return False
    if services.is_member(visit, person) or facilitates(person, visit.group_id):
        return True
    if visit.submitted_at is None:
        return False
    from governance.permissions import has_role

    return has_role(Role.MEMBER, Role.FACILITATOR, Role.ADMIN)


def pos_from_url(pos_id: int) -> PointOfSale | None:
    return db.session.get(PointOfSale, pos_id)


def visit_from_url(visit_id: int) -> Visit | None:
    return queries.visit(visit_id)


POINT = Loader("pos", pos_from_url)
VISIT = Loader("visit", visit_from_url)
