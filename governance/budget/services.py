"""Households and scales: enrolment, CSV import, proposals, adoption by the committee."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from governance import tabular
from governance.budget import rules
from governance.budget.models import Household, HouseholdStatus, Scale, ScaleLink, ScaleStatus
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import GroupKind, Person
from governance.sessions import services as meetings
from governance.sessions.models import AgendaItem, ItemKind, Meeting


def check_household(
    adults: int, teens: int, children: int, bracket: int, contribution_cents: int
) -> None:
    if adults < 1 or teens < 0 or children < 0 or adults + teens + children > 20:
        raise DomainError(
            _l("A household has at least one adult, and at most 20 people."), "adults"
        )
    if not 0 <= bracket < len(rules.BRACKETS):
        raise DomainError(_l("Choose one of the income brackets."), "income_bracket")
    if not 0 <= contribution_cents <= 100_000_00:
        raise DomainError(_l("The contribution must be between 0 and 100 000 €."), "contribution")


def next_reference() -> str:
    count = db.session.scalar(select(func.count()).select_from(Household)) or 0
    return f"F-{count + 1:05d}"


def save_household(household: Household | None, **values: Any) -> Household:
    check_household(
        values["adults"],
        values["teens"],
        values["children"],
        values["income_bracket"],
        values["contribution_cents"],
    )
    if household is None:
        household = Household(reference=values.pop("reference", None) or next_reference())
        db.session.add(household)
    for key, value in values.items():
        setattr(household, key, value)
    if household.status is HouseholdStatus.LEFT:
        household.left_on = household.left_on or date.today()
    else:
        household.left_on = None
    db.session.flush()
    return household


@dataclass(frozen=True)
class ImportLine:
    number: int
    errors: list[str]


COLUMNS = [
    "reference",
    "adults",
    "teens",
    "children",
    "income_bracket",
    "contribution",
    "starts_on",
    "status",
]


def import_csv(text: str) -> tuple[int, list[ImportLine]]:
    """All lines or none: returns how many were imported, or the report of what is wrong."""
    reader = tabular.reader(text)
    missing = [c for c in COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        return 0, [ImportLine(1, [str(_l("Missing columns: %(names)s", names=", ".join(missing)))])]
    parsed, report, seen = [], [], set()
    for number, row in enumerate(reader, start=2):
        errors: list[str] = []
        try:
            values = {
                "reference": (row["reference"] or "").strip()[:20] or None,
                "adults": int(row["adults"]),
                "teens": int(row["teens"] or 0),
                "children": int(row["children"] or 0),
                "income_bracket": int(row["income_bracket"]),
                "contribution_cents": rules.to_cents(row["contribution"].replace(",", ".")),
                "starts_on": date.fromisoformat(row["starts_on"].strip()),
                "status": HouseholdStatus((row["status"] or "active").strip()),
            }
            check_household(
                values["adults"],
                values["teens"],
                values["children"],
                values["income_bracket"],
                values["contribution_cents"],
            )
        except (ValueError, TypeError, AttributeError, ArithmeticError):
            errors.append(
                str(
                    _l(
                        "A number, a date (2026-01-31) or a status (active, paused, "
                        "left) is not written as expected."
                    )
                )
            )
        except DomainError as error:
            errors.append(str(error.message))
        else:
            reference = values["reference"]
            if reference and (
                reference in seen
                or db.session.scalar(select(Household.id).where(Household.reference == reference))
            ):
                errors.append(str(_l("The reference %(ref)s is already used.", ref=reference)))
            seen.add(reference)
            parsed.append(values)
        if errors:
            report.append(ImportLine(number, errors))
    if report:
        return 0, report
    for values in parsed:
        save_household(None, **values)
    return len(parsed), []


def population() -> list[rules.Member]:
    rows = db.session.execute(
        select(
            Household.adults,
            Household.teens,
            Household.children,
            Household.income_bracket,
            Household.contribution_cents,
            func.count(),
        )
        .where(Household.status == HouseholdStatus.ACTIVE)
        .group_by(
            Household.adults,
            Household.teens,
            Household.children,
            Household.income_bracket,
            Household.contribution_cents,
        )
    )
    return [rules.Member(rules.Composition(a, t, c), b, paid, n) for a, t, c, b, paid, n in rows]


# --- scales -------------------------------------------------------------------------------


def save_scale(
    scale: Scale | None,
    name: str,
    allocation: dict[str, Any],
    contribution: dict[str, Any],
    by: Person | None,
) -> Scale:
    try:
        rules.check_rules(allocation, contribution)
    except (KeyError, TypeError, ValueError, IndexError) as error:
        raise DomainError(
            _l("These rules cannot be applied: %(reason)s", reason=str(error)), "allocation"
        ) from None
    if scale is not None and scale.status is not ScaleStatus.DRAFT:
        raise DomainError(_l("An adopted scale is never changed: make a new proposal."))
    if scale is None:
        scale = Scale(created_by_id=by.id if by else None)
        db.session.add(scale)
    scale.name, scale.allocation, scale.contribution = name.strip(), allocation, contribution
    db.session.flush()
    return scale


def active_scale(month: date) -> Scale | None:
    return db.session.scalar(
        select(Scale)
        .where(Scale.status == ScaleStatus.ACTIVE, Scale.effective_month <= month)
        .order_by(Scale.effective_month.desc(), Scale.id.desc())
        .limit(1)
    )


def suggestions(household: Household) -> list[tuple[Scale, int, int]]:
    """What the scale in force and each proposal being discussed would give this household and
    suggest it pays: (scale, allocation, contribution), in cents."""
    who = rules.Composition(household.adults, household.teens, household.children)
    active = active_scale(date.today().replace(day=1))
    drafts = db.session.scalars(select(Scale).where(Scale.status == ScaleStatus.DRAFT))
    return [
        (
            scale,
            rules.allocation_cents(scale.allocation, who),
            rules.contribution_cents(scale.contribution, who, household.income_bracket),
        )
        for scale in ([active] if active else []) + list(drafts)
    ]


def put_on_agenda(scale: Scale, meeting: Meeting, effective_month: date) -> AgendaItem:
    if scale.status is not ScaleStatus.DRAFT:
        raise DomainError(_l("Only a proposal still in draft goes to the committee."))
    if meeting.group.kind is not GroupKind.COMMITTEE:
        raise DomainError(
            _l("The contribution scale is decided by the citizen committee: choose its meeting."),
            field="meeting_id",
        )
    item = meetings.add_item(
        meeting,
        meeting.agenda_version,
        ItemKind.CONTRIBUTION_SCALE,
        f"Barème : {scale.name}",
        "",
        None,
        45,
    )
    db.session.add(
        ScaleLink(
            item_id=item.id,
            scale_id=scale.id,
            effective_month=effective_month.replace(day=1),
            simulation=frozen_simulation(scale, date.today()),
        )
    )
    db.session.flush()
    return item


def simulation_population() -> tuple[str, list[rules.Member]]:
    """The enrolled households; a synthetic population while there are none."""
    enrolled = population()
    if enrolled:
        return "households", enrolled
    return "synthetic", rules.synthetic(
        rules.SYNTHETIC_HOUSEHOLDS, rules.SYNTHETIC_MIX, rules.SYNTHETIC_BRACKETS
    )


def frozen_simulation(scale: Scale, today: date) -> dict[str, Any]:
    """The simulator's figures for this scale on today's population, as members will read
    them with the proposal: kept as they were, whatever the households become later."""
    from governance.budget.reports import target_for

    source, people = simulation_population()
    outcome = rules.simulate(scale.allocation, scale.contribution, people)
    return {
        "computed_on": today.isoformat(),
        "population": source,
        "allocation": scale.allocation,
        "contribution": scale.contribution,
        "outcome": asdict(outcome),
        "target_permille": target_for(today.replace(day=1)),
        "examples": rules.examples(scale.allocation, scale.contribution),
    }


@dataclass(frozen=True)
class FrozenSimulation:
    """A frozen simulation as pages read it."""

    scale: Scale
    computed_on: date
    synthetic: bool
    outcome: rules.Outcome
    target_permille: int | None
    examples: list[dict[str, int]]


def frozen_for_item(item_id: int) -> FrozenSimulation | None:
    link = db.session.get(ScaleLink, item_id)
    if link is None or not link.simulation:
        return None
    data = link.simulation
    return FrozenSimulation(
        db.session.get(Scale, link.scale_id),
        date.fromisoformat(data["computed_on"]),
        data["population"] == "synthetic",
        rules.Outcome(**data["outcome"]),
        data["target_permille"],
        data["examples"],
    )


def apply_decision(decision: Any) -> None:
    """Subscribed to votes' decision signal: an adopted scale is in force from its month.
    Only a decision of the citizen committee, taken with its quorum, acts on a scale."""
    from governance.votes.models import Outcome, Proposal
    from governance.votes.services import taken_with_quorum

    proposal = db.session.get(Proposal, decision.proposal_id)
    link = db.session.get(ScaleLink, proposal.item_id) if proposal else None
    if link is None:
        return
    if decision.group.kind is not GroupKind.COMMITTEE or not taken_with_quorum(decision):
        return
    scale = db.session.get(Scale, link.scale_id)
    if decision.outcome is Outcome.ADOPTED:
        scale.status, scale.effective_month = ScaleStatus.ACTIVE, link.effective_month
    else:
        scale.status = ScaleStatus.REFUSED
    scale.decision_reference = decision.reference
    db.session.flush()
