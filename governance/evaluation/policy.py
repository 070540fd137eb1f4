"""The evaluation's rules in one place: the smallest cell shown, the poverty line, the aim."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, TypeVar

from governance.budget.rules import BRACKETS

# A cell of fewer people than this is never shown (nor one that would let it be worked out).
MIN_CELL = 5
# INSEE 2023: 1 288 € a month per consumption unit. A bracket below it counts as precarity.
POVERTY_LINE_EUROS = 1288
BELOW_LINE = frozenset(i for i, (_low, high) in enumerate(BRACKETS) if high <= POVERTY_LINE_EUROS)

K = TypeVar("K")


def shows(people: int) -> bool:
    """Enough people for anything about them to be shown."""
    return people >= MIN_CELL


def below_line(bracket: int | None) -> bool | None:
    return None if bracket is None else bracket in BELOW_LINE


def hide_small(counts: Mapping[K, int]) -> dict[K, int | None]:
    """Counts as they may be shown: 1 to 4 hidden (None), and where only one cell is hidden,
    the next smallest too, so that the total does not give the hidden one away."""
    shown: dict[K, int | None] = {k: (None if 0 < v < MIN_CELL else v) for k, v in counts.items()}
    hidden = [k for k, v in shown.items() if v is None]
    if len(hidden) == 1:
        others = sorted((v, i) for i, (k, v) in enumerate(shown.items()) if v)
        if others:
            key = list(shown)[others[0][1]]
            shown[key] = None
    return shown


class Aim(enum.StrEnum):
    MET = "met"
    NOT_MET = "not_met"
    UNKNOWN = "unknown"  # too many did not say to tell


def majority_below(members: int, below: int, not_said: int) -> Aim:
    """The caisse's stated aim: a majority of the committee living below the poverty line."""
    if members and 2 * below > members:
        return Aim.MET
    if 2 * (below + not_said) <= members:
        return Aim.NOT_MET
    return Aim.UNKNOWN


def can_key_profile(person: Any, target: Any) -> bool:
    """A facilitator keys in the facts of a member they see (with that member, on paper)."""
    from governance.people.policy import can_see_person

    return bool(can_see_person(person, target))
