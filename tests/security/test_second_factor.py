"""Admins and treasurers give a code from an authenticator app after their password."""

from __future__ import annotations

import re
import time
from datetime import timedelta
from unittest import mock

import pyotp
from click.testing import CliRunner
from sqlalchemy import select

from governance.cli import demo_code_command
from governance.db import utcnow
from governance.extensions import db
from governance.people.models import LoginSession, Role
from governance.people.second_factor import DEMO_SECRET
from tests import factories
from tests.factories import PASSWORD


def _password(client, who) -> str:  # type: ignore[no-untyped-def]
    username = who.username
    db.session.commit()
    sent = client.post_form("/connexion", {"identifier": username, "secret": PASSWORD})
    assert sent.status_code == 302
    return sent.headers["Location"]


def test_an_admin_gives_the_code_once_and_a_member_never(app, client) -> None:  # type: ignore[no-untyped-def]
    admin = factories.with_role(Role.ADMIN)
    secret = admin.totp_secret = pyotp.random_base32()
    assert _password(client, admin).endswith("/connexion/code")
    assert client.get("/compte").status_code == 302  # not logged in yet
    wrong = client.post_form("/connexion/code", {"code": "000000"})
    assert wrong.status_code == 422 and "pas le bon" in wrong.get_data(as_text=True)
    code = pyotp.TOTP(secret).at(time.time())
    assert client.post_form("/connexion/code", {"code": code}).status_code == 302
    assert client.get("/compte").status_code == 200

    replay = app.test_client()  # the same code, seen over a shoulder, is worth nothing
    _password(replay, admin)
    assert replay.post_form("/connexion/code", {"code": code}).status_code == 422
    assert replay.get("/compte").status_code == 302

    member = factories.person()
    other = app.test_client()
    assert _password(other, member).endswith("/pour-moi")


def test_the_code_must_come_soon_after_the_password(client) -> None:  # type: ignore[no-untyped-def]
    admin = factories.with_role(Role.TREASURER)
    admin.totp_secret = pyotp.random_base32()
    _password(client, admin)
    with client.session_transaction() as session:
        pending = session["pending_second_factor"]
        session["pending_second_factor"] = {**pending, "at": pending["at"] - 6 * 60}
    late = client.get("/connexion/code")
    assert late.status_code == 302 and late.headers["Location"].endswith("/connexion")


def test_wrong_codes_are_throttled(client) -> None:  # type: ignore[no-untyped-def]
    admin = factories.with_role(Role.ADMIN)
    admin.totp_secret = pyotp.random_base32()
    _password(client, admin)
    statuses = [
        client.post_form("/connexion/code", {"code": "123456"}).status_code for _ in range(6)
    ]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429


def test_a_new_treasurer_sets_up_the_app_before_anything_else(client) -> None:  # type: ignore[no-untyped-def]
    treasurer = factories.with_role(Role.TREASURER)
    location = _password(client, treasurer)
    assert "/compte/double-verification" in location
    blocked = client.get("/budget/comptes")
    assert (
        blocked.status_code == 302 and "/compte/double-verification" in blocked.headers["Location"]
    )
    page = client.get("/compte/double-verification").get_data(as_text=True)
    assert 'src="data:image/svg+xml;charset=utf-8,%3Csvg%20xmlns' in page  # a standalone SVG
    key = re.search(r'<code class="key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    refused = client.post_form("/compte/double-verification", {"code": "12 34 56"})
    assert refused.status_code == 422 and 'value="12 34 56"' in refused.get_data(as_text=True)
    db.session.refresh(treasurer)
    assert treasurer.totp_secret is None  # nothing kept from a failed attempt
    code = pyotp.TOTP(key).at(time.time())
    assert client.post_form("/compte/double-verification", {"code": code}).status_code == 302
    db.session.refresh(treasurer)
    assert treasurer.totp_secret == key
    assert client.get("/budget/comptes").status_code == 200


def test_an_admin_resets_a_lost_phone(app, client) -> None:  # type: ignore[no-untyped-def]
    treasurer = factories.with_role(Role.TREASURER)
    theirs = app.test_client()
    factories.login(theirs, treasurer)
    factories.login(client, factories.with_role(Role.ADMIN))
    person_id = treasurer.id
    page = client.get(f"/admin/personnes/{person_id}").get_data(as_text=True)
    assert "Réinitialiser la double vérification" in page
    reset = client.post_form(f"/admin/personnes/{person_id}/double-verification", {})
    assert reset.status_code == 302
    db.session.refresh(treasurer)
    assert treasurer.totp_secret is None
    assert theirs.get("/budget/comptes").status_code == 302  # logged out everywhere
    ended = db.session.scalars(
        select(LoginSession.ended_at).where(LoginSession.person_id == person_id)
    ).all()
    assert ended and all(ended)


def test_the_demo_code_command_shows_the_demo_secret_code() -> None:
    moment = 1_790_000_000.0
    with mock.patch("time.time", return_value=moment):
        shown = CliRunner().invoke(demo_code_command).output
    assert shown.startswith(pyotp.TOTP(DEMO_SECRET).at(moment))


def test_an_expired_login_session_needs_everything_again(client) -> None:  # type: ignore[no-untyped-def]
    admin = factories.with_role(Role.ADMIN)
    factories.login(client, admin)
    for row in db.session.scalars(select(LoginSession).where(LoginSession.person_id == admin.id)):
        row.expires_at = utcnow() - timedelta(minutes=1)  # the absolute limit is reached
    db.session.commit()
    assert client.get("/compte").status_code == 302


def test_a_member_may_turn_it_on_and_is_then_asked(app, client) -> None:  # type: ignore[no-untyped-def]
    member = factories.person()
    factories.login(client, member)
    page = client.get("/compte").get_data(as_text=True)
    assert "/compte/double-verification" in page
    setup = client.get("/compte/double-verification").get_data(as_text=True)
    key = re.search(r'<code class="key">([A-Z2-7 ]+)</code>', setup).group(1).replace(" ", "")
    code = pyotp.TOTP(key).at(time.time())
    assert client.post_form("/compte/double-verification", {"code": code}).status_code == 302
    later = app.test_client()
    assert _password(later, member).endswith("/connexion/code")
