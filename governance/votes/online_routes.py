"""Deciding online between sessions: a facilitator puts a proposal to the group with a
deadline, members ask questions under it and give their position (no JavaScript needed), the
round is counted when the deadline passes."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance import mail
from governance.access import access, rule
from governance.errors import DomainError
from governance.extensions import db
from governance.people import policy as people_policy
from governance.people.models import Group
from governance.votes import online, policy
from governance.votes.forms import NextRoundForm, OnlineForm, QuestionForm
from governance.votes.models import DecisionKind, Proposal, Round
from governance.votes.routes import _confirm, bp, proposal_page
from governance.web import form_status, render, save


@rule
def can_decide_online(person: Any, group: Group) -> bool:
    """A facilitator of a group whose rule allows deciding online."""
    return group.allow_online_consent and people_policy.facilitates(person, group.id)


@bp.route("/groupes/<int:group_id>/decider-en-ligne", methods=["GET", "POST"])
@access(people_policy.GROUP, rule=can_decide_online)
def online_new(group: Group) -> Response:
    form = OnlineForm()
    del form.presenter_id  # who puts it online presents it
    if form.validate_on_submit() and (
        proposal := save(
            form,
            lambda: online.start(
                group,
                form.title.data,
                form.text.data,
                DecisionKind(form.kind.data),
                form.days.data,
                current_user,
                form.effect.data or "",
                form.review_on.data,
            ),
        )
    ):
        mail.deliver_pending()
        flash(_("The proposal is online: the members are told."), "success")
        return redirect(url_for("votes.proposal", proposal_id=proposal.id))
    return render("votes/online_new.html", form=form, group=group, status=form_status(form))


@bp.post("/propositions/<int:proposal_id>/questions")
@access(policy.PROPOSAL)
def question_ask(proposal: Proposal) -> Response:
    form = QuestionForm()
    reply_to = request.form.get("reply_to", type=int)
    # Decided meanwhile: the page comes back without the question form, the refusal above it.
    shown = None if proposal.outcome is None else (lambda e: flash(str(e.message), "error"))
    if form.validate_on_submit() and save(
        form, lambda: online.ask(proposal, current_user, form.text.data, reply_to), shown
    ):
        flash(_("Your question is under the proposal."), "success")
        return redirect(url_for("votes.proposal", proposal_id=proposal.id, _anchor="questions"))
    return proposal_page(proposal, status=422, question_form=form)


@bp.post("/propositions/<int:proposal_id>/tour-en-ligne")
@access(policy.PROPOSAL, rule=policy.can_run_proposal)
def online_round(proposal: Proposal) -> Response:
    form = NextRoundForm()
    if not form.validate_on_submit():
        raise DomainError(_("The deadline is between 1 and 30 days."))
    online.next_round(proposal, form.days.data)
    db.session.commit()
    mail.deliver_pending()
    flash(_("A new round is open online: the members are told."), "success")
    return redirect(url_for("votes.proposal", proposal_id=proposal.id))


@bp.post("/tours/<int:round_id>/compter")
@access(policy.ROUND, rule=policy.can_run_proposal)
def online_count(round_: Round) -> Response:
    _confirm()
    online.close_now(round_)
    db.session.commit()
    flash(_("The round is counted."), "success")
    return redirect(url_for("votes.proposal", proposal_id=round_.proposal_id))


@bp.get("/propositions/<int:proposal_id>/avis")
@access(policy.PROPOSAL, rule=policy.can_run_proposal)
def online_notice(proposal: Proposal) -> Response:
    """On paper, for members without e-mail: what is decided, until when, how to answer."""
    return render("votes/online_notice.html", proposal=proposal, round_=proposal.open_round)
