"""Who may act on a proposal, a round or an objection: whoever may do so on its meeting."""

from __future__ import annotations

from typing import Any

from governance.access import Loader, rule
from governance.extensions import db
from governance.sessions import policy as meetings
from governance.sessions.models import Meeting
from governance.votes import queries, services
from governance.votes.models import Objection, Proposal, Round


def meeting_of(target: Proposal | Round | Objection) -> Meeting:
    if isinstance(target, Objection):
        target = target.round
    if isinstance(target, Round):
        target = target.proposal
    return target.item.meeting


@rule
def can_see_proposal(person: Any, target: Proposal | Round | Objection) -> bool:
    return meetings.can_see_meeting(person, meeting_of(target))


@rule
def can_run_proposal(person: Any, target: Proposal | Round | Objection) -> bool:
    return meetings.can_run_meeting(person, meeting_of(target))


@rule
def can_write_notes(person: Any, proposal: Proposal) -> bool:
    return meetings.can_write_minutes(person, meeting_of(proposal))


@rule
def can_see_ballot(person: Any, ballot: services.Ballot) -> bool:
    """A member taking part in the round, in one read (the hot path of a meeting); anyone else
    who may see the round's meeting is answered by the rules of the round (422, saying why)."""
    if ballot.eligible:
        return True
    meeting = db.session.get(Meeting, ballot.meeting_id)
    return meeting is not None and meetings.can_see_meeting(person, meeting)


def proposal_from_url(proposal_id: int) -> Proposal | None:
    return queries.proposal(proposal_id)


def round_from_url(round_id: int) -> Round | None:
    return db.session.get(Round, round_id)


def objection_from_url(objection_id: int) -> Objection | None:
    return db.session.get(Objection, objection_id)


def ballot_from_url(round_id: int) -> services.Ballot | None:
    from flask_login import current_user

    return services.ballot(round_id, current_user.id)


PROPOSAL = Loader("proposal", proposal_from_url, can_see_proposal)
ROUND = Loader("round_", round_from_url, can_see_proposal)
OBJECTION = Loader("objection", objection_from_url, can_see_proposal)
BALLOT = Loader("found", ballot_from_url, can_see_ballot)
