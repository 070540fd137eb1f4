"""Who may act on the caisse's contribution scale: it belongs to the citizen committee (the
group of kind committee). Anyone who prepares scales may draft one; only that committee's
facilitators (and the admins) put it on that committee's agenda, and only that committee's
decision, taken with its quorum, puts it in force."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from governance.access import Loader, rule
from governance.budget.models import Scale
from governance.extensions import db
from governance.people.models import Group, GroupKind, Role
from governance.people.policy import is_admin, roles_in, signed_in

# The group kind whose remit is the contribution scale.
SCALE_REMIT = GroupKind.COMMITTEE


def scale_groups(person: Any) -> list[int]:
    """The committees whose agenda this person may put a scale on."""
    if not signed_in(person):
        return []
    committees = list(db.session.scalars(select(Group.id).where(Group.kind == SCALE_REMIT)))
    if is_admin(person):
        return committees
    return [g for g in committees if Role.FACILITATOR in roles_in(person, g)]


@rule
def can_put_scale_on_agenda(person: Any, scale: Scale) -> bool:
    return bool(scale_groups(person))


def scale_from_url(scale_id: int) -> Scale | None:
    return db.session.get(Scale, scale_id)


SCALE = Loader("found", scale_from_url)
