"""HTTP hardening: headers and CSP on every kind of answer, cookie flags, the idle timeout."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from governance.extensions import db
from governance.people.models import Role
from governance.security import SEEN
from tests import factories

TEMPLATES = Path(__file__).resolve().parents[2] / "governance"
# Inline code a strict CSP refuses: a <script> without src, a style element or attribute,
# an on* handler, a javascript: URL, htmx's hx-on (which needs eval).
INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|<style\b|\sstyle=|\son[a-z]+=|javascript:|hx-on", re.I
)


def _assert_hardened(response) -> None:  # type: ignore[no-untyped-def]
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("path", ["/", "/connexion", "/decisions", "/nulle-part", "/compte"])
def test_every_kind_of_answer_is_hardened(client, path: str) -> None:  # type: ignore[no-untyped-def]
    response = client.get(path)  # a page, a form, a list, a 404, a redirect to log in
    _assert_hardened(response)


def test_fragments_static_files_and_signed_in_pages_too(app, client) -> None:  # type: ignore[no-untyped-def]
    static = client.get("/static/css/tablee.css")
    _assert_hardened(static)
    static.close()
    _assert_hardened(client.htmx("GET", "/connexion"))
    factories.login(client, factories.person())
    page = client.get("/compte")
    assert page.status_code == 200
    _assert_hardened(page)
    assert "private" in page.headers["Cache-Control"]  # a shared cache never keeps it


def test_no_template_holds_code_the_policy_would_block() -> None:
    offenders = [
        f"{path.relative_to(TEMPLATES)}: {match.group(0)}"
        for path in TEMPLATES.rglob("*.html")
        for match in INLINE.finditer(path.read_text())
    ]
    assert offenders == []


def test_htmx_is_configured_for_the_policy(client) -> None:  # type: ignore[no-untyped-def]
    html = client.get("/").get_data(as_text=True)
    config = re.search(r'name="htmx-config" content=\'([^\']*)\'', html)
    assert config is not None
    assert '"allowEval": false' in config.group(1)
    assert '"includeIndicatorStyles": false' in config.group(1)
    assert '"allowScriptTags": false' in config.group(1)


def test_cookies_are_secure_httponly_and_samesite_by_default(tmp_path: Path) -> None:
    from governance import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 's.db'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    with app.test_request_context("/"):
        from flask import session

        session["x"] = 1
        response = app.make_response("ok")
        app.session_interface.save_session(app, session, response)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_a_browser_left_idle_is_logged_out(app, client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.TREASURER))
    assert client.get("/compte").status_code == 200
    with client.session_transaction() as session:
        assert isinstance(session[SEEN], int)  # the last activity is recorded at once
        session[SEEN] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 - 5
    idle = client.get("/compte")
    assert idle.status_code == 302 and "/connexion" in idle.headers["Location"]
    again = client.get("/compte")  # logged out for good, not just redirected once
    assert again.status_code == 302 and "/connexion" in again.headers["Location"]


def test_a_plain_member_stays_logged_in_from_one_monthly_meeting_to_the_next(
    app,  # type: ignore[no-untyped-def]
    client,
) -> None:
    from datetime import UTC, datetime

    from sqlalchemy import select

    from governance.people.models import LoginSession

    member = factories.person()
    factories.login(client, member)
    expires = db.session.scalar(
        select(LoginSession.expires_at).where(LoginSession.person_id == member.id)
    )
    hours = (expires - datetime.now(UTC)).total_seconds() / 3600
    assert hours > app.config["MEMBER_LOGIN_SESSION_MAX_AGE_HOURS"] - 1
    with client.session_transaction() as session:
        session[SEEN] = int(time.time()) - 29 * 24 * 3600  # four weeks without a visit
    assert client.get("/compte").status_code == 200
    with client.session_transaction() as session:
        session[SEEN] = int(time.time()) - app.config["MEMBER_IDLE_TIMEOUT_MINUTES"] * 60 - 5
    idle = client.get("/compte")
    assert idle.status_code == 302 and "/connexion" in idle.headers["Location"]


def test_a_treasurer_keeps_the_short_absolute_limit(app, client) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, datetime

    from sqlalchemy import select

    from governance.people.models import LoginSession

    treasurer = factories.with_role(Role.TREASURER)
    factories.login(client, treasurer)
    expires = db.session.scalar(
        select(LoginSession.expires_at).where(LoginSession.person_id == treasurer.id)
    )
    hours = (expires - datetime.now(UTC)).total_seconds() / 3600
    assert hours <= app.config["LOGIN_SESSION_MAX_AGE_HOURS"]


def test_an_active_browser_stays_logged_in(app, client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.person())
    with client.session_transaction() as session:
        session[SEEN] = int(time.time()) - app.config["IDLE_TIMEOUT_MINUTES"] * 60 + 120
    assert client.get("/compte").status_code == 200
    with client.session_transaction() as session:
        assert int(time.time()) - session[SEEN] < 5  # activity moves the limit forward
