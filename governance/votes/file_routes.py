"""Documents joined to a proposal (the cahier des charges, a price list): joined by who runs
its meeting, read by the group's members, and by everyone once the decision is in the public
register when they were marked public."""

from __future__ import annotations

from typing import Any

from flask import url_for
from werkzeug.wrappers import Response

from governance import attachments
from governance.access import Loader, access, rule
from governance.votes import policy, queries
from governance.votes.models import Proposal
from governance.votes.routes import bp
from governance.web import reads_first


@rule
def can_read_proposal_file(person: Any, attachment: attachments.Attachment) -> bool:
    proposal = queries.proposal(attachment.owner_id)
    if proposal is None:
        return False
    decided = queries.decision_for_proposal(proposal.id) is not None
    return (attachment.public and decided) or policy.can_see_proposal(person, proposal)


def proposal_file_from_url(proposal_id: int, attachment_id: int) -> attachments.Attachment | None:
    return attachments.find("proposal", proposal_id, attachment_id)


PROPOSAL_FILE = Loader("attachment", proposal_file_from_url, can_read_proposal_file)


@bp.route("/propositions/<int:proposal_id>/fichiers", methods=["GET", "POST"])
@reads_first
@access(policy.PROPOSAL, rule=policy.can_run_proposal)
def proposal_files(proposal: Proposal) -> Response:
    return attachments.attach_page(
        "proposal",
        proposal.id,
        title=proposal.title,
        back=url_for("votes.proposal", proposal_id=proposal.id),
        file_endpoint="votes.proposal_file",
        values={"proposal_id": proposal.id},
    )


@bp.get("/propositions/<int:proposal_id>/fichiers/<int:attachment_id>")
@access(PROPOSAL_FILE)
def proposal_file(attachment: attachments.Attachment) -> Response:
    return attachments.serve(attachment)
