"""Consent online between sessions, over HTTP and without JavaScript: a facilitator puts a
proposal online with a deadline, members are told by e-mail and on their home page, ask a
question, give their positions; an objection is integrated in a new version; the deadline
passes (time moved) and the decision is registered once, marked as decided online; bad input
and late answers are refused plainly."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from governance.db import utcnow
from governance.extensions import db
from governance.jobs.queue import queue
from governance.people.models import QuorumKind, Role
from governance.votes.models import Decision, Objection, Proposal, ProposalQuestion, Round
from tests import factories


def _group() -> tuple[Any, Any, list[Any], Any]:
    group = factories.group(allow_online_consent=True, quorum_kind=QuorumKind.COUNT, quorum_value=2)
    facilitator = factories.person()
    factories.membership(facilitator, group, Role.FACILITATOR)
    members = [factories.person() for _ in range(3)]
    for person in members:
        factories.membership(person, group)
    no_mail = factories.person(email=None, username="sans.courriel")
    factories.membership(no_mail, group)
    db.session.commit()
    return group, facilitator, members, no_mail


def _client(app: Any, person: Any) -> Any:
    client = app.test_client()
    factories.login(client, person)
    return client


def _deadline_passes(proposal_id: int) -> None:
    """Time moved: the open round's deadline is now behind us."""
    round_ = db.session.scalars(
        select(Round).where(Round.proposal_id == proposal_id, Round.closed_at.is_(None))
    ).one()
    round_.closes_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def test_an_online_round_with_an_objection_a_new_version_and_a_deadline(
    app: Any, smtp: Any
) -> None:
    group, facilitator, members, no_mail = _group()
    runner = app.test_cli_runner()
    f = _client(app, facilitator)
    a, b, c = (_client(app, m) for m in members)
    start = f"/groupes/{group.id}/decider-en-ligne"
    assert start in f.get(f"/admin/groupes/{group.id}").get_data(as_text=True)
    bad = f.post_form(start, {"title": "", "text": "Un texte", "kind": "general", "days": "0"})
    assert bad.status_code == 422 and "Un texte" in bad.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Proposal)) == 0
    made = f.post_form(
        start,
        {
            "title": "Marché du samedi",
            "text": "Un marché ouvre le samedi.",
            "kind": "general",
            "days": "7",
        },
    )
    assert made.status_code == 302
    proposal_url = made.headers["Location"]
    proposal_id = int(proposal_url.rstrip("/").split("/")[-1])
    told = sorted(m["To"] for m in smtp.messages)
    assert told == sorted([facilitator.email, *(m.email for m in members)])
    assert proposal_url in smtp.messages[0].get_content()
    # Members without e-mail: their home page, and the printable notice.
    home = _client(app, no_mail).get("/pour-moi").get_data(as_text=True)
    assert "Marché du samedi" in home and proposal_url in home
    notice = f.get(f"/propositions/{proposal_id}/avis")
    assert notice.status_code == 200 and "Un marché ouvre le samedi." in notice.get_data(
        as_text=True
    )

    (round_id,) = db.session.scalars(select(Round.id).where(Round.proposal_id == proposal_id))
    position = f"/tours/{round_id}/position"
    assert a.post_form(position, {"value": "consent"}).headers["Location"] == proposal_url
    empty = b.post_form(position, {"value": "objection", "argument": ""})
    assert empty.status_code == 422
    assert (
        b.post_form(position, {"value": "objection", "argument": "Trop tôt le matin"}).status_code
        == 302
    )
    asked = a.post_form(f"/propositions/{proposal_id}/questions", {"text": "À quelle heure ?"})
    assert asked.status_code == 302
    no_text = a.post_form(f"/propositions/{proposal_id}/questions", {"text": " "})
    assert no_text.status_code == 422
    page = c.get(proposal_url).get_data(as_text=True)
    assert "À quelle heure ?" in page, page[page.find("<main") :][:3000]
    assert "2 membres ont répondu" in page

    _deadline_passes(proposal_id)
    late = c.post_form(position, {"value": "consent"})
    assert late.status_code == 422
    counted = runner.invoke(args=["close-rounds"])
    assert counted.exit_code == 0 and "1 online round" in counted.output
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    (objection,) = db.session.scalars(select(Objection)).all()

    # A new version integrates the objection; the next round opens online, members told again.
    amended = f.post_form(
        f"/propositions/{proposal_id}/amender",
        {"text": "Un marché ouvre le samedi à 9 h.", "integrated": str(objection.id)},
    )
    assert amended.status_code == 302 and amended.headers["Location"] == proposal_url
    before = len(smtp.messages)
    assert (
        f.post_form(f"/propositions/{proposal_id}/tour-en-ligne", {"days": "5"}).status_code == 302
    )
    assert len(smtp.messages) == before + 4
    (second,) = db.session.scalars(
        select(Round.id).where(Round.proposal_id == proposal_id, Round.closed_at.is_(None))
    )
    for client in (a, b):
        assert (
            client.post_form(f"/tours/{second}/position", {"value": "consent"}).status_code == 302
        )
    _deadline_passes(proposal_id)
    with app.app_context():
        queue()._minute()  # the worker's task of every minute counts it, with nobody's help
    assert "0 online round" in runner.invoke(args=["close-rounds"]).output  # once only
    (decision,) = db.session.scalars(select(Decision)).all()
    assert (
        decision.outcome.value == "adopted"
        and decision.record["online"]["rounds"][1]["answered"] == 2
    )
    assert decision.text == "Un marché ouvre le samedi à 9 h."
    shown = app.test_client().get(f"/decisions/{decision.reference}").get_data(as_text=True)
    assert "décidée en ligne" in shown
    verify = runner.invoke(args=["verify"])
    assert "Decisions: OK" in verify.output
    # Decided meanwhile: a question is refused by the service, the refusal shown above the
    # page (which no longer has the question form).
    late_question = a.post_form(f"/propositions/{proposal_id}/questions", {"text": "Et après ?"})
    html = late_question.get_data(as_text=True)
    main = html[html.find("<main") :]
    assert late_question.status_code == 422, main[:3000]
    assert "déjà décidée" in html, main[:6000]
    assert db.session.scalar(select(func.count()).select_from(ProposalQuestion)) == 1


def test_no_quorum_online_decides_nothing_and_rules_are_kept(app: Any, smtp: Any) -> None:
    group, facilitator, members, _no_mail = _group()
    f = _client(app, facilitator)
    made = f.post_form(
        f"/groupes/{group.id}/decider-en-ligne",
        {"title": "Nouveau barème", "text": "Texte", "kind": "general", "days": "3"},
    )
    proposal_id = int(made.headers["Location"].rstrip("/").split("/")[-1])
    (round_id,) = db.session.scalars(select(Round.id).where(Round.proposal_id == proposal_id))
    a = _client(app, members[0])
    assert a.post_form(f"/tours/{round_id}/position", {"value": "consent"}).status_code == 302
    # The facilitator cannot count before the deadline; after it, the button counts it.
    assert f.post_form(f"/tours/{round_id}/compter", {}).status_code == 422
    _deadline_passes(proposal_id)
    assert f.post_form(f"/tours/{round_id}/compter", {}).status_code == 302
    proposal = db.session.get_one(Proposal, proposal_id)
    db.session.refresh(proposal)
    assert proposal.outcome.value == "postponed" and proposal.postponed_for_quorum
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    # A group whose rule does not allow it: refused, even to its facilitator.
    other = factories.group()
    factories.membership(facilitator, other, Role.FACILITATOR)
    db.session.commit()
    assert f.get(f"/groupes/{other.id}/decider-en-ligne").status_code == 403
