"""The rules of a draw: open it, import its pool, set quotas, check, commit, draw, confirm."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from governance import tabular
from governance.budget import rules
from governance.budget import services as households
from governance.budget.models import Household
from governance.budget.rules import bracket_label
from governance.db import utcnow
from governance.errors import Conflict, DomainError
from governance.extensions import db
from governance.lottery import sortition
from governance.lottery.models import Candidate, Lottery, LotteryStatus, Method, Purpose
from governance.people import services as people
from governance.people.models import Group, Membership, Person, Role

MAX_CANDIDATES = 2000
NEXT = {
    LotteryStatus.DRAFT: LotteryStatus.COMMITTED,
    LotteryStatus.COMMITTED: LotteryStatus.DRAWN,
    LotteryStatus.DRAWN: LotteryStatus.CONFIRMED,
}


def _move(lottery: Lottery, to: LotteryStatus) -> None:
    """The one transition function of a draw: each step only from the one before it."""
    if NEXT.get(lottery.status) is not to:
        raise Conflict(_l("This step was already done, or an earlier step is missing."))
    lottery.status = to
    now = utcnow()
    if to is LotteryStatus.COMMITTED:
        lottery.committed_at = now
    elif to is LotteryStatus.DRAWN:
        lottery.drawn_at = now
    else:
        lottery.confirmed_at = now


def _editable(lottery: Lottery) -> None:
    if lottery.status is not LotteryStatus.DRAFT:
        raise Conflict(
            _l("The seed's fingerprint is published: the pool and quotas can no longer change.")
        )
    lottery.distribution = None  # anything computed before no longer holds
    lottery.chances = None
    lottery.computation = None


def open_lottery(
    title: str, purpose: Purpose, group: Group | None, places: int, method: Method, by: Person
) -> Lottery:
    if purpose is Purpose.GROUP and group is None:
        raise DomainError(_l("Choose the group the selected people will join."), "group_id")
    if not 1 <= places <= 500:
        raise DomainError(_l("Between %(min)s and %(max)s.", min=1, max=500), "places")
    lottery = Lottery(
        title=title.strip(),
        purpose=purpose,
        group_id=group.id if purpose is Purpose.GROUP and group else None,
        places=places,
        method=method,
        created_by_id=by.id,
    )
    db.session.add(lottery)
    db.session.flush()
    return lottery


# --- the pool -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportLine:
    number: int
    errors: list[str]


COLUMNS = ["name", "username", "adults", "teens", "children", *sortition.FEATURES]
TEXT_FEATURES = ("age_band", "household_kind", "neighbourhood")


def _whole(row: dict[str, Any], column: str, default: int) -> int:
    text = (row.get(column) or "").strip()
    return int(text) if text else default


def _bracket(row: dict[str, Any], purpose: Purpose) -> int | None:
    text = (row.get("income_bracket") or "").strip()
    if not text and purpose is Purpose.GROUP:
        return None
    bracket = int(text)
    if not 0 <= bracket < len(rules.BRACKETS):
        raise DomainError(
            _l("The income bracket is a number from 0 to %(last)d.", last=len(rules.BRACKETS) - 1)
        )
    return bracket


def _person(username: str, lottery: Lottery) -> Person:
    person = db.session.scalar(select(Person).where(Person.username == username))
    if person is None or not person.active:
        raise DomainError(_l("No active account has the username %(name)s.", name=username))
    if lottery.purpose is Purpose.GROUP and _is_member(person.id, lottery.group_id, date.today()):
        raise DomainError(_l("%(name)s is already a member of this group.", name=username))
    return person


def _is_member(person_id: int, group_id: int | None, on: date) -> bool:
    return bool(
        db.session.scalar(
            select(Membership.id).where(
                Membership.person_id == person_id,
                Membership.group_id == group_id,
                Membership.role == Role.MEMBER,
                Membership.is_current(on),
            )
        )
    )


def _candidate(row: dict[str, Any], lottery: Lottery, present: list[str]) -> dict[str, Any]:
    name = (row.get("name") or "").strip()
    if not name or len(name) > 120:
        raise DomainError(_l("A name is needed (at most 120 characters)."))
    adults, teens, children = (
        _whole(row, "adults", 1),
        _whole(row, "teens", 0),
        _whole(row, "children", 0),
    )
    if adults < 1 or teens < 0 or children < 0 or adults + teens + children > 20:
        raise DomainError(_l("A household has at least one adult, and at most 20 people."))
    bracket = _bracket(row, lottery.purpose)
    values = {"income_bracket": sortition.NOT_GIVEN if bracket is None else bracket_label(bracket)}
    for feature in (*TEXT_FEATURES, "gender"):
        if feature not in present:
            continue
        text = " ".join((row.get(feature) or "").split())
        if len(text) > 60:
            raise DomainError(_l("A category has at most 60 characters."))
        if not text and feature != "gender":
            raise DomainError(
                _l("The column %(column)s is empty.", column=sortition.label(feature))
            )
        values[feature] = text
    username = (row.get("username") or "").strip()
    if not username and lottery.purpose is Purpose.GROUP:
        raise DomainError(
            _l("Give the username of the person's account: they will join the group.")
        )
    person = _person(username, lottery) if username else None
    return {
        "name": name,
        "person_id": person.id if person else None,
        "adults": adults,
        "teens": teens,
        "children": children,
        "income_bracket": bracket,
        "values": values,
    }


def import_pool(lottery: Lottery, text: str) -> tuple[int, list[ImportLine]]:
    """All lines or none: the file replaces the pool, or nothing changes and the report says why."""
    if lottery.status is not LotteryStatus.DRAFT:
        _editable(lottery)
    reader = tabular.reader(text)
    present = [c.strip() for c in reader.fieldnames or []]
    reader.fieldnames = present
    if "name" not in present:
        return 0, [ImportLine(1, [str(_l("Missing columns: %(names)s", names="name"))])]
    parsed: list[dict[str, Any]] = []
    report: list[ImportLine] = []
    seen: set[int] = set()
    for number, row in enumerate(reader, start=2):
        try:
            values = _candidate(row, lottery, present)
        except (ValueError, TypeError):
            report.append(ImportLine(number, [str(_l("A number is not written as expected."))]))
            continue
        except DomainError as error:
            report.append(ImportLine(number, [str(error.message)]))
            continue
        if values["person_id"] is not None and values["person_id"] in seen:
            report.append(ImportLine(number, [str(_l("This account is already in the file."))]))
            continue
        seen.add(values["person_id"])
        parsed.append(values)
    if not parsed and not report:
        report.append(ImportLine(0, [str(_l("The file has no candidate."))]))
    if len(parsed) > MAX_CANDIDATES:
        report.append(ImportLine(0, [str(_l("At most 2000 candidates per draw."))]))
    if report:
        return 0, report
    _editable(lottery)
    lottery.candidates.clear()
    db.session.flush()
    for index, values in enumerate(parsed, start=1):
        lottery.candidates.append(Candidate(number=index, **values))
    lottery.features = [f for f in lottery.features if f in available_features(lottery)]
    lottery.quotas = {}
    db.session.flush()
    return len(parsed), []


def pool(lottery: Lottery) -> dict[int, dict[str, str]]:
    return {c.number: dict(c.values) for c in lottery.candidates}


def available_features(lottery: Lottery) -> list[str]:
    """The features somebody in the pool has a category for, in the usual order."""
    given = {f for c in lottery.candidates for f, v in c.values.items() if v}
    return [f for f in sortition.FEATURES if f in given]


def categories(lottery: Lottery) -> dict[str, list[tuple[str, int]]]:
    """Each available feature's categories, with how many candidates are in them."""
    found = sortition.counts(pool(lottery), available_features(lottery))
    return {f: sorted(c.items()) for f, c in found.items()}


def save_quotas(
    lottery: Lottery, features: list[str], quotas: dict[str, dict[str, tuple[int, int]]]
) -> Lottery:
    _editable(lottery)
    known = categories(lottery)
    for feature in features:
        if feature not in known:
            raise DomainError(_l("Nobody in the pool has a category for this feature."))
        for _value, (low, high) in quotas.get(feature, {}).items():
            if not 0 <= low <= high <= lottery.places:
                raise DomainError(
                    _l("Each minimum is at most its maximum, and both at most the places.")
                )
    lottery.features = [f for f in sortition.FEATURES if f in features]
    lottery.quotas = {
        f: {v: list(quotas.get(f, {}).get(v, (0, lottery.places))) for v, _n in known[f]}
        for f in lottery.features
    }
    db.session.flush()
    return lottery


def inputs(lottery: Lottery) -> tuple[Any, ...]:
    """Everything the chances depend on: if it changed, chances computed before are stale."""
    return (
        lottery.method.value,
        lottery.places,
        list(lottery.features),
        lottery.quotas,
        pool(lottery),
    )


def compute(
    lottery: Lottery, budget: float | None = None, step: Any = None
) -> tuple[tuple[Any, ...], Any]:
    """Check the quotas and compute each candidate's chance, writing nothing (the solver may take
    minutes: the queue's worker runs it without the write lock). Raises ``sortition.Refusal``.
    With a ``budget`` in seconds, maximin may stop at the best distribution over the panels
    found (the result says so)."""
    if lottery.status is not LotteryStatus.DRAFT:
        _editable(lottery)
    given = inputs(lottery)
    extra = {"step": step} if step is not None else {}
    return given, sortition.compute(*given, budget=budget, **extra)


def store_chances(lottery: Lottery, given: tuple[Any, ...], result: Any) -> None:
    if inputs(lottery) != given:
        raise Conflict(_l("The candidates or the quotas changed meanwhile: check again."))
    _editable(lottery)
    panels, chances, how = result
    lottery.distribution = [[panel, p] for panel, p in panels]
    lottery.chances = {str(n): p for n, p in chances.items()}
    lottery.computation = how
    db.session.flush()


# --- the draw -----------------------------------------------------------------------------


def commit(lottery: Lottery) -> None:
    """Freeze the chances and publish the fingerprint of a new secret seed."""
    if lottery.status is LotteryStatus.DRAFT and lottery.distribution is None:
        raise DomainError(_l("Check the quotas first: the chances must be known before the draw."))
    _move(lottery, LotteryStatus.COMMITTED)
    seed = sortition.new_seed()
    lottery.seed, lottery.seed_hash = seed, sortition.seed_hash(seed)
    db.session.flush()


def run_draw(lottery: Lottery) -> None:
    if lottery.seed is None or lottery.distribution is None:  # a committed draw has both
        raise Conflict(_l("This step was already done, or an earlier step is missing."))
    _move(lottery, LotteryStatus.DRAWN)
    numbers = [c.number for c in lottery.candidates]
    result = sortition.draw(lottery.distribution, lottery.seed, numbers)
    # Only a result that re-runs identically is kept: what the public will recompute.
    if sortition.draw(lottery.distribution, lottery.seed, numbers) != result:
        raise Conflict(_l("The draw could not be reproduced: nothing was saved, try again."))
    lottery.panel, lottery.reserve = result
    db.session.flush()


def confirm(lottery: Lottery, on: date) -> int:
    """The selected become enrolled households or members of the group, all at once."""
    _move(lottery, LotteryStatus.CONFIRMED)
    selected = set(lottery.panel or [])
    group = db.session.get(Group, lottery.group_id) if lottery.group_id else None
    count = 0
    for candidate in lottery.candidates:
        if candidate.number not in selected:
            continue
        if group is not None:
            person = db.session.get(Person, candidate.person_id)
            if person is None:
                raise Conflict(_l("An account of the pool no longer exists."))
            people.add_membership(person, group, Role.MEMBER, on)
        else:
            household = households.save_household(
                None,
                adults=candidate.adults,
                teens=candidate.teens,
                children=candidate.children,
                income_bracket=candidate.income_bracket or 0,
                contribution_cents=0,
                starts_on=on,
                person_id=candidate.person_id,
            )
            candidate.household_id = household.id
        count += 1
    db.session.flush()
    return count


def template_rows(lottery: Lottery) -> list[list[str]]:
    """A CSV to fill in, listing the people with an account who could be candidates: for a draw
    of members, those not yet members of the group; for households, those without a household."""
    query = select(Person.display_name, Person.username).where(Person.active.is_(True))
    if lottery.purpose is Purpose.GROUP:
        members = select(Membership.person_id).where(
            Membership.group_id == lottery.group_id,
            Membership.role == Role.MEMBER,
            (Membership.ends_on.is_(None)) | (Membership.ends_on >= date.today()),
        )
        query = query.where(Person.id.not_in(members))
    else:
        with_household = select(Household.person_id).where(Household.person_id.is_not(None))
        query = query.where(Person.id.not_in(with_household))
    rows = db.session.execute(query.order_by(Person.display_name)).all()
    header = COLUMNS
    return [header] + [[name, username] + [""] * (len(header) - 2) for name, username in rows]
