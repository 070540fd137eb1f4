"""The consent panel under the current item of the live room: what a member's phone shows
("room") and what the facilitator's console shows ("console"), built here from the rules of
``services`` so that the template only lays it out."""

from __future__ import annotations

from typing import Any

from governance.people.models import Person
from governance.sessions import services as meetings
from governance.sessions.models import Meeting
from governance.votes import queries, services
from governance.votes.forms import PositionForm
from governance.votes.models import ObjectionStatus, Proposal, Round, RoundKind


def context(meeting: Meeting, viewer: Person, place: str) -> dict[str, Any] | None:
    """Everything the panel template needs, or None when there is no panel to show."""
    item = meeting.current_item
    proposal = queries.proposal_for_item(item.id) if item else None
    if item is None or (proposal is None and place == "room"):
        return None
    found: dict[str, Any] = {"meeting": meeting, "item": item, "proposal": proposal}
    found["place"] = place
    if proposal is None:
        return found
    round_ = proposal.open_round
    last = proposal.rounds[-1] if proposal.rounds else None
    # While a round is open a phone needs only its own position: the decision, the
    # objections and the named results are read when there is something to show.
    answering = round_ is not None and place == "room"
    objections = [] if answering else queries.objections(proposal.id)
    found.update(
        round=round_,
        last=last,
        decision=queries.decision_for_proposal(proposal.id) if proposal.outcome else None,
        raised=[o for o in objections if o.status is ObjectionStatus.RAISED],
        # How each objection of the last round ended, shown beside its author's position.
        objection_status={(o.round_id, o.person_id): o.status for o in objections},
        conflict=queries.has_conflict(item.id, viewer.id),
    )
    if round_ is not None:
        found.update(_round(round_, viewer, place))
    elif place == "console" and proposal.outcome is None:
        found.update(_console_actions(proposal, meeting))
    if last is not None and last.closed_at is not None and not answering:
        found["results"] = queries.positions(last.id)
    return found


def _round(round_: Round, viewer: Person, place: str) -> dict[str, Any]:
    mine = queries.my_position(round_.id, viewer.id)
    form = PositionForm(
        formdata=None,
        value=mine.value.value if mine else None,
        argument=mine.argument if mine else "",
    )
    found: dict[str, Any] = {
        "eligible": services.is_eligible(round_, viewer.id),
        "mine": mine,
        "form": form,
        "values": services.allowed_values(round_),
    }
    if place == "console":
        positions = queries.positions(round_.id)
        answered_ids = {p.person_id for p in positions}
        found["answered"] = len(positions)
        found["waiting"] = queries.people(
            [e.person_id for e in round_.eligible if e.person_id not in answered_ids]
        )
    return found


def _console_actions(proposal: Proposal, meeting: Meeting) -> dict[str, Any]:
    """The facilitator's next moves, each offered only when the rules allow it, with the
    reason when a round cannot open (quorum, unresolved objections…)."""
    quorum = meetings.quorum(meeting)
    group = meeting.group
    fallback_due = group.has_fallback and (
        services.consent_rounds(proposal) >= group.rounds_before_fallback
    )
    return {
        "quorum": quorum,
        "next_stage": services.next_stage(proposal),
        "consent_refusal": services.round_refusal(proposal, RoundKind.CONSENT, quorum),
        "fallback_refusal": (
            services.round_refusal(proposal, RoundKind.FALLBACK, quorum) if fallback_due else None
        ),
        "fallback_due": fallback_due,
        "may_postpone_for_quorum": not quorum.met,
    }
