"""Domain errors and the htmx-aware error pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask, Response, current_app, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

if TYPE_CHECKING:
    from flask_babel.speaklater import LazyString


class DomainError(Exception):
    """A rule refused an action; the message is shown to the person, in plain language."""

    status = 422

    def __init__(self, message: str | LazyString, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.field = field


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    status = 409


class TooManyAttempts(DomainError):
    status = 429


TITLES = {
    400: _l("This request could not be understood"),
    403: _l("You are not allowed to do this"),
    404: _l("This page does not exist"),
    405: _l("This action is not possible here"),
    409: _l("Someone changed this in the meantime"),
    413: _l("This file is too large"),
    422: _l("Some information is missing or wrong"),
    429: _l("Too many attempts"),
    500: _l("Something went wrong on our side"),
}

EXPLANATIONS = {
    400: _l("Go back to the previous page and try again."),
    403: _l("If you think you should have access, ask a facilitator of your group."),
    404: _l("The address may be mistyped, or the page was moved. Start again from the home page."),
    405: _l("Go back to the previous page and use the buttons it shows."),
    409: _l("Reload the page to see the latest version, then try again."),
    413: _l("Send a file of at most 25 MB, or split it in several files."),
    422: _l("Go back, correct what is shown, and send again."),
    429: _l("Wait a few minutes, then try again."),
    500: _l(
        "Nothing you sent has been half-saved. Try again in a moment; if it happens again, "
        "tell a facilitator."
    ),
}


def error_page(status: int, message: str | None = None) -> Response:
    """The error page, or only its message block for an htmx request."""
    title = TITLES.get(status, TITLES[500])
    explanation = message or EXPLANATIONS.get(status, EXPLANATIONS[500])
    context = {"status": status, "title": title, "explanation": explanation}
    from governance.web import is_htmx

    if is_htmx():
        from jinja2_fragments.flask import render_block

        html = render_block("error.html", "message", **context)
        response = current_app.make_response((html, status))
        # The fragment goes to the page's message area, not into the element that asked.
        response.headers["HX-Retarget"] = "#messages"
        response.headers["HX-Reswap"] = "innerHTML"
    else:
        response = current_app.make_response((render_template("error.html", **context), status))
    response.headers["Vary"] = "HX-Request"
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(DomainError)
    def _domain(error: DomainError) -> Response:
        return error_page(error.status, str(error.message))

    @app.errorhandler(CSRFError)
    def _csrf(_error: CSRFError) -> Response:
        from flask_babel import gettext as _
        from flask_login import current_user

        from governance.web import to_login, wants_json

        if wants_json() and not current_user.is_authenticated:
            return to_login()  # the session ended (and its token with it): a phone's queue waits

        return error_page(400, _("This form has expired. Reload the page, then send it again."))

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException) -> Response:
        status = error.code or 500
        response = error_page(status if status in TITLES else 400)
        # A 405 says which methods the address takes (RFC 9110), as werkzeug's own page does.
        for name, value in error.get_headers():
            if name == "Allow":
                response.headers["Allow"] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        from governance.extensions import db

        db.session.rollback()
        app.logger.exception("unexpected error", exc_info=error)
        return error_page(500)
