"""Writes of one meeting wait only for writes of that meeting: on PostgreSQL, a position in one
room commits while another room's transaction is held open, and a position of the held room
waits for it (``db.begin_writing`` with a scope; SQLite has one writer at a time anyway)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.pool import NullPool

from governance import create_app
from governance.db import WRITER_LOCK, lock_scope, scope_key
from governance.extensions import db
from governance.people.models import Person, Role
from governance.sessions import services as meetings
from governance.sessions.models import AttendanceStatus, ItemKind, MeetingStatus
from governance.votes import services as votes
from governance.votes.models import DecisionKind, Position
from tests import databases, factories
from tests.conftest import Client


def test_scope_keys_are_two_32_bit_numbers() -> None:
    assert scope_key(("meeting", 12)) == (1, 12)
    kind, ident = scope_key(("account", "person:12"))
    assert kind == 3 and -(2**31) <= ident < 2**31
    assert scope_key(("account", "person:12")) == (kind, ident)  # stable across processes
    with pytest.raises(ValueError):
        scope_key(("visit", 2**31))


def _room() -> tuple[int, int, int]:
    """A group's open meeting, two present members, a consent round open: round, meeting and
    the member who will answer (the first)."""
    group = factories.group(quorum_value=50)
    chair, member = factories.person(), factories.person()
    factories.membership(chair, group, Role.FACILITATOR)
    factories.membership(member, group)
    meeting = meetings.create_meeting(group, "Séance", datetime.now(UTC), 120, "", chair)
    item = meetings.add_item(
        meeting, meeting.agenda_version, ItemKind.DECISION, "Point", "", None, 20
    )
    meetings.transition(meeting, MeetingStatus.CONVENED, chair)
    meetings.transition(meeting, MeetingStatus.OPEN, chair)
    for who in (chair, member):
        meetings.mark_attendance(meeting, who, AttendanceStatus.PRESENT, None)
    proposal = votes.attach_proposal(item, "Proposition", "Texte", None, DecisionKind.GENERAL)
    round_ = votes.open_round(proposal)
    db.session.commit()
    return round_.id, meeting.id, member.id


def _send(client: Client, round_id: int, token: str, into: dict[str, Any]) -> threading.Thread:
    def post() -> None:
        response = client.htmx(
            "POST",
            f"/tours/{round_id}/position",
            data={"csrf_token": token, "value": "consent"},
        )
        into["status"] = response.status_code

    thread = threading.Thread(target=post, daemon=True)
    thread.start()
    return thread


@databases.postgres_only
def test_a_held_meeting_does_not_hold_another(database_url: str) -> None:
    app = create_app(
        {"TESTING": True, "SECRET_KEY": "scopes", "SQLALCHEMY_DATABASE_URI": database_url}
    )
    app.test_client_class = Client
    with app.app_context():
        upgrade()
        (held_round, held_meeting, held_member), (free_round, _, free_member) = (
            _room(),
            _room(),
        )
        clients = {}
        for person_id in (held_member, free_member):
            client = app.test_client()
            factories.login(client, db.session.get_one(Person, person_id))
            clients[person_id] = (client, client.csrf_token())
        # Another process's connection (not the app's engine, whose scripts write alone).
        other = create_engine(database_url, poolclass=NullPool)
        holder = other.connect()
        transaction = holder.begin()
        try:
            # Someone's write in the held meeting, not committed yet (as a slow position).
            holder.execute(text(f"SELECT pg_advisory_xact_lock_shared({WRITER_LOCK})"))
            lock_scope(holder, ("meeting", held_meeting))
            holder.execute(
                text("UPDATE meeting SET live_version = live_version + 1 WHERE id = :id"),
                {"id": held_meeting},
            )
            free: dict[str, Any] = {}
            client, token = clients[free_member]
            thread = _send(client, free_round, token, free)
            thread.join(timeout=10)
            assert not thread.is_alive() and free["status"] == 200, free

            held: dict[str, Any] = {}
            client, token = clients[held_member]
            thread = _send(client, held_round, token, held)
            thread.join(timeout=1.0)
            assert thread.is_alive(), "a position of the held meeting did not wait for it"
            transaction.commit()
            thread.join(timeout=10)
            assert not thread.is_alive() and held["status"] == 200, held
        finally:
            if transaction.is_active:
                transaction.rollback()
            holder.close()
            other.dispose()
        stored = db.session.scalar(
            select(func.count())
            .select_from(Position)
            .where(Position.round_id.in_((held_round, free_round)))
        )
        assert stored == 2
        databases.close_pool(db)
