"""61 members give their position at the same instant against a real threaded server:
exactly 61 positions are stored, none fails, a double tap counts once."""

from __future__ import annotations

import contextvars
import http.client
import threading
from datetime import date
from typing import Any
from urllib.parse import urlencode

from flask_migrate import upgrade
from sqlalchemy import func, select
from werkzeug.serving import make_server

from governance import create_app
from governance.extensions import db
from governance.people import services as people
from governance.people.models import Membership, Person, Role
from governance.sessions import services as meetings
from governance.sessions.models import AttendanceStatus, ItemKind, MeetingStatus
from governance.votes import services
from governance.votes.models import DecisionKind, Position
from tests import databases, factories

MEMBERS = 61


def _prepare(app: Any) -> tuple[int, list[tuple[str, str]]]:
    """A committee of 61, all present, a round open; returns the round and each member's
    browser credentials."""
    with app.app_context():
        upgrade()
        group = people.save_group(
            None, "Comité", people.GroupKind.COMMITTEE, "", people.QuorumKind.PERCENT, 40
        )
        members = [Person(display_name=f"Membre {n}", username=f"m{n}") for n in range(MEMBERS)]
        db.session.add_all(members)
        db.session.flush()
        db.session.add_all(
            Membership(person=p, group=group, role=Role.MEMBER, starts_on=date(2025, 1, 1))
            for p in members
        )
        db.session.add(
            Membership(
                person=members[0], group=group, role=Role.FACILITATOR, starts_on=date(2025, 1, 1)
            )
        )
        from datetime import UTC, datetime

        meeting = meetings.create_meeting(group, "Séance", datetime.now(UTC), 180, "", members[0])
        item = meetings.add_item(
            meeting, meeting.agenda_version, ItemKind.DECISION, "Point", "", None, 30
        )
        meetings.transition(meeting, MeetingStatus.CONVENED, members[0])
        meetings.transition(meeting, MeetingStatus.OPEN, members[0])
        for person in members:
            meetings.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)
        proposal = services.attach_proposal(
            item, "Proposition", "Texte", None, DecisionKind.GENERAL
        )
        round_ = services.open_round(proposal)
        for person in members:
            people.start_login_session(person)
        db.session.commit()
        # What each member's browser holds once logged in: its cookie and CSRF header.
        return round_.id, [factories.signed_in(app, person) for person in members]


def test_sixty_one_positions_at_once(database_url: str) -> None:
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "burst-secret",
        }
    )
    round_id, credentials = contextvars.Context().run(_prepare, app)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=contextvars.Context().run, args=(server.serve_forever,), daemon=True
    )
    thread.start()
    barrier = threading.Barrier(MEMBERS)
    statuses: list[int] = []
    errors: list[BaseException] = []

    def submit(cookie: str, header: str, taps: int) -> None:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=30)
            barrier.wait(timeout=30)
            for _ in range(taps):
                connection.request(
                    "POST",
                    f"/tours/{round_id}/position",
                    body=urlencode({"value": "consent"}),
                    headers={
                        "Cookie": f"tablee_session={cookie}",
                        "X-CSRFToken": header,
                        "HX-Request": "true",
                        "Content-Type": "application/x-www-form-urlencoded",
                    },
                )
                response = connection.getresponse()
                response.read()
                statuses.append(response.status)
            connection.close()
        except BaseException as error:  # reported by the assertion below
            errors.append(error)

    threads = [
        threading.Thread(target=submit, args=(*credentials[n], 2 if n % 10 == 0 else 1))
        for n in range(MEMBERS)
    ]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
    finally:
        server.shutdown()
        thread.join(timeout=5)
    assert errors == []
    assert statuses.count(200) == len(statuses) == MEMBERS + 7  # 7 members tapped twice

    def count() -> int:
        with app.app_context():
            n = db.session.scalar(
                select(func.count()).select_from(Position).where(Position.round_id == round_id)
            )
            databases.close_pool(db)
            return n or 0

    assert contextvars.Context().run(count) == MEMBERS
