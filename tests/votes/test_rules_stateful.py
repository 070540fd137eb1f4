"""Random sequences of round actions against a small independent model of the consent rules;
the invariants are checked after every step."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from sqlalchemy import func, select

from governance.errors import DomainError
from governance.extensions import db
from governance.votes import register, services
from governance.votes.models import (
    Decision,
    Objection,
    ObjectionStatus,
    Outcome,
    Position,
    RoundKind,
    Value,
)
from tests.votes.helpers import open_proposal

MEMBERS = 5
CONSENT_VALUES = [Value.CONSENT, Value.OBJECTION, Value.CONCERN, Value.ABSTENTION]
FALLBACK_VALUES = [Value.FOR, Value.AGAINST, Value.ABSTENTION]


@dataclass
class ModelRound:
    kind: RoundKind
    version: int
    positions: dict[int, Value] = field(default_factory=dict)
    closed: bool = False


@dataclass
class Model:
    """The rules, written again without the database, as the design states them."""

    version: int = 1
    rounds: list[ModelRound] = field(default_factory=list)
    objections: list[list] = field(default_factory=list)  # [person, status]
    outcome: Outcome | None = None

    @property
    def open_round(self) -> ModelRound | None:
        return self.rounds[-1] if self.rounds and not self.rounds[-1].closed else None

    @property
    def raised(self) -> list[int]:
        return [n for n, (_p, s) in enumerate(self.objections) if s == "raised"]

    def close(self) -> None:
        current = self.rounds[-1]
        current.closed = True
        values = list(current.positions.values())
        if current.kind is RoundKind.FALLBACK:
            yes, no = values.count(Value.FOR), values.count(Value.AGAINST)
            cast = yes + no
            self.outcome = (
                Outcome.ADOPTED if cast and yes > no and yes * 3 >= 2 * cast else Outcome.REJECTED
            )
            return
        objectors = [p for p, v in current.positions.items() if v is Value.OBJECTION]
        self.objections += [[p, "raised"] for p in objectors]
        if not objectors:
            self.outcome = Outcome.ADOPTED


class ConsentMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.nested = db.session.begin_nested()
        self.proposal, self.people = open_proposal(
            members=MEMBERS, fallback=(2, 3), rounds_before_fallback=1
        )
        self.model = Model()

    def teardown(self) -> None:
        self.nested.rollback()

    def _live(self) -> bool:
        return self.model.outcome is None and self.proposal.outcome is None

    @precondition(
        lambda self: self._live() and self.model.open_round is None and not self.model.raised
    )
    @rule(fallback=st.booleans())
    def open_round(self, fallback: bool) -> None:
        consent_rounds = sum(1 for r in self.model.rounds if r.kind is RoundKind.CONSENT)
        kind = RoundKind.FALLBACK if fallback and consent_rounds >= 1 else RoundKind.CONSENT
        services.open_round(self.proposal, kind)
        self.model.rounds.append(ModelRound(kind, self.model.version))

    @precondition(lambda self: self.model.open_round is not None)
    @rule(who=st.integers(0, MEMBERS - 1), index=st.integers(0, 3), argued=st.booleans())
    def give(self, who: int, index: int, argued: bool) -> None:
        current = self.model.open_round
        values = FALLBACK_VALUES if current.kind is RoundKind.FALLBACK else CONSENT_VALUES
        value = values[index % len(values)]
        round_ = self.proposal.open_round
        argument = "Une raison." if argued else ""
        if value is Value.OBJECTION and not argued:
            with pytest.raises(DomainError):
                services.give_position(round_, self.people[who], value, argument)
            return
        services.give_position(round_, self.people[who], value, argument)
        current.positions[who] = value

    @precondition(lambda self: self.model.open_round is not None)
    @rule(indexes=st.lists(st.integers(0, 3), min_size=MEMBERS, max_size=MEMBERS))
    def everyone(self, indexes: list[int]) -> None:
        """The whole room answers at once: full turnouts make every tally reachable."""
        for who, index in enumerate(indexes):
            self.give(who, index, argued=True)

    # Closing an empty round is legal, but rare in a room: requiring one answer keeps the
    # search away from instant adoptions, so that objections and fallback votes get explored.
    @precondition(
        lambda self: self.model.open_round is not None and len(self.model.open_round.positions) >= 1
    )
    @rule()
    def close(self) -> None:
        outcome = services.close_round(self.proposal.open_round or self.proposal.rounds[-1])
        self.model.close()
        assert outcome == (self.model.outcome if self.model.outcome else None)

    @precondition(lambda self: self._live() and self.model.open_round is None)
    @rule(integrate=st.booleans())
    def amend(self, integrate: bool) -> None:
        chosen = services.raised_objections(self.proposal) if integrate else []
        services.amend(self.proposal, f"Version {self.model.version + 1}", self.people[0], chosen)
        self.model.version += 1
        if integrate:
            for n in self.model.raised:
                self.model.objections[n][1] = "integrated"

    @precondition(lambda self: self._live() and self.model.raised)
    @rule(pick=st.integers(0, 10), blocking=st.booleans())
    def resolve(self, pick: int, blocking: bool) -> None:
        n = self.model.raised[pick % len(self.model.raised)]
        person_id = self.people[self.model.objections[n][0]].id
        objection = next(
            o for o in services.raised_objections(self.proposal) if o.person_id == person_id
        )
        status = ObjectionStatus.NOT_BLOCKING if blocking else ObjectionStatus.WITHDRAWN
        outcome = services.resolve_objection(objection, status)
        self.model.objections[n][1] = status.value
        last = self.model.rounds[-1]
        if last.closed and last.version == self.model.version and not self.model.raised:
            self.model.outcome = Outcome.ADOPTED
        assert outcome == self.model.outcome

    @precondition(
        lambda self: self._live() and self.model.open_round is None and len(self.model.rounds) >= 2
    )
    @rule(postpone=st.booleans())
    def end(self, postpone: bool) -> None:
        (services.postpone if postpone else services.withdraw)(self.proposal)
        self.model.outcome = Outcome.POSTPONED if postpone else Outcome.WITHDRAWN

    @precondition(lambda self: not self._live())
    @rule()
    def nothing_moves_once_decided(self) -> None:
        with pytest.raises(DomainError):
            services.open_round(self.proposal)

    @invariant()
    def same_outcome(self) -> None:
        assert self.proposal.outcome == self.model.outcome

    @invariant()
    def positions_match_the_model(self) -> None:
        for model_round, round_ in zip(self.model.rounds, self.proposal.rounds, strict=True):
            stored = dict(
                db.session.execute(
                    select(Position.person_id, Position.value).where(Position.round_id == round_.id)
                ).all()
            )
            expected = {self.people[p].id: v for p, v in model_round.positions.items()}
            assert stored == expected
            assert (round_.closed_at is not None) == model_round.closed

    @invariant()
    def objections_match_the_model(self) -> None:
        stored = sorted(
            db.session.execute(
                select(Objection.person_id, Objection.status)
                .join(Objection.round)
                .where(Objection.round.has(proposal_id=self.proposal.id))
            ).all()
        )
        expected = sorted((self.people[p].id, ObjectionStatus(s)) for p, s in self.model.objections)
        assert stored == expected

    @invariant()
    def a_decision_exactly_when_adopted_or_rejected(self) -> None:
        decisions = db.session.scalar(
            select(func.count())
            .select_from(Decision)
            .where(Decision.proposal_id == self.proposal.id)
        )
        assert decisions == (1 if self.model.outcome in (Outcome.ADOPTED, Outcome.REJECTED) else 0)
        assert register.verify().broken is None


def test_consent_rules_hold_whatever_happens() -> None:
    ConsentMachine.TestCase.settings = settings(
        max_examples=60, stateful_step_count=30, deadline=None
    )
    ConsentMachine.TestCase().runTest()
