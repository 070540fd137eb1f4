"""Language: French by default, English by a visible switch that is remembered."""

from __future__ import annotations

import functools
import time

from babel import Locale
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

from governance.extensions import babel


def select_locale() -> Locale:
    """The switch (session, then cookie), then the account's choice, then French."""
    return _locale(_choice())


@functools.cache
def _locale(code: str) -> Locale:
    """Parsed once per language: Babel would look for its data files on disk every request."""
    return Locale.parse(code)


def _choice() -> str:
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():
        return str(current_app.config["BABEL_DEFAULT_LOCALE"])
    for choice in (session.get("lang"), request.cookies.get("lang")):
        if choice in languages:
            return str(choice)
    if current_user and current_user.is_authenticated and current_user.locale in languages:
        return str(current_user.locale)
    return str(current_app.config["BABEL_DEFAULT_LOCALE"])


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals.update(
        now_epoch=lambda: int(time.time()),
        current_locale=lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
    )
