"""Read side: the composition of the committees and of the households, as it may be shown."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select

from governance.budget.models import Household, HouseholdStatus
from governance.evaluation import policy
from governance.evaluation.models import AgeBand, CameBy, FoodAid, Gender, Profile
from governance.extensions import db
from governance.people.models import Group, GroupKind, Membership, Person, Role

NOT_SAID = "not_said"
SIZES = (1, 2, 3, 4, 5)  # 5: five or more
INCOME = ("below", "above")


@dataclass(frozen=True)
class Distribution:
    """One fact across a population: (key, count shown or None when hidden), not said last."""

    fact: str
    cells: list[tuple[Any, int | None]]


@dataclass(frozen=True)
class Composition:
    group: Group | None  # None: the households
    people: int
    below: int | None  # shown, or None when hidden
    not_said: int | None
    aim: policy.Aim
    facts: list[Distribution]

    @property
    def shown(self) -> bool:
        """Enough people for the figures to be shown at all."""
        return policy.shows(self.people)

    @property
    def met(self) -> bool:
        return self.aim is policy.Aim.MET

    @property
    def missed(self) -> bool:
        return self.aim is policy.Aim.NOT_MET

    @property
    def told(self) -> bool:
        """Enough members, and enough of them said, to write the figure."""
        return self.shown and self.below is not None and (self.met or self.missed)


def _distribution(fact: str, keys: Iterable[Any], values: list[Any]) -> Distribution:
    counts = Counter(values)
    cells = {key: counts.get(key, 0) for key in keys}
    cells[NOT_SAID] = counts.get(None, 0)
    shown = policy.hide_small(cells)
    return Distribution(fact, list(shown.items()))


def _size(value: int | None) -> int | None:
    return None if value is None else min(value, SIZES[-1])


def _income(bracket: int | None) -> str | None:
    below = policy.below_line(bracket)
    return None if below is None else ("below" if below else "above")


def committee_members(group_id: int, on: date) -> list[int]:
    """The people who sit on the group today, each once whatever their roles."""
    return list(
        db.session.scalars(
            select(Membership.person_id)
            .join(Person, Person.id == Membership.person_id)
            .where(
                Membership.group_id == group_id,
                Membership.is_current(on),
                Membership.role != Role.EVALUATOR,  # who studies the committee is not in it
                Person.active.is_(True),
                Person.erased_at.is_(None),
            )
            .distinct()
        )
    )


def _composition(group: Group | None, people: int, profiles: list[Any]) -> Composition:
    facts = [
        _distribution("age_band", AgeBand, [p.age_band for p in profiles]),
        _distribution("gender", Gender, [p.gender for p in profiles]),
        _distribution("household_size", SIZES, [_size(p.household_size) for p in profiles]),
        _distribution("income", INCOME, [_income(p.income_bracket) for p in profiles]),
        _distribution("food_aid", FoodAid, [p.food_aid for p in profiles]),
        _distribution("came_by", CameBy, [p.came_by for p in profiles]),
    ]
    return _with_aim(group, people, facts, [_income(p.income_bracket) for p in profiles])


def _with_aim(
    group: Group | None, people: int, facts: list[Distribution], incomes: list[str | None]
) -> Composition:
    below = incomes.count("below")
    not_said = people - below - incomes.count("above")
    shown = policy.hide_small({"below": below, "above": people - below - not_said})
    return Composition(
        group,
        people,
        shown["below"],
        not_said if not_said == 0 or policy.shows(not_said) else None,
        policy.majority_below(people, below, not_said),
        facts,
    )


def committee_composition(group: Group, on: date) -> Composition:
    members = committee_members(group.id, on)
    profiles = (
        list(db.session.scalars(select(Profile).where(Profile.person_id.in_(members))))
        if members
        else []
    )
    # Members who gave nothing count as "not said" in every fact.
    blank = SimpleNamespace(**dict.fromkeys(Profile.FACTS))
    blanks = [blank] * (len(members) - len(profiles))
    return _composition(group, len(members), profiles + blanks)


def committees() -> list[Group]:
    return list(
        db.session.scalars(
            select(Group).where(Group.kind == GroupKind.COMMITTEE).order_by(Group.id)
        )
    )


def households_composition() -> Composition:
    """The enrolled households as the fund knows them (composition, income bracket): needed
    for the contributions, shown here only in aggregates."""
    rows = db.session.execute(
        select(
            Household.adults, Household.teens, Household.children, Household.income_bracket
        ).where(Household.status != HouseholdStatus.LEFT, Household.forgotten_at.is_(None))
    ).all()
    sizes = [_size(a + t + c) for a, t, c, _b in rows]
    incomes = [_income(b) for *_rest, b in rows]
    facts = [
        _distribution("household_size", SIZES, sizes),
        _distribution("income", INCOME, incomes),
    ]
    return _with_aim(None, len(rows), facts, incomes)


def main_committee_aim(on: date) -> Composition | None:
    """The first citizen committee's composition, for the home page's sentence."""
    found = committees()
    return committee_composition(found[0], on) if found else None
