"""A consent decision over HTTP: the facilitator's console, members' phones, the register."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import func, select

from governance.extensions import db
from governance.sessions.models import ItemKind
from governance.votes.models import Decision, Objection, Position, Round
from tests import factories
from tests.votes.helpers import open_proposal


def _last_round(proposal_id: int) -> int:
    return db.session.scalar(
        select(Round.id).where(Round.proposal_id == proposal_id).order_by(Round.number.desc())
    )


def _clients(app: Any, people: list[Any]) -> list[Any]:
    clients = []
    for person in people:
        client = app.test_client()
        factories.login(client, person)
        clients.append(client)
    return clients


def test_a_round_from_phones_to_the_public_register(app) -> None:  # type: ignore[no-untyped-def]
    proposal, people = open_proposal(members=3)
    meeting_id, proposal_id = proposal.item.meeting_id, proposal.id
    db.session.commit()
    facilitator, *members = _clients(app, people)
    console = facilitator.get(f"/seances/{meeting_id}/console").get_data(as_text=True)
    assert 'id="vote-panel"' in console and proposal.title in console
    assert facilitator.post_form(f"/propositions/{proposal_id}/consentement", {}).status_code == 302
    round_id = _last_round(proposal_id)

    room = members[0].get(f"/seances/{meeting_id}/salle").get_data(as_text=True)
    assert f"/tours/{round_id}/position" in room
    token = members[0].csrf_token()
    htmx = members[0].htmx(
        "POST", f"/tours/{round_id}/position", data={"csrf_token": token, "value": "consent"}
    )
    assert htmx.status_code == 200 and "<html" not in htmx.get_data(as_text=True)
    refused = members[1].post_form(
        f"/tours/{round_id}/position", {"value": "objection", "argument": ""}
    )
    assert refused.status_code == 422
    assert 'value="objection" checked' in refused.get_data(as_text=True)
    members[1].post_form(
        f"/tours/{round_id}/position",
        {"value": "objection", "argument": "Le samedi est déjà pris."},
    )
    # The facilitator sees how many answered, never who said what, before the close.
    console = facilitator.get(f"/seances/{meeting_id}/console").get_data(as_text=True)
    assert "Le samedi est déjà pris." not in console
    facilitator.post_form(
        f"/tours/{round_id}/position-en-salle", {"person_id": people[0].id, "value": "consent"}
    )
    assert facilitator.post_form(f"/tours/{round_id}/clore", {}).status_code == 302
    after = members[0].get(f"/seances/{meeting_id}/salle").get_data(as_text=True)
    assert "Le samedi est déjà pris." in after  # named positions, once closed
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0

    objection = db.session.scalar(select(Objection))
    amend = facilitator.post_form(
        f"/propositions/{proposal_id}/amender",
        {"text": "Le marché ouvre le dimanche.", "integrated": str(objection.id)},
    )
    assert amend.status_code == 302
    facilitator.post_form(f"/propositions/{proposal_id}/consentement", {})
    second = _last_round(proposal_id)
    assert second != round_id
    for client in (facilitator, *members):
        client.post_form(f"/tours/{second}/position", {"value": "consent"})
    facilitator.post_form(f"/tours/{second}/clore", {})
    decision = db.session.scalar(select(Decision))
    assert decision is not None and decision.text == "Le marché ouvre le dimanche."

    public = app.test_client()
    page = public.get(f"/decisions/{decision.reference}").get_data(as_text=True)
    assert "Le marché ouvre le dimanche." in page and decision.hash in page
    assert "Le samedi est déjà pris." in page  # the objection's reason is public…
    assert people[1].display_name not in page  # …but not who raised it
    assert decision.reference in public.get("/decisions").get_data(as_text=True)
    assert decision.hash in public.get("/decisions/verifier").get_data(as_text=True)
    assert people[1].display_name in members[0].get(f"/decisions/{decision.reference}").get_data(
        as_text=True
    )


def test_members_cannot_run_the_round_and_outsiders_cannot_answer(app) -> None:  # type: ignore[no-untyped-def]
    proposal, people = open_proposal(members=2)
    proposal_id = proposal.id
    db.session.commit()
    facilitator, member = _clients(app, people)
    assert member.post_form(f"/propositions/{proposal_id}/consentement", {}).status_code == 403
    facilitator.post_form(f"/propositions/{proposal_id}/consentement", {})
    round_id = _last_round(proposal_id)
    assert member.post_form(f"/tours/{round_id}/clore", {}).status_code == 403
    stranger = app.test_client()
    factories.login(stranger, factories.person())
    assert (
        stranger.post_form(f"/tours/{round_id}/position", {"value": "consent"}).status_code == 404
    )
    assert db.session.scalar(select(func.count()).select_from(Position)) == 0


def test_attach_a_proposal_with_bad_input(app, client) -> None:  # type: ignore[no-untyped-def]
    proposal, people = open_proposal(members=1)
    meeting = proposal.item.meeting
    item = factories.item(meeting, kind=ItemKind.DECISION, title="Autre point")
    db.session.commit()
    factories.login(client, people[0])
    url = f"/seances/{meeting.id}/points/{item.id}/proposition"
    assert client.get(url).status_code == 200
    bad = client.post_form(
        url,
        {
            "title": "",
            "text": "x" * 30000,
            "presenter_id": "999999",
            "kind": "magique",
            "review_on": "bientôt",
        },
    )
    assert bad.status_code == 422 and "bientôt" in bad.get_data(as_text=True)
    good = client.post_form(
        url, {"title": "Nouvelle", "text": "Texte", "presenter_id": "0", "kind": "budget"}
    )
    assert good.status_code == 302
    again = client.post_form(
        url, {"title": "Doublon", "text": "Texte", "presenter_id": "0", "kind": "budget"}
    )
    assert again.status_code == 422


def test_room_console_and_proposal_cost_the_same_whatever_the_size(app, queries) -> None:  # type: ignore[no-untyped-def]
    from governance.votes import services

    counts = []
    for size in (3, 30):
        proposal, people = open_proposal(members=size)
        meeting_id, proposal_id = proposal.item.meeting_id, proposal.id
        round_ = services.open_round(proposal)
        for person in people:
            services.give_position(round_, person, services.Value.CONSENT)
        services.close_round(round_)
        db.session.commit()
        facilitator = app.test_client()
        factories.login(facilitator, people[0])
        measured = []
        for path in (
            f"/seances/{meeting_id}/salle",
            f"/seances/{meeting_id}/console",
            f"/propositions/{proposal_id}",
        ):
            queries.statements.clear()
            assert facilitator.get(path).status_code == 200
            measured.append(queries.count)
        counts.append(measured)
    assert counts[0] == counts[1], counts


def test_a_phone_gets_back_only_its_own_form_in_few_statements(app, queries) -> None:  # type: ignore[no-untyped-def]
    """The hot path of a meeting: one read, one guarded write, a small fragment back."""
    proposal, people = open_proposal(members=3)
    proposal_id = proposal.id
    db.session.commit()
    facilitator, member, late = _clients(app, people)
    facilitator.post_form(f"/propositions/{proposal_id}/consentement", {})
    round_id = _last_round(proposal_id)
    token = member.csrf_token()
    queries.statements.clear()
    sent = member.htmx(
        "POST", f"/tours/{round_id}/position", data={"csrf_token": token, "value": "concern"}
    )
    html = sent.get_data(as_text=True)
    assert sent.status_code == 200
    assert html.lstrip().startswith('<div id="my-position"') and 'id="vote-panel"' not in html
    assert 'value="concern" checked' in html and "Change my position" not in html  # French
    assert "Changer ma position" in html
    writes = [s for s in queries.statements if s.lstrip().upper().startswith("INSERT")]
    assert len(writes) == 1 and queries.count <= 8, "\n".join(queries.statements)
    stored = db.session.scalars(select(Position).where(Position.round_id == round_id)).one()
    assert stored.value.value == "concern" and stored.person_id == people[1].id

    # A refused position comes back in the same fragment, with what was chosen.
    refused = member.htmx(
        "POST", f"/tours/{round_id}/position", data={"csrf_token": token, "value": "objection"}
    )
    assert refused.status_code == 422
    body = refused.get_data(as_text=True)
    assert body.lstrip().startswith('<div id="my-position"')
    assert 'value="objection" checked' in body
    assert "HX-Retarget" not in refused.headers

    # Once the round is closed the whole panel comes back instead: it shows why.
    facilitator.post_form(f"/tours/{round_id}/clore", {})
    token = late.csrf_token()
    closed = late.htmx(
        "POST", f"/tours/{round_id}/position", data={"csrf_token": token, "value": "consent"}
    )
    assert closed.status_code == 422 and closed.headers["HX-Retarget"] == "#vote-panel"
    assert 'id="vote-panel"' in closed.get_data(as_text=True)
    assert (
        db.session.scalar(
            select(func.count()).select_from(Position).where(Position.person_id == people[2].id)
        )
        == 0
    )


def test_the_fragment_kept_for_a_round_carries_each_phones_own_token(app) -> None:  # type: ignore[no-untyped-def]
    """The answer to a position is rendered once per round and value; each phone still gets
    its own form token, and a reason typed is always shown back."""
    proposal, people = open_proposal(members=3)
    proposal_id = proposal.id
    db.session.commit()
    facilitator, first, second = _clients(app, people)
    facilitator.post_form(f"/propositions/{proposal_id}/consentement", {})
    round_id = _last_round(proposal_id)
    answers = []
    for client in (first, second):
        token = client.csrf_token()
        sent = client.htmx(
            "POST", f"/tours/{round_id}/position", data={"csrf_token": token, "value": "consent"}
        )
        html = sent.get_data(as_text=True)
        assert sent.status_code == 200 and "__tablee_csrf_token__" not in html
        # The token in the fragment is this phone's: sending the form again with it works.
        kept = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        answers.append(html.replace(kept, "TOKEN"))
        again = client.post(
            f"/tours/{round_id}/position",
            data={"csrf_token": kept, "value": "concern", "argument": "Le prix des fruits"},
            headers={"HX-Request": "true"},
        )
        assert again.status_code == 200
        assert "Le prix des fruits" in again.get_data(as_text=True)
    assert answers[0] == answers[1]  # one rendering, each phone's own token put in
