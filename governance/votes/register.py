"""The decision register: a stable reference per decision, a frozen record of how it was
taken, and a hash chain over all decisions so that any later edit can be seen."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from governance.db import lock_chain, utcnow
from governance.extensions import db
from governance.people.models import Person
from governance.sessions import services as meetings
from governance.votes.models import Decision, Objection, Outcome, Position, Proposal, Round

GENESIS = "0" * 64


def _round_record(round_: Round) -> dict[str, Any]:
    positions = db.session.scalars(
        select(Position).where(Position.round_id == round_.id).order_by(Position.id)
    )
    return {
        "number": round_.number,
        "kind": round_.kind.value,
        "version": round_.version.number,
        "opened_at": round_.opened_at.isoformat(),
        "closed_at": round_.closed_at.isoformat() if round_.closed_at else None,
        "eligible": len(round_.eligible),
        "eligible_names": sorted(
            db.session.scalars(
                select(Person.display_name).where(
                    Person.id.in_([e.person_id for e in round_.eligible])
                )
            )
        ),
        "present": round_.present_count,
        "members": round_.members_count,
        "quorum_required": round_.quorum_required,
        "quorum_met": round_.quorum_met,
        "tally": round_.tally or {},
        "positions": [
            {
                "name": p.person.display_name,
                "value": p.value.value,
                "argument": p.argument,
                "recorded_in_room": p.recorded_by_id is not None,
            }
            for p in positions
        ],
    }


def _objections_record(proposal: Proposal) -> list[dict[str, Any]]:
    rows = db.session.scalars(
        select(Objection).join(Round).where(Round.proposal_id == proposal.id).order_by(Objection.id)
    )
    versions = {v.id: v.number for v in proposal.versions}
    return [
        {
            "round": o.round.number,
            "by": o.person.display_name,
            "argument": o.argument,
            "status": o.status.value,
            "resolution": o.resolution,
            "version": versions.get(o.resolved_in_version_id),
        }
        for o in rows
    ]


def _content(decision: Decision) -> dict[str, Any]:
    """Exactly what the hash covers."""
    return {
        "reference": decision.reference,
        "decided_on": decision.decided_on.isoformat(),
        "title": decision.title,
        "text": decision.text,
        "outcome": decision.outcome.value,
        "kind": decision.kind.value,
        "effect": decision.effect,
        "review_on": decision.review_on.isoformat() if decision.review_on else None,
        "record": decision.record,
        "previous_hash": decision.previous_hash,
    }


def compute_hash(decision: Decision) -> str:
    canonical = json.dumps(
        _content(decision), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def head() -> Decision | None:
    return db.session.scalar(select(Decision).order_by(Decision.id.desc()).limit(1))


def _online_record(proposal: Proposal) -> dict[str, object]:
    """Decided online, between sessions: each round's deadline and how many answered."""
    return {
        "rounds": [
            {
                "number": r.number,
                "closes_at": r.closes_at.isoformat() if r.closes_at else None,
                "answered": r.present_count,
            }
            for r in proposal.rounds
        ]
    }


def record(proposal: Proposal, outcome: Outcome) -> Decision:
    """Write the decision; the writer holds the database's write lock (BEGIN IMMEDIATE on
    SQLite, the chain's advisory lock on PostgreSQL), so two decisions can never claim the
    same sequence or previous hash."""
    lock_chain(db.session, "decisions")
    meeting = proposal.item.meeting
    group = meeting.group
    # Online, the decision is taken when its last round closes (the deadline), not the day the
    # question was put.
    decided_on = meetings.local_day(utcnow() if meeting.online else meeting.starts_at)
    sequence = (
        db.session.scalar(
            select(func.max(Decision.sequence)).where(
                Decision.group_id == group.id, Decision.year == decided_on.year
            )
        )
        or 0
    ) + 1
    previous = head()
    decision = Decision(
        reference=f"{group.code}-{decided_on.year}-{sequence:03d}",
        group_id=group.id,
        proposal_id=proposal.id,
        year=decided_on.year,
        sequence=sequence,
        decided_on=decided_on,
        title=proposal.title,
        text=proposal.current_version.text,
        outcome=outcome,
        kind=proposal.kind,
        effect=proposal.effect,
        review_on=proposal.review_on,
        record={
            "group": group.name,
            "meeting": {"title": meeting.title, "starts_at": meeting.starts_at.isoformat()},
            "presenter": proposal.presenter.display_name if proposal.presenter else None,
            "versions": [{"number": v.number, "text": v.text} for v in proposal.versions],
            "rounds": [_round_record(r) for r in proposal.rounds],
            "objections": _objections_record(proposal),
            # The rows this decision belongs to, inside the hashed record: a decision moved
            # to another group or proposal, or renumbered, no longer verifies.
            **({"online": _online_record(proposal)} if meeting.online else {}),
            "links": {
                "group_id": group.id,
                "proposal_id": proposal.id,
                "year": decided_on.year,
                "sequence": sequence,
            },
        },
        previous_hash=previous.hash if previous else GENESIS,
    )
    decision.hash = compute_hash(decision)
    db.session.add(decision)
    db.session.flush()
    return decision


@dataclass(frozen=True)
class Verification:
    count: int
    head: str
    broken: str | None  # the reference of the first decision whose link does not hold


def _links_hold(decision: Decision) -> bool:
    """The columns the hash does not cover directly agree with the hashed record (decisions
    recorded before the record named its links are checked by their reference only)."""
    links = decision.record.get("links") if isinstance(decision.record, dict) else None
    if decision.year != decision.decided_on.year or not decision.reference.endswith(
        f"-{decision.year}-{decision.sequence:03d}"
    ):
        return False
    if links is None:
        return True
    return links == {
        "group_id": decision.group_id,
        "proposal_id": decision.proposal_id,
        "year": decision.year,
        "sequence": decision.sequence,
    }


def verify() -> Verification:
    previous, count = GENESIS, 0
    for decision in db.session.scalars(select(Decision).order_by(Decision.id)):
        count += 1
        if (
            decision.previous_hash != previous
            or compute_hash(decision) != decision.hash
            or not _links_hold(decision)
        ):
            return Verification(count, previous, decision.reference)
        previous = decision.hash
    return Verification(count, previous, None)


def holds(digest: str) -> bool:
    """Whether a head published earlier is still in the chain (else decisions were removed)."""
    return (
        digest == GENESIS
        or db.session.scalar(select(Decision.id).where(Decision.hash == digest)) is not None
    )


_checked: tuple[float, tuple[int, str | None], Verification] | None = None
RECHECK_SECONDS = 60


def verify_recent() -> Verification:
    """``verify()`` for public pages: the whole chain is hashed again at most once a minute per
    process (and at once when a decision is added), so that reloading the page or the API in
    a loop cannot keep the server busy hashing 10 000 decisions."""
    global _checked
    latest = head()
    key = (latest.id if latest else 0, latest.hash if latest else None)
    now = time.monotonic()
    if _checked is None or _checked[1] != key or now - _checked[0] > RECHECK_SECONDS:
        _checked = (now, key, verify())
    return _checked[2]
