"""The rules of consent decisions: stages, versions, rounds, positions, objections, outcomes."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from blinker import Namespace
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from governance.db import UTCDateTime, utcnow
from governance.errors import DomainError, Forbidden, NotFound
from governance.extensions import db
from governance.people.models import Group, Person
from governance.sessions import services as meetings
from governance.sessions.models import (
    COUNTS_FOR_QUORUM,
    AgendaItem,
    Attendance,
    ItemKind,
    Meeting,
    MeetingStatus,
)
from governance.votes import register
from governance.votes.models import (
    ConflictOfInterest,
    DecisionKind,
    Eligibility,
    Objection,
    ObjectionStatus,
    Outcome,
    Position,
    Proposal,
    ProposalVersion,
    Round,
    RoundKind,
    Stage,
    Value,
)

signals = Namespace()
# Sent once, inside the transaction, when a decision is final: (sender=Decision).
decision_final = signals.signal("decision-final")


def taken_with_quorum(decision: Any) -> bool:
    """Whether the round that settled the decision was opened with the group's quorum: a
    receiver of ``decision_final`` acts only on such decisions."""
    proposal = db.session.get(Proposal, decision.proposal_id)
    return bool(proposal and proposal.rounds and proposal.rounds[-1].quorum_met)


DECIDABLE = {ItemKind.DECISION, ItemKind.CONVENTIONNEMENT, ItemKind.CONTRIBUTION_SCALE}
DISCUSSION_STAGES = (Stage.PRESENTATION, Stage.QUESTIONS, Stage.REACTIONS, Stage.AMENDMENT)
CONSENT_VALUES = {Value.CONSENT, Value.OBJECTION, Value.CONCERN, Value.ABSTENTION}
FALLBACK_VALUES = {Value.FOR, Value.AGAINST, Value.ABSTENTION}
# A proposal is attached while the agenda is prepared, or live during the session.
PREPARED = {MeetingStatus.DRAFT, MeetingStatus.CONVENED, MeetingStatus.OPEN}
# Before the meeting opens a proposal's text is corrected in place; afterwards, by amendment.
CORRECTABLE = (MeetingStatus.DRAFT, MeetingStatus.CONVENED)


# --- proposals and their versions ---------------------------------------------------------


def attach_proposal(
    item: AgendaItem,
    title: str,
    text: str,
    presenter: Person | None,
    kind: DecisionKind,
    effect: str = "",
    review_on: date | None = None,
    by: Person | None = None,
) -> Proposal:
    if item.kind not in DECIDABLE:
        raise DomainError(_l("A proposal goes on an item to be decided."))
    if item.meeting.status not in PREPARED:
        raise DomainError(_l("This meeting is over: its agenda can no longer change."))
    if db.session.scalar(select(Proposal.id).where(Proposal.item_id == item.id)):
        raise DomainError(_l("This item already has a proposal."))
    proposal = Proposal(
        item=item,
        title=title.strip(),
        presenter=presenter,
        kind=kind,
        effect=effect.strip(),
        review_on=review_on,
    )
    proposal.versions.append(
        ProposalVersion(number=1, text=text.strip(), written_by_id=by.id if by else None)
    )
    db.session.add(proposal)
    db.session.flush()
    _agenda_changed(item.meeting)
    meetings.touch_live(item.meeting)
    return proposal


def _agenda_changed(meeting: Meeting) -> None:
    """Before the session a proposal is part of what members were convened to read."""
    if meeting.status in (MeetingStatus.DRAFT, MeetingStatus.CONVENED):
        meetings.touch_agenda(meeting)


def correctable(proposal: Proposal) -> bool:
    """Its text may still be corrected in place: the meeting not open, nothing discussed."""
    return (
        proposal.item.meeting.status in CORRECTABLE
        and not proposal.rounds
        and proposal.outcome is None
        and len(proposal.versions) == 1
    )


def edit_proposal(
    proposal: Proposal,
    title: str,
    text: str,
    presenter: Person | None,
    kind: DecisionKind,
    effect: str = "",
    review_on: date | None = None,
) -> Proposal:
    """Correct a proposal while the agenda is prepared; once the meeting is open, the text
    changes only by amendment (a new version, the old one kept)."""
    if proposal.item.meeting.status not in CORRECTABLE:
        raise DomainError(
            _l("The meeting is open: the text now changes by amendment, in the console.")
        )
    if not correctable(proposal):
        raise DomainError(_l("This proposal has already been discussed."))
    proposal.title, proposal.presenter, proposal.kind = title.strip(), presenter, kind
    proposal.effect, proposal.review_on = effect.strip(), review_on
    proposal.versions[0].text = text.strip()
    db.session.flush()
    _agenda_changed(proposal.item.meeting)
    return proposal


def _require_live(proposal: Proposal) -> None:
    if proposal.outcome is not None:
        raise DomainError(_l("This proposal is already decided."))
    if proposal.item.meeting.status is not MeetingStatus.OPEN:
        raise DomainError(_l("The meeting is not open."))


def move_to(proposal: Proposal, stage: Stage) -> None:
    """Presentation → questions → reactions → amendment: the facilitator leads, in order."""
    _require_live(proposal)
    if proposal.open_round is not None:
        raise DomainError(_l("Close the round first."))
    if stage not in DISCUSSION_STAGES:
        raise DomainError(_l("This step is reached by opening a round."))
    current = proposal.stage
    if current in DISCUSSION_STAGES and (
        DISCUSSION_STAGES.index(stage) < DISCUSSION_STAGES.index(current)
    ):
        raise DomainError(_l("The proposal has already passed this step."))
    proposal.stage = stage
    meetings.touch_live(proposal.item.meeting)


def save_notes(proposal: Proposal, notes: str) -> None:
    proposal.notes = notes.strip()
    db.session.flush()


def amend(
    proposal: Proposal, text: str, by: Person, integrated: list[Objection] | None = None
) -> ProposalVersion:
    """A new version of the text; earlier ones are kept. Objections it answers are integrated."""
    _require_live(proposal)
    if proposal.open_round is not None:
        raise DomainError(_l("The text cannot change while a round is open."))
    text = text.strip()
    if text == proposal.current_version.text:
        raise DomainError(_l("The new text is the same as the current one."), field="text")
    version = ProposalVersion(
        number=proposal.current_version.number + 1, text=text, written_by_id=by.id
    )
    proposal.versions.append(version)
    db.session.flush()
    for objection in integrated or []:
        _resolve(objection, ObjectionStatus.INTEGRATED, "", version)
    proposal.stage = Stage.AMENDMENT
    meetings.touch_live(proposal.item.meeting)
    return version


# --- rounds -------------------------------------------------------------------------------


def raised_objections(proposal: Proposal) -> list[Objection]:
    return list(
        db.session.scalars(
            select(Objection)
            .join(Round)
            .where(Round.proposal_id == proposal.id, Objection.status == ObjectionStatus.RAISED)
        )
    )


def eligible_ids(item: AgendaItem) -> list[int]:
    """Present (or remote) members of the group, minus those with a conflict on this item."""
    meeting = item.meeting
    members = set(meetings.member_ids(meeting.group_id, meeting.starts_at.date(), any_role=True))
    if meeting.online:  # no room: every member of the group may answer until the deadline
        present: Any = members
    else:
        present = db.session.scalars(
            select(Attendance.person_id).where(
                Attendance.meeting_id == meeting.id, Attendance.status.in_(COUNTS_FOR_QUORUM)
            )
        )
    conflicted = set(
        db.session.scalars(
            select(ConflictOfInterest.person_id).where(ConflictOfInterest.item_id == item.id)
        )
    )
    return sorted(members.intersection(present) - conflicted)


def next_stage(proposal: Proposal) -> Stage | None:
    """The discussion step the facilitator can move to from here, if any."""
    if proposal.stage in (Stage.PRESENTATION, Stage.QUESTIONS):
        return DISCUSSION_STAGES[DISCUSSION_STAGES.index(proposal.stage) + 1]
    return None


def consent_rounds(proposal: Proposal) -> int:
    return sum(1 for r in proposal.rounds if r.kind is RoundKind.CONSENT)


def round_refusal(proposal: Proposal, kind: RoundKind, quorum: meetings.Quorum) -> Any:
    """Why a round of this kind cannot open now (a sentence for the facilitator), or None.
    The console asks this before offering the button; ``open_round`` refuses with it."""
    if proposal.outcome is not None:
        return _l("This proposal is already decided.")
    if proposal.item.meeting.status is not MeetingStatus.OPEN:
        return _l("The meeting is not open.")
    if proposal.open_round is not None:
        return _l("A round is already open.")
    if raised_objections(proposal):
        return _l(
            "Some objections are not resolved yet: integrate them in a new "
            "version, or record that they were withdrawn or are not blocking."
        )
    group = proposal.item.meeting.group
    if kind is RoundKind.FALLBACK:
        if not group.has_fallback:
            return _l("This group's rule has no fallback vote.")
        if consent_rounds(proposal) < group.rounds_before_fallback:
            return _l(
                "A fallback vote comes only after %(num)d consent rounds.",
                num=group.rounds_before_fallback,
            )
    if proposal.item.meeting.online:
        return None  # the quorum is counted among those who answered, at the deadline
    if quorum.counted == 0:
        return _l("Nobody is marked present: take the presence first.")
    if not quorum.met and not group.decide_without_quorum:
        return _l(
            "The quorum is not reached: %(counted)d present out of %(required)d needed. "
            "This group decides nothing without quorum: postpone the item, or wait for more "
            "members.",
            counted=quorum.counted,
            required=quorum.required,
        )
    return None


def open_round(
    proposal: Proposal, kind: RoundKind = RoundKind.CONSENT, closes_at: Any = None
) -> Round:
    """Opening freezes who may answer, and the presence and quorum it was opened with. Online
    (between sessions) a round has a deadline, and its quorum is counted when it closes."""
    quorum = meetings.quorum(proposal.item.meeting)
    if proposal.item.meeting.online != (closes_at is not None):
        raise DomainError(_l("Only a round held online has a deadline."))
    refusal = round_refusal(proposal, kind, quorum)
    if refusal is not None:
        raise DomainError(refusal)
    eligible = eligible_ids(proposal.item)
    if not eligible:
        raise DomainError(_l("Nobody is marked present: take the presence first."))
    round_ = Round(
        proposal=proposal,
        version=proposal.current_version,
        number=len(proposal.rounds) + 1,
        kind=kind,
        present_count=quorum.counted,
        members_count=quorum.members,
        quorum_required=quorum.required,
        quorum_met=quorum.met,
        closes_at=closes_at,
    )
    round_.eligible = [Eligibility(person_id=pid) for pid in eligible]
    db.session.add(round_)
    proposal.stage = Stage.CONSENT if kind is RoundKind.CONSENT else Stage.FALLBACK
    meetings.touch_live(proposal.item.meeting)
    db.session.flush()
    return round_


def _values(kind: RoundKind, allow_concern: bool, allow_abstention: bool) -> list[Value]:
    if kind is RoundKind.FALLBACK:
        return [Value.FOR, Value.AGAINST, Value.ABSTENTION]
    values = [Value.CONSENT, Value.OBJECTION]
    if allow_concern:
        values.append(Value.CONCERN)
    if allow_abstention:
        values.append(Value.ABSTENTION)
    return values


def allowed_values(round_: Round) -> list[Value]:
    group = round_.proposal.item.meeting.group
    return _values(round_.kind, group.allow_concern, group.allow_abstention)


def is_eligible(round_: Round, person_id: int) -> bool:
    return bool(db.session.get(Eligibility, (round_.id, person_id)))


@dataclass(frozen=True)
class Ballot:
    """What one member's position in one round needs, read in a single query. It stands for
    the round in the position form (``id``, ``kind``)."""

    round_id: int
    person_id: int
    kind: RoundKind
    open: bool
    eligible: bool
    meeting_id: int
    allow_concern: bool
    allow_abstention: bool
    closes_at: Any = None

    @property
    def id(self) -> int:
        return self.round_id

    @property
    def values(self) -> list[Value]:
        return _values(self.kind, self.allow_concern, self.allow_abstention)


def _eligible() -> Any:
    """Whether the member (``person_id``) may answer in the round (``round_id``)."""
    return (
        select(Eligibility.person_id)
        .where(
            Eligibility.round_id == bindparam("round_id"),
            Eligibility.person_id == bindparam("person_id"),
        )
        .exists()
    )


def _ballot_query() -> Select[Any]:
    eligible = _eligible()
    return (
        select(
            Round.kind,
            Round.closed_at.is_(None),
            eligible,
            AgendaItem.meeting_id,
            Group.allow_concern,
            Group.allow_abstention,
            Round.closes_at,
        )
        .select_from(Round)
        .join(Proposal, Proposal.id == Round.proposal_id)
        .join(AgendaItem, AgendaItem.id == Proposal.item_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .join(Group, Group.id == Meeting.group_id)
        .where(Round.id == bindparam("round_id"))
    )


# Built once: these two statements run for every position given, 61 at once in a meeting.
BALLOT = _ballot_query()
CHANGEABLE = ("value", "argument", "recorded_by_id", "updated_at")


@cache
def _upsert(dialect: str) -> Any:
    """Insert the position, or change the member's one, only while the round is open and the
    member eligible: the same conditions as the read, checked again inside the write."""
    columns = Position.__table__.c
    names = ("round_id", "person_id", *CHANGEABLE)
    still_open = (
        select(Round.id)
        .where(
            Round.id == bindparam("round_id"),
            Round.closed_at.is_(None),
            Round.closes_at.is_(None) | (Round.closes_at > bindparam("now", type_=UTCDateTime())),
        )
        .exists()
    )
    eligible = _eligible()
    proposed = select(*(bindparam(name, type_=columns[name].type) for name in names)).where(
        still_open, eligible
    )
    insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    statement = insert(Position.__table__).from_select(list(names), proposed)
    return statement.on_conflict_do_update(
        index_elements=[columns.round_id, columns.person_id],
        set_={name: statement.excluded[name] for name in CHANGEABLE},
    )


def ballot(round_id: int, person_id: int) -> Ballot | None:
    """The round, its group's rule and this member's eligibility; None when no such round."""
    row = db.session.execute(BALLOT, {"round_id": round_id, "person_id": person_id}).one_or_none()
    if row is None:
        return None
    kind, is_open, member, meeting_id, concern, abstention, closes_at = row
    return Ballot(
        round_id,
        person_id,
        kind,
        bool(is_open),
        bool(member),
        meeting_id,
        concern,
        abstention,
        closes_at,
    )


def check_position(found: Ballot, value: Value, argument: str) -> str:
    """Refuse what the rules refuse, before any write; the argument as it will be stored."""
    if not found.open:
        raise DomainError(_l("This round is closed."))
    if found.closes_at is not None and found.closes_at <= utcnow():
        raise DomainError(_l("The deadline has passed: positions are no longer taken."))
    if not found.eligible:
        name = db.session.get_one(Person, found.person_id).display_name
        raise Forbidden(_l("%(name)s is not taking part in this round.", name=name))
    if value not in found.values:
        raise DomainError(_l("This position is not possible in this round."), field="value")
    argument = argument.strip()
    if value is Value.OBJECTION and not argument:
        raise DomainError(
            _l("An objection needs its reason: what harm would this proposal do?"), field="argument"
        )
    return argument


def record_position(
    found: Ballot, value: Value, argument: str = "", recorded_by_id: int | None = None
) -> None:
    """One position per member per round; giving it again changes it (a double tap counts once).

    One statement writes it, and only while the round is open and the member eligible, so a
    round closed since ``found`` was read is never written to."""
    argument = check_position(found, value, argument)
    row = {
        "round_id": found.round_id,
        "person_id": found.person_id,
        "value": value,
        "argument": argument,
        "recorded_by_id": recorded_by_id,
        "updated_at": utcnow(),
        "now": utcnow(),
    }
    statement = _upsert(db.session.get_bind().dialect.name)
    if db.session.execute(statement, row).rowcount == 0:  # type: ignore[attr-defined]
        raise DomainError(_l("This round is closed."))


def give_position(
    round_: Round,
    person: Person,
    value: Value,
    argument: str = "",
    recorded_by: Person | None = None,
) -> Position:
    """``record_position`` for callers holding the round and the person; the stored row."""
    db.session.flush()
    found = ballot(round_.id, person.id)
    if found is None:  # the round was deleted under the caller
        raise NotFound(_l("This round does not exist."))
    record_position(found, value, argument, recorded_by.id if recorded_by else None)
    db.session.expire(round_, ["positions", "closed_at"])
    return db.session.scalars(
        select(Position)
        .where(Position.round_id == round_.id, Position.person_id == person.id)
        .execution_options(populate_existing=True)
    ).one()


def answered_count(round_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count()).select_from(Position).where(Position.round_id == round_id)
        )
        or 0
    )


def close_round(round_: Round) -> Outcome | None:
    """Count, turn objections into records; adopt when none remains. Never reopens."""
    if round_.closed_at is not None:
        raise DomainError(_l("This round is already closed."))
    positions = list(db.session.scalars(select(Position).where(Position.round_id == round_.id)))
    tally = Counter(p.value.value for p in positions)
    tally["no_answer"] = len(round_.eligible) - len(positions)
    round_.tally, round_.closed_at = dict(tally), utcnow()
    proposal = round_.proposal
    meetings.touch_live(proposal.item.meeting)
    if proposal.item.meeting.online:
        # The group's quorum rule counts those who answered; without it, nothing is decided.
        round_.present_count = len(positions)
        round_.quorum_met = len(positions) >= round_.quorum_required
        if not round_.quorum_met and not proposal.item.meeting.group.decide_without_quorum:
            proposal.postponed_for_quorum = True
            proposal.outcome, proposal.stage = Outcome.POSTPONED, Stage.DONE
            db.session.flush()
            return Outcome.POSTPONED
    if round_.kind is RoundKind.FALLBACK:
        group = proposal.item.meeting.group
        yes, no = tally[Value.FOR.value], tally[Value.AGAINST.value]
        cast = yes + no
        adopted = (
            cast > 0
            and yes > no
            and yes * group.fallback_denominator >= group.fallback_numerator * cast
        )
        return _decide(proposal, Outcome.ADOPTED if adopted else Outcome.REJECTED)
    objections = [p for p in positions if p.value is Value.OBJECTION]
    for position in objections:
        db.session.add(
            Objection(round_id=round_.id, person_id=position.person_id, argument=position.argument)
        )
    if not objections:
        return _decide(proposal, Outcome.ADOPTED)
    proposal.stage = Stage.AMENDMENT
    db.session.flush()
    return None


def _resolve(
    objection: Objection,
    status: ObjectionStatus,
    resolution: str,
    version: ProposalVersion | None = None,
) -> None:
    if objection.status is not ObjectionStatus.RAISED:
        raise DomainError(_l("This objection is already resolved."))
    objection.status, objection.resolution = status, resolution.strip()
    objection.resolved_in_version_id = version.id if version else None
    objection.resolved_at = utcnow()


def resolve_objection(
    objection: Objection, status: ObjectionStatus, resolution: str = ""
) -> Outcome | None:
    """Withdrawn by its author, or found not blocking by the group. When the last one of a
    round goes this way and no new version was needed, the proposal is adopted as voted."""
    proposal = objection.round.proposal
    _require_live(proposal)
    if status not in {ObjectionStatus.WITHDRAWN, ObjectionStatus.NOT_BLOCKING}:
        raise DomainError(_l("An objection is integrated by writing a new version."))
    _resolve(objection, status, resolution)
    db.session.flush()
    last = proposal.rounds[-1]
    same_text = last.version_id == proposal.current_version.id
    if same_text and last.closed_at and not raised_objections(proposal):
        return _decide(proposal, Outcome.ADOPTED)
    meetings.touch_live(proposal.item.meeting)
    return None


def postpone(proposal: Proposal, for_quorum: bool = False) -> None:
    """To the next meeting: nothing is decided, the proposal stays as it is. ``for_quorum``
    records that it was for lack of quorum (refused when the quorum is reached)."""
    if for_quorum and meetings.quorum(proposal.item.meeting).met:
        raise DomainError(_l("The quorum is reached: there is no need to postpone for it."))
    proposal.postponed_for_quorum = for_quorum
    _end_without_decision(proposal, Outcome.POSTPONED)


def withdraw(proposal: Proposal) -> None:
    _end_without_decision(proposal, Outcome.WITHDRAWN)


def _end_without_decision(proposal: Proposal, outcome: Outcome) -> None:
    _require_live(proposal)
    if proposal.open_round is not None:
        raise DomainError(_l("Close the round first."))
    proposal.outcome, proposal.stage = outcome, Stage.DONE
    meetings.touch_live(proposal.item.meeting)
    db.session.flush()


def declare_conflict(item: AgendaItem, person: Person, reason: str) -> ConflictOfInterest:
    proposal = db.session.scalar(select(Proposal).where(Proposal.item_id == item.id))
    if proposal is not None and proposal.open_round and is_eligible(proposal.open_round, person.id):
        raise DomainError(_l("A round is open: declare your conflict before the next one."))
    existing = db.session.scalar(
        select(ConflictOfInterest).where(
            ConflictOfInterest.item_id == item.id, ConflictOfInterest.person_id == person.id
        )
    )
    if existing is not None:
        return existing
    conflict = ConflictOfInterest(item_id=item.id, person_id=person.id, reason=reason.strip())
    db.session.add(conflict)
    db.session.flush()
    return conflict


def _decide(proposal: Proposal, outcome: Outcome) -> Outcome:
    last = proposal.rounds[-1]
    if not last.quorum_met and not proposal.item.meeting.group.decide_without_quorum:
        # open_round refuses such a round; this guards the register against any other path.
        raise DomainError(_l("No decision without quorum: this group's rule forbids it."))
    proposal.outcome, proposal.stage = outcome, Stage.DONE
    decision = register.record(proposal, outcome)
    meetings.touch_live(proposal.item.meeting)
    decision_final.send(decision)
    return outcome
