"""Every route denies by default; what each role reaches is exactly the permissions table."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from governance import mail
from governance.access import declaration_of
from governance.extensions import db
from governance.people.models import Role
from governance.permissions import PERMISSIONS, Access, allowed
from tests import databases, factories

ROLES: list[Role | None] = [
    None,
    Role.MEMBER,
    Role.FACILITATOR,
    Role.TREASURER,
    Role.ADMIN,
    Role.EVALUATOR,
]


def test_every_route_is_in_the_table_and_nothing_else(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - PERMISSIONS.keys() == set(), "routes missing from permissions.py"
    assert PERMISSIONS.keys() - endpoints == set(), "permissions for routes that do not exist"


def test_a_route_missing_from_the_table_is_refused(database_url: str) -> None:  # type: ignore[no-untyped-def]
    from governance import create_app
    from governance.extensions import db
    from tests.conftest import Client

    other = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "SECRET_KEY": "x",
            "SERVER_NAME": "tablee.test",
        }
    )
    other.test_client_class = Client
    other.add_url_rule("/non-declaree", "undeclared", lambda: "secret")
    client = other.test_client()
    assert client.get("/non-declaree").status_code == 403
    with other.app_context():
        db.create_all()
        admin = factories.with_role(Role.ADMIN)
        factories.login(client, admin)
        response = client.get("/non-declaree")
        db.session.remove()
        databases.close_pool(db)
    assert response.status_code == 403
    assert "secret" not in response.get_data(as_text=True)


# Values for the path parts that are words, not ids.
WORDS = {
    "sessions.item_action": {"action": "monter"},
    "sessions.live_action": {"action": "pause"},
    "sessions.meeting_step": {"step": "clore"},
    "votes.proposal_stage": {"stage": "questions"},
    "votes.round_open": {"kind": "consentement"},
    "votes.proposal_end": {"action": "reporter"},
    "votes.objection_resolve": {"status": "retiree"},
    "budget.journal": {"kind": "csv"},
    "people.choose_language": {"lang": "en"},
    "joining.applicant_move": {"step": "invitee"},
    "evaluation.participation_csv": {"key": "presence"},
}


def _default(rule: Any, arg: str) -> object:
    """An id that exists nowhere for a number, a code for a word."""
    from werkzeug.routing import IntegerConverter

    return 1 if isinstance(rule._converters[arg], IntegerConverter) else "ABCD2345"


def _urls(app: Flask, ids: dict[str, Any]) -> list[tuple[str, str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        words = WORDS.get(rule.endpoint, {})
        values = {arg: words.get(arg, ids.get(arg, _default(rule, arg))) for arg in rule.arguments}
        path = rule.build(values)[1]
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            urls.append((rule.endpoint, method, path))
    return urls


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
def test_each_role_reaches_exactly_what_the_table_allows(app: Flask, client, role) -> None:  # type: ignore[no-untyped-def]
    # The facilitator runs the group the target belongs to, so scoping does not hide it.
    group = factories.group()
    target = factories.person()
    membership = factories.membership(target, group)
    meeting = factories.meeting(group)
    item = factories.item(meeting)
    message = mail.queue("x@exemple.org", "Sujet", "Texte")
    db.session.flush()
    if role is not None:
        me = factories.person()
        factories.membership(me, group, role)
        factories.login(client, me)
    ids = {
        "person_id": target.id,
        "group_id": group.id,
        "membership_id": membership.id,
        "meeting_id": meeting.id,
        "item_id": item.id,
        "message_id": message.id,
    }
    token = client.csrf_token()
    for endpoint, method, path in _urls(app, ids):
        if endpoint in {"people.logout", "people.set_language"}:
            continue  # they change the session this loop relies on; tested on their own
        data = {"csrf_token": token} if method == "POST" else None
        response = client.open(path, method=method, data=data)
        roles = {role} if role else set()
        expected = allowed(endpoint, roles=roles, signed_in=role is not None)
        where = f"{method} {path} as {role or 'anonymous'}"
        if expected and (PERMISSIONS[endpoint] is Access.IN_GROUP or declaration_of(app, endpoint)):
            # the table lets them in; the route's declaration then checks their role in the group
            assert "/connexion?next" not in response.headers.get("Location", ""), where
            assert response.status_code < 500, where
        elif expected:
            assert response.status_code not in (401, 403), where
            assert "/connexion?next" not in response.headers.get("Location", ""), where
            assert response.status_code < 500, where
        elif role is None:
            assert response.status_code == 302, where
            assert response.headers["Location"].startswith("/connexion?next="), where
        else:
            assert response.status_code == 403, where


def test_the_table_only_names_known_access_levels() -> None:
    for endpoint, rule in PERMISSIONS.items():
        assert isinstance(rule, Access) or (rule and all(isinstance(r, Role) for r in rule)), (
            endpoint
        )


def test_a_person_not_yet_with_a_pin_can_only_choose_it(client) -> None:  # type: ignore[no-untyped-def]
    person = factories.person()
    person.must_choose_pin = True
    factories.login(client, person)
    for path in ("/", "/compte", "/compte/mot-de-passe"):
        assert client.get(path).headers.get("Location") == "/compte/code", path
    assert client.get("/compte/code").status_code == 200
