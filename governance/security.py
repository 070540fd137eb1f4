"""HTTP hardening on every response, and the idle timeout of a signed-in browser.

The Content Security Policy allows nothing inline: every script and style is a file of ours,
htmx runs with ``allowEval`` and ``allowScriptTags`` off and without its injected styles (see
``base.html``), so a swapped fragment can never run code.
"""

from __future__ import annotations

import time

from flask import Flask, Response, current_app, flash, request, session
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user

CSP = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)

HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
}

SEEN = "seen"  # in the signed cookie session: when this browser was last active (epoch seconds)
SEEN_RESOLUTION_S = 60  # rewritten at most once a minute, so most answers send no new cookie


def _headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    if current_user and current_user.is_authenticated:
        # Pages of a signed-in person are theirs alone: no shared cache keeps them.
        cache = response.headers.get("Cache-Control", "")
        if "private" not in cache and "no-store" not in cache:
            response.headers["Cache-Control"] = ", ".join(p for p in (cache, "private") if p)
    return response


def _idle_timeout() -> Response | None:
    """A browser left alone longer than the idle limit is logged out. The last activity is in
    the signed cookie: a cookie idle too long can never be used again, and nothing is written
    to the database on a read."""
    if request.endpoint == "static" or not current_user.is_authenticated:
        return None
    now = int(time.time())
    limit = float(current_app.config["IDLE_TIMEOUT_MINUTES"]) * 60
    seen = session.get(SEEN)
    if isinstance(seen, int) and now - seen > limit and _idle_too_long(now - seen):
        from governance.people.auth import fresh_session
        from governance.web import to_login

        logout_user()
        fresh_session()
        flash(_l("You were logged out after a long time without activity. Log in again."), "info")
        return to_login()
    if not isinstance(seen, int) or now - seen >= min(SEEN_RESOLUTION_S, limit / 4):
        session[SEEN] = now
    return None


def _idle_too_long(idle_s: int) -> bool:
    """Past the short limit: a plain member still has until the long one. Roles are read only
    here, so that an active phone's requests (the room's polls) never pay for it."""
    from governance.people.services import holds_sensitive_role

    member_limit = float(current_app.config["MEMBER_IDLE_TIMEOUT_MINUTES"]) * 60
    return idle_s > member_limit or holds_sensitive_role(current_user)


def init_app(app: Flask) -> None:
    app.after_request(_headers)
    # Before the permission guard: an expired browser is sent to the login page, not refused.
    app.before_request(_idle_timeout)
