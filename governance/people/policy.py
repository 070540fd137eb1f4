"""Who may act on a person or a group, and the questions every domain's policy asks:
which roles someone holds in a group today, whether they are an admin."""

from __future__ import annotations

from datetime import date
from typing import Any

from governance.access import Loader, rule
from governance.extensions import db
from governance.people import queries
from governance.people.models import Group, Membership, Person, Role


def signed_in(person: Any) -> bool:
    return bool(person is not None and person.is_authenticated)


def roles_in(person: Any, group_id: int) -> set[Role]:
    """The person's roles in this group today (none for a visitor)."""
    if not signed_in(person):
        return set()
    from governance.sessions.queries import group_roles

    return group_roles(person, group_id, date.today())


def is_admin(person: Any) -> bool:
    if not signed_in(person):
        return False
    from governance.sessions.queries import is_admin as admin_today

    return admin_today(person, date.today())


def facilitates(person: Any, group_id: int) -> bool:
    """A facilitator of this group today, or an admin."""
    return Role.FACILITATOR in roles_in(person, group_id) or is_admin(person)


@rule
def can_see_person(person: Any, target: Person) -> bool:
    """Admins see everyone; a facilitator sees the current members of the groups they run."""
    return signed_in(person) and queries.can_see_person(
        person, is_admin(person), target.id, date.today()
    )


@rule
def can_see_group(person: Any, group: Group) -> bool:
    """A group's page and member list: its facilitators and the admins."""
    return facilitates(person, group.id)


@rule
def can_issue_card(person: Any, target: Person) -> bool:
    """A login card: for a member the person may see who has no password, no second factor,
    and is neither admin nor treasurer (``services.card_refusal``)."""
    from governance.people.services import card_refusal

    return can_see_person(person, target) and card_refusal(target) is None


def person_from_url(person_id: int) -> Person | None:
    return queries.person_with_memberships(person_id)


def group_from_url(group_id: int) -> Group | None:
    return db.session.get(Group, group_id)


def membership_from_url(membership_id: int) -> Membership | None:
    return db.session.get(Membership, membership_id)


PERSON = Loader("found", person_from_url, can_see_person)
GROUP = Loader("group", group_from_url, can_see_group)
