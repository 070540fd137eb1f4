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
from governance.people.policy import is_admin, signed_in
from governance.people.services import current_roles


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


def household_from_url(household_id: int) -> Household | None:
    return db.session.get(Household, household_id)


HOUSEHOLD = Loader("household", household_from_url)
