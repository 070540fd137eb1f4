"""Flask-Login wiring: the cookie holds a login session token checked against the database."""

from __future__ import annotations

from flask import Flask, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response

from governance.extensions import login_manager
from governance.people.models import Person


def fresh_session() -> None:
    """Empty the cookie session at a login or a logout; only the language choice survives."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def _load(token: str) -> Person | None:
        from governance.people.services import person_for_token

        return person_for_token(token)

    @login_manager.unauthorized_handler
    def _unauthorized() -> Response:
        return redirect(url_for("people.login", next=request.full_path.rstrip("?")))
