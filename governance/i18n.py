"""Language: French by default, English by a visible switch that is remembered."""

from __future__ import annotations

import functools
import time

from babel import Locale
from flask import Flask, current_app, has_request_context, request, session
from flask_babel import format_number, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_eval_context
from jinja2.nodes import EvalContext
from markupsafe import Markup

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


@pass_eval_context
def plural(
    eval_ctx: EvalContext, singular: str, plural_: str, count: int, /, **variables: object
) -> str:
    """Templates' ``ngettext``: the plural form for ``count``, and ``%(num)s`` the count as
    the language writes numbers (« 3 120 foyers », not « 3120 »). Like Jinja's own, the
    translated text is trusted and the variables are escaped."""
    variables.setdefault("num", format_number(count))
    text = get_translations().ungettext(singular, plural_, count)
    return (Markup(text) if eval_ctx.autoescape else text) % variables  # noqa: S704 — our catalog


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["ngettext"] = plural  # over Flask-Babel's, which leaves num bare
    app.jinja_env.globals.update(
        now_epoch=lambda: int(time.time()),
        current_locale=lambda: str(get_locale() or app.config["BABEL_DEFAULT_LOCALE"]),
    )
