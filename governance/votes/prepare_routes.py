"""Preparing a decision before the session: proposals attached to the agenda while it is
built, corrected until the meeting opens, read by every member from the meeting page."""

from __future__ import annotations

from flask import flash, redirect, url_for
from flask_babel import format_date
from flask_babel import gettext as _
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from governance import web
from governance.access import access
from governance.extensions import db
from governance.people.models import Person
from governance.sessions import panels
from governance.sessions import services as meetings
from governance.sessions.models import Meeting
from governance.votes import policy, queries, services
from governance.votes.forms import KIND_LABELS, ProposalForm
from governance.votes.models import DecisionKind, Proposal
from governance.votes.routes import bp
from governance.web import form_status, refused_status, render, save


def _facts(proposal: Proposal) -> tuple[tuple[str, str], ...]:
    facts = [(_("Kind"), str(KIND_LABELS[proposal.kind]))]
    if proposal.presenter:
        facts.append((_("Presented by"), proposal.presenter.display_name))
    if proposal.effect:
        facts.append((_("Effect, once adopted"), proposal.effect))
    if proposal.review_on:
        facts.append((_("Review date"), format_date(proposal.review_on, "long")))
    return tuple(facts)


def proposal_extras(meeting: Meeting) -> dict[int, panels.ItemExtras]:
    """Each item's proposal for the meeting page and the convocations; the facilitator's
    "attach" and "edit" links while the agenda can still change."""
    found = {p.item_id: p for p in queries.proposals_of_meeting(meeting.id)}
    extras: dict[int, panels.ItemExtras] = {}
    for item in meeting.items:
        proposal = found.get(item.id)
        if proposal is None:
            if item.kind in services.DECIDABLE and meeting.status in services.PREPARED:
                url = url_for("votes.proposal_new", meeting_id=meeting.id, item_id=item.id)
                extras[item.id] = panels.ItemExtras(actions=[(_("Attach a proposal"), url)])
            continue
        editable = services.correctable(proposal)
        attachment = panels.Attachment(
            title=proposal.title,
            text=proposal.current_version.text,
            url=url_for("votes.proposal", proposal_id=proposal.id),
            external_url=web.external_url("votes.proposal", proposal_id=proposal.id),
            facts=_facts(proposal),
            edit_url=url_for("votes.proposal_edit", proposal_id=proposal.id) if editable else None,
        )
        extras[item.id] = panels.ItemExtras(attachments=[attachment])
    return extras


@bp.route("/propositions/<int:proposal_id>/modifier", methods=["GET", "POST"])
@access(policy.PROPOSAL, rule=policy.can_run_proposal)
def proposal_edit(proposal: Proposal) -> Response:
    found = proposal
    meeting = found.item.meeting
    if meeting.status not in services.CORRECTABLE:
        flash(_("The meeting is open: the text now changes by amendment, in the console."), "info")
        return redirect(url_for("votes.proposal", proposal_id=found.id))
    form = ProposalForm(obj=found)
    form.presenter_id.choices = [SelectChoice(0, _("Nobody in particular"))] + [
        SelectChoice(p.id, p.display_name) for p in meetings.members(meeting)
    ]
    if not form.is_submitted():
        form.text.data = found.current_version.text
        form.presenter_id.data, form.kind.data = found.presenter_id or 0, found.kind.value
    if form.validate_on_submit():
        presenter = (
            db.session.get(Person, form.presenter_id.data) if form.presenter_id.data else None
        )
        if not save(
            form,
            lambda: services.edit_proposal(
                found,
                form.title.data,
                form.text.data,
                presenter,
                DecisionKind(form.kind.data),
                form.effect.data or "",
                form.review_on.data,
            ),
        ):
            return _form(form, meeting, found, refused_status(form))
        flash(_("The proposal is saved."), "success")
        return redirect(
            url_for("sessions.meeting", meeting_id=meeting.id, _anchor=f"item-{found.item_id}")
        )
    return _form(form, meeting, found, form_status(form))


def _form(form: ProposalForm, meeting: Meeting, proposal: Proposal, status: int) -> Response:
    return render(
        "votes/proposal_form.html",
        block="form",
        form=form,
        meeting=meeting,
        item=proposal.item,
        proposal=proposal,
        back=url_for("sessions.meeting", meeting_id=meeting.id, _anchor=f"item-{proposal.item_id}"),
        status=status,
    )
