"""Members suggest items for a coming meeting; the facilitator takes them or answers why not."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Role
from governance.sessions import suggestions
from governance.sessions.models import (
    AgendaItem,
    ItemKind,
    ItemSuggestion,
    MeetingStatus,
    SuggestionStatus,
)
from tests import factories


@pytest.fixture
def world(request: pytest.FixtureRequest) -> dict[str, Any]:
    """The committee, its facilitator, two members, someone of another group, and a meeting
    (convened; another status with ``@pytest.mark.parametrize("world", [...], indirect=True)``)."""
    status = getattr(request, "param", MeetingStatus.CONVENED)
    committee = factories.group(name="Comité citoyen")
    facilitator = factories.person(display_name="Karim Haddad")
    member = factories.person(display_name="Fatou Diallo")
    neighbour = factories.person(display_name="Ahmed Benali")
    outsider = factories.person(display_name="D'un autre groupe")
    factories.membership(facilitator, committee, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    for person in (member, neighbour):
        factories.membership(person, committee, starts_on=date(2025, 1, 1))
    factories.membership(outsider, factories.group(name="Autre"))
    meeting = factories.meeting(committee, status=status)
    factories.item(meeting, title="Accueil")
    db.session.commit()
    return {
        "meeting": meeting,
        "facilitator": facilitator,
        "member": member,
        "neighbour": neighbour,
        "outsider": outsider,
    }


@pytest.fixture
def browser(app: Any, world: dict[str, Any]) -> Any:
    """``browser("member")``: a browser of its own, logged in as that person of the world."""

    def logged_in(who: str) -> Any:
        client = app.test_client()
        factories.login(client, world[who])
        return client

    return logged_in


def _suggest(client: Any, meeting_id: int, **data: Any) -> Any:
    form = {
        "title": "Les horaires de l'épicerie solidaire",
        "why": "Elle ferme à 17 h : les personnes qui travaillent ne peuvent pas y aller.",
        "text": "L'épicerie ouvre jusqu'à 19 h le jeudi.",
    }
    form.update(data)
    return client.post_form(f"/seances/{meeting_id}/suggerer", form)


def test_a_member_suggests_the_facilitator_puts_it_on_the_agenda(world, browser) -> None:  # type: ignore[no-untyped-def]
    meeting_id = world["meeting"].id
    member, facilitator = browser("member"), browser("facilitator")

    response = _suggest(member, meeting_id)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/seances/{meeting_id}#suggestions")
    page = member.get(f"/seances/{meeting_id}").get_data(as_text=True)
    assert "Les horaires de l&#39;épicerie solidaire" in page

    # The facilitator sees it on the meeting page and answers it.
    page = facilitator.get(f"/seances/{meeting_id}").get_data(as_text=True)
    suggestion = db.session.scalar(select(ItemSuggestion))
    assert "Fatou Diallo" in page and f"/suggestions/{suggestion.id}" in page
    answer_page = facilitator.get(f"/seances/{meeting_id}/suggestions/{suggestion.id}")
    assert answer_page.status_code == 200
    db.session.refresh(world["meeting"])
    response = facilitator.post_form(
        f"/seances/{meeting_id}/suggestions/{suggestion.id}/accepter",
        {
            "kind": "decision",
            "timebox_minutes": "25",
            "agenda_version": str(world["meeting"].agenda_version),
        },
    )
    assert response.status_code == 302
    db.session.refresh(suggestion)
    item = db.session.get(AgendaItem, suggestion.item_id)
    assert suggestion.status is SuggestionStatus.ACCEPTED
    assert (item.kind, item.timebox_minutes, item.position) == (ItemKind.DECISION, 25, 2)
    assert item.presenter_id == world["member"].id and item.description.startswith("Elle ferme")
    # The suggested text starts the proposal the facilitator attaches to the new item.
    form = facilitator.get(f"/seances/{meeting_id}/points/{item.id}/proposition")
    assert "L&#39;épicerie ouvre jusqu&#39;à 19 h le jeudi." in form.get_data(as_text=True)
    # The member reads that it is on the agenda.
    page = member.get(f"/seances/{meeting_id}").get_data(as_text=True)
    assert '<span class="badge">à l\'ordre du jour</span>' in page


def test_declined_with_an_answer_the_member_reads(world, browser) -> None:  # type: ignore[no-untyped-def]
    meeting_id = world["meeting"].id
    member, facilitator = browser("member"), browser("facilitator")
    assert _suggest(member, meeting_id).status_code == 302
    suggestion = db.session.scalar(select(ItemSuggestion))
    path = f"/seances/{meeting_id}/suggestions/{suggestion.id}/refuser"
    empty = facilitator.post_form(path, {"answer": "  "})
    assert empty.status_code == 422
    assert db.session.scalar(select(ItemSuggestion.status)) is SuggestionStatus.PENDING
    answer = "Déjà à l'ordre du jour du comité local de janvier."
    assert facilitator.post_form(path, {"answer": answer}).status_code == 302
    page = member.get(f"/seances/{meeting_id}").get_data(as_text=True)
    assert "Déjà à l&#39;ordre du jour du comité local de janvier." in page
    # Answered once only.
    again = facilitator.post_form(path, {"answer": "Autre chose"})
    assert again.status_code == 422
    assert db.session.scalar(select(ItemSuggestion.answer)) == answer


def test_each_member_sees_only_their_own_suggestions(world, browser) -> None:  # type: ignore[no-untyped-def]
    meeting_id = world["meeting"].id
    member, neighbour = browser("member"), browser("neighbour")
    assert _suggest(member, meeting_id, title="Une idée de Fatou").status_code == 302
    assert "Une idée de Fatou" not in neighbour.get(f"/seances/{meeting_id}").get_data(as_text=True)
    suggestion = db.session.scalar(select(ItemSuggestion))
    # Only whoever runs the meeting answers; another group's member does not even see it.
    assert neighbour.get(f"/seances/{meeting_id}/suggestions/{suggestion.id}").status_code == 403
    outsider = browser("outsider")
    assert _suggest(outsider, meeting_id).status_code == 404


def test_bad_input_keeps_what_was_typed(world, browser) -> None:  # type: ignore[no-untyped-def]
    response = _suggest(browser("member"), world["meeting"].id, title="", why="Ma raison à garder")
    assert response.status_code == 422
    assert "Ma raison à garder" in response.get_data(as_text=True)
    assert db.session.scalar(select(ItemSuggestion.id)) is None


def test_a_stale_agenda_is_refused_and_nothing_half_written(world, browser) -> None:  # type: ignore[no-untyped-def]
    meeting = world["meeting"]
    suggestion = suggestions.suggest(meeting, world["member"], "Titre", "Pourquoi", "")
    db.session.commit()
    response = browser("facilitator").post_form(
        f"/seances/{meeting.id}/suggestions/{suggestion.id}/accepter",
        {"kind": "discussion", "timebox_minutes": "10", "agenda_version": "0"},
    )
    assert response.status_code == 409
    db.session.refresh(suggestion)
    assert suggestion.status is SuggestionStatus.PENDING and suggestion.item_id is None


@pytest.mark.parametrize("world", [MeetingStatus.CLOSED], indirect=True)
def test_only_a_coming_meeting_takes_suggestions(world, browser) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(DomainError):
        suggestions.suggest(world["meeting"], world["member"], "Titre", "Pourquoi", "")
    sent = _suggest(browser("member"), world["meeting"].id)
    assert sent.status_code == 302  # told, and sent back
    assert db.session.scalar(select(ItemSuggestion.id)) is None


def test_the_database_refuses_a_decline_without_an_answer(world) -> None:  # type: ignore[no-untyped-def]
    suggestion = suggestions.suggest(world["meeting"], world["member"], "Titre", "Pourquoi", "")
    db.session.flush()
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.execute(
            ItemSuggestion.__table__.update()
            .where(ItemSuggestion.id == suggestion.id)
            .values(status="declined", answer="", answered_at=suggestion.created_at)
        )
