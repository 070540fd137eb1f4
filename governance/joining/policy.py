"""Who may fill in a household's contribution: the household itself, a facilitator with a
member of a group they run (who has no phone), the treasurers and the admins."""

from __future__ import annotations

from datetime import date
from typing import Any

from governance.access import Loader, rule
from governance.budget.models import Household
from governance.extensions import db
from governance.people import queries as people_queries
from governance.people.models import Role
from governance.people.policy import is_admin, roles_in, signed_in
from governance.people.services import current_roles
from governance.sessions import policy as sessions_policy
from governance.sessions import queries as sessions_queries
from governance.sessions.models import Meeting


@rule
def can_assess_for(person: Any, household: Household) -> bool:
    if not signed_in(person):
        return False
    if household.person_id == person.id or is_admin(person):
        return True
    if Role.TREASURER in current_roles(person):
        return True
    return household.person_id is not None and people_queries.can_see_person(
        person, False, household.person_id, date.today()
    )


WELCOME_TEAM = {Role.FACILITATOR, Role.TREASURER}


def welcomes_in(person: Any, group_id: int) -> bool:
    """A facilitator or treasurer of this group today, or an admin: who welcomes newcomers at
    its meetings."""
    return bool(roles_in(person, group_id) & WELCOME_TEAM) or is_admin(person)


def welcomes_at(person: Any, meetings: list[Any]) -> list[Any]:
    """Of these meetings, those where the person welcomes (``can_welcome_at``), in two reads
    whatever their number: for the lists of the newcomers' page."""
    if not signed_in(person):
        return []
    if is_admin(person):
        return list(meetings)
    groups = sessions_queries.groups_with_roles(person, WELCOME_TEAM, date.today())
    return [m for m in meetings if m.group_id in groups or m.facilitator_id == person.id]


@rule
def can_welcome_at(person: Any, meeting: Meeting) -> bool:
    """Invite applicants to this meeting and mark who came: its group's welcome team, or the
    day's facilitator."""
    if not signed_in(person):
        return False
    return meeting.facilitator_id == person.id or welcomes_in(person, meeting.group_id)


def household_from_url(household_id: int) -> Household | None:
    return db.session.get(Household, household_id)


HOUSEHOLD = Loader("household", household_from_url)


# A welcome meeting's list of invited households: staff of other groups are told it is not
# there (404), like any other group's meeting.
WELCOME = Loader("meeting", sessions_policy.meeting_from_url, can_welcome_at)
