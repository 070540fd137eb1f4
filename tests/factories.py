"""Factories for the models: realistic defaults, any field overridable."""

from __future__ import annotations

import itertools
from datetime import date
from typing import Any

from governance.extensions import db
from governance.people import services
from governance.people.models import Group, GroupKind, Membership, Person, QuorumKind, Role

PASSWORD = "mot de passe solide"
_seq = itertools.count(1)

# Hashing with Argon2 is deliberately slow: the factories reuse one hash of PASSWORD.
_password_hash: str | None = None


def person(**overrides: Any) -> Person:
    global _password_hash
    n = next(_seq)
    values: dict[str, Any] = {
        "display_name": f"Personne {n}",
        "username": f"personne{n}",
        "email": f"personne{n}@exemple.org",
    }
    values.update(overrides)
    password = values.pop("password", PASSWORD)
    created = Person(**values)
    if password == PASSWORD:
        _password_hash = _password_hash or services.hash_secret(PASSWORD)
        created.secret_hash = _password_hash
        created.secret_kind = services.SecretKind.PASSWORD
    elif password:
        services.set_password(created, password)
    db.session.add(created)
    db.session.flush()
    return created


def group(**overrides: Any) -> Group:
    n = next(_seq)
    values: dict[str, Any] = {
        "name": f"Groupe {n}",
        "code": f"G{n}",
        "kind": GroupKind.COMMITTEE,
        "quorum_kind": QuorumKind.PERCENT,
        "quorum_value": 50,
    }
    values.update(overrides)
    created = Group(**values)
    db.session.add(created)
    db.session.flush()
    return created


def membership(
    who: Person, where: Group | None = None, role: Role = Role.MEMBER, **overrides: Any
) -> Membership:
    values: dict[str, Any] = {"starts_on": date(2025, 9, 1), "ends_on": None}
    values.update(overrides)
    created = Membership(person=who, group=where or group(), role=role, **values)
    db.session.add(created)
    db.session.flush()
    return created


def with_role(role: Role, **overrides: Any) -> Person:
    who = person(**overrides)
    membership(who, role=role)
    return who


def login(client: Any, who: Person, password: str = PASSWORD) -> Any:
    """Log in through the form; an admin or treasurer also gives their app's code (their app
    is set up here when it is not yet: tests of the enrolment itself post the forms)."""
    import time

    import pyotp

    from governance.people import second_factor

    username = who.username  # read before the commit expires it (a re-read opens a transaction)
    protected = second_factor.needs_second_factor(who)
    if protected:
        who.totp_secret = who.totp_secret or pyotp.random_base32()
        who.totp_last_step = None  # a code per login, even for several logins in one step
    secret = who.totp_secret
    db.session.commit()
    assert client.get("/connexion").status_code == 200, "already logged in: use another client"
    response = client.post_form("/connexion", {"identifier": username, "secret": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    if protected:
        assert response.headers["Location"].endswith("/connexion/code")
        code = pyotp.TOTP(secret).at(time.time())
        response = client.post_form("/connexion/code", {"code": code})
        assert response.status_code == 302, response.get_data(as_text=True)
    return response


def meeting(where: Group | None = None, **overrides: Any) -> Any:
    from datetime import UTC, datetime

    from governance.sessions.models import Meeting
    from governance.sessions.services import _new_code

    values: dict[str, Any] = {
        "title": "Séance mensuelle",
        # Today, within the hour: a meeting opens only on its own day.
        "starts_at": datetime.now(UTC).replace(minute=0, second=0, microsecond=0),
        "duration_minutes": 180,
        "place": "Maison de quartier",
        "code": _new_code(),
    }
    values.update(overrides)
    created = Meeting(group=where or group(), **values)
    db.session.add(created)
    db.session.flush()
    return created


def item(of: Any, **overrides: Any) -> Any:
    from governance.sessions.models import AgendaItem, ItemKind

    values: dict[str, Any] = {
        "kind": ItemKind.INFORMATION,
        "title": f"Point {next(_seq)}",
        "timebox_minutes": 20,
        "position": len(of.items) + 1,
    }
    values.update(overrides)
    created = AgendaItem(meeting=of, **values)
    db.session.add(created)
    db.session.flush()
    db.session.refresh(of, ["items"])
    return created


def signed_in(app: Any, who: Person, user_agent: str | None = None) -> tuple[str, str]:
    """The session cookie and CSRF header of a browser on loopback that has logged in as
    ``who`` (whose login session is started), for clients that are not a test client (raw
    HTTP, many at once): Flask-Login's ``login_user`` and Flask-WTF's ``generate_csrf`` fill
    the session, the app's own session interface signs it; nothing is forged by hand."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    headers = {"User-Agent": user_agent} if user_agent is not None else {}
    request = app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    with app.app_context(), request:  # its own app context: its own ``g``, as a request has
        login_user(who)
        header = generate_csrf()
        response = app.response_class()
        app.session_interface.save_session(app, session, response)
    name = app.config["SESSION_COOKIE_NAME"]
    for set_cookie in response.headers.getlist("Set-Cookie"):
        key, _, rest = set_cookie.partition("=")
        if key == name:
            return rest.split(";", 1)[0], header
    raise AssertionError("logging in set no session cookie")
