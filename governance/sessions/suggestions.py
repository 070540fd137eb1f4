"""Members suggest items for a coming meeting; the facilitator takes them into the agenda or
answers why not."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from governance.db import utcnow
from governance.errors import DomainError
from governance.extensions import db
from governance.people.models import Person
from governance.sessions import services
from governance.sessions.models import (
    AgendaItem,
    ItemKind,
    ItemSuggestion,
    Meeting,
    SuggestionStatus,
)


def suggest(meeting: Meeting, person: Person, title: str, why: str, text: str) -> ItemSuggestion:
    if not meeting.ahead:  # suggestions are taken until the session begins
        raise DomainError(_l("This meeting's agenda is no longer open to suggestions."))
    suggestion = ItemSuggestion(
        meeting=meeting,
        person_id=person.id,
        title=title.strip(),
        why=why.strip(),
        text=text.strip(),
    )
    db.session.add(suggestion)
    db.session.flush()
    return suggestion


def _answerable(suggestion: ItemSuggestion) -> None:
    if suggestion.status is not SuggestionStatus.PENDING:
        raise DomainError(_l("This suggestion has already been answered."))


def accept(
    suggestion: ItemSuggestion,
    expected_version: int,
    kind: ItemKind,
    timebox_minutes: int,
    by: Person,
) -> AgendaItem:
    """The suggestion becomes an item at the end of the agenda, presented by its author."""
    _answerable(suggestion)
    item = services.add_item(
        suggestion.meeting,
        expected_version,
        kind,
        suggestion.title,
        suggestion.why,
        suggestion.person,
        timebox_minutes,
    )
    suggestion.status, suggestion.item_id = SuggestionStatus.ACCEPTED, item.id
    suggestion.answered_by_id, suggestion.answered_at = by.id, utcnow()
    db.session.flush()
    return suggestion
    return item


def decline(suggestion: ItemSuggestion, answer: str, by: Person) -> ItemSuggestion:
    _answerable(suggestion)
    answer = answer.strip()
    if not answer:
        raise DomainError(_l("Tell the member why, in a few words."), field="answer")
    suggestion.status, suggestion.answer = SuggestionStatus.DECLINED, answer
    suggestion.answered_by_id, suggestion.answered_at = by.id, utcnow()
    db.session.flush()
    return suggestion


# --- read side ----------------------------------------------------------------------------


def of_meeting(meeting_id: int, person_id: int | None = None) -> list[ItemSuggestion]:
    """A meeting's suggestions, oldest first; only one person's when ``person_id`` is given."""
    query = (
        select(ItemSuggestion)
        .where(ItemSuggestion.meeting_id == meeting_id)
        .options(selectinload(ItemSuggestion.person))
        .order_by(ItemSuggestion.id)
    )
    if person_id is not None:
        query = query.where(ItemSuggestion.person_id == person_id)
    return list(db.session.scalars(query))


def of_person(person_id: int, meeting_ids: list[int]) -> list[ItemSuggestion]:
    if not meeting_ids:
        return []
    return list(
        db.session.scalars(
            select(ItemSuggestion)
            .where(
                ItemSuggestion.person_id == person_id,
                ItemSuggestion.meeting_id.in_(meeting_ids),
            )
            .order_by(ItemSuggestion.id)
        )
    )


def text_for_item(item_id: int) -> str:
    """The text a member suggested with the item that came of it, to start its proposal."""
    return (
        db.session.scalar(select(ItemSuggestion.text).where(ItemSuggestion.item_id == item_id))
        or ""
    )
