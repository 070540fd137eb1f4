"""The audit log: one event per committed administrative or financial change, none for a
refused one, no secret in it, and the database refuses to rewrite it."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from governance.audit import AuditEvent, audited_endpoints
from governance.extensions import db
from governance.people.models import Role
from tests import factories


def _events() -> list[AuditEvent]:
    return list(db.session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def _key(html: str) -> str:
    form = html[html.index('action="/budget/comptes/subvention"') :]
    return re.search(r'name="key" type="hidden" value="([0-9a-f]+)"', form).group(1)


def test_the_audited_pages_are_the_admins_and_treasurers() -> None:
    audited = audited_endpoints()
    assert {"budget.grant", "people.person_new", "people.membership_add"} <= audited
    assert "votes.position" not in audited and "people.login" not in audited


def test_a_grant_leaves_one_event_a_refusal_none(client) -> None:  # type: ignore[no-untyped-def]
    treasurer = factories.with_role(Role.TREASURER, display_name="Martine Trésorière")
    factories.login(client, treasurer)
    key = _key(client.get("/budget/comptes").get_data(as_text=True))
    refused = client.post_form(
        "/budget/comptes/subvention", {"key": key, "funder": "", "amount": "x", "on": ""}
    )
    assert refused.status_code == 422 and _events() == []
    data = {"key": key, "funder": "Métropole", "amount": "1500.00", "on": "2026-03-02"}
    assert client.post_form("/budget/comptes/subvention", data).status_code == 302
    assert client.post_form("/budget/comptes/subvention", data).status_code == 302  # replayed
    [event] = _events()  # the replay changed nothing, so it left nothing
    assert event.actor_id == treasurer.id and event.endpoint == "budget.grant"
    assert event.method == "POST" and event.path == "/budget/comptes/subvention"
    assert event.details["form"]["funder"] == ["Métropole"]
    assert event.details["form"]["amount"] == ["1500.00"]
    assert "csrf_token" not in event.details["form"]


def test_secrets_never_reach_the_log(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.ADMIN))
    created = client.post_form(
        "/admin/personnes/nouvelle",
        {"display_name": "Nadia Haddad", "email": "nadia@example.org", "password": "x" * 14},
    )
    assert created.status_code == 302, created.get_data(as_text=True)[:500]
    [event] = _events()
    assert event.details["form"]["display_name"] == ["Nadia Haddad"]
    assert "password" not in event.details["form"] and "x" * 14 not in str(event.details)


def test_the_admin_reads_the_log_and_a_member_cannot(client) -> None:  # type: ignore[no-untyped-def]
    admin = factories.with_role(Role.ADMIN, display_name="Awa Admin")
    factories.login(client, admin)
    group = factories.group()
    person = factories.person(display_name="Samir Nouveau")
    db.session.commit()
    added = client.post_form(
        f"/admin/groupes/{group.id}/membres",
        {"person_id": person.id, "role": "member", "starts_on": "2026-01-05"},
    )
    assert added.status_code in (302, 303), added.get_data(as_text=True)[:500]
    page = client.get("/admin/journal").get_data(as_text=True)
    assert "Journal des actions" in page and "Awa Admin" in page
    assert f"/admin/groupes/{group.id}/membres" in page
    member = factories.person()
    other = client.application.test_client()
    factories.login(other, member)
    assert other.get("/admin/journal").status_code == 403


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET path = '/'", "DELETE FROM audit_event"]
)
def test_the_database_refuses_to_rewrite_the_log(statement: str) -> None:
    db.session.add(AuditEvent(endpoint="x.y", method="POST", path="/x", details={}))
    db.session.flush()
    with pytest.raises(DatabaseError, match="append-only"), db.session.begin_nested():
        db.session.execute(text(statement))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == 1
