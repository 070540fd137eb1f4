"""Action items from the minutes: who, what, by when; refused plainly without a what; carried
to the group's next meetings until marked done."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from governance.extensions import db
from governance.people.models import Role
from governance.sessions.models import ActionItem, MeetingStatus
from tests import factories


def test_an_action_follows_the_next_meetings_until_done(app: Any) -> None:
    group = factories.group()
    facilitator, member = factories.person(), factories.person(display_name="Nadia Roux")
    factories.membership(facilitator, group, Role.FACILITATOR)
    factories.membership(member, group)
    held = factories.meeting(
        group, status=MeetingStatus.CLOSED, starts_at=datetime.now(UTC) - timedelta(days=20)
    )
    factories.item(held)
    coming = factories.meeting(
        group, status=MeetingStatus.DRAFT, starts_at=datetime.now(UTC) + timedelta(days=10)
    )
    db.session.commit()
    f, m = app.test_client(), app.test_client()
    factories.login(f, facilitator)
    factories.login(m, member)
    url = f"/seances/{held.id}/compte-rendu/actions"
    empty = f.post_form(url, {"who_id": str(member.id), "what": " ", "due_on": "2027-01-15"})
    assert empty.status_code == 422 and "2027-01-15" in empty.get_data(as_text=True)
    assert m.post_form(url, {"who_id": "0", "what": "x"}).status_code == 403
    assert db.session.scalar(select(func.count()).select_from(ActionItem)) == 0
    added = f.post_form(
        url,
        {"who_id": str(member.id), "what": "Demander le devis du local", "due_on": "2027-01-15"},
    )
    assert added.status_code == 302
    minutes = f.get(f"/seances/{held.id}/compte-rendu/ecrire").get_data(as_text=True)
    assert "Demander le devis du local" in minutes
    page = m.get(f"/seances/{coming.id}").get_data(as_text=True)
    assert "Demander le devis du local" in page and "Nadia Roux" in page
    (action,) = db.session.scalars(select(ActionItem)).all()
    done = m.post_form(
        f"/seances/actions/{action.id}/fait", {"back": str(coming.id)}
    )  # given to her
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/seances/{coming.id}")
    assert "Demander le devis du local" not in m.get(f"/seances/{coming.id}").get_data(as_text=True)
    assert f.post_form(f"/seances/actions/{action.id}/fait", {}).status_code == 422  # not twice
