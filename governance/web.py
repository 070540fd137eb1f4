"""Helpers for handlers: full pages or named blocks for htmx, form status, safe redirects."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, ParamSpec, TypeVar
from urllib.parse import urlsplit

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user
from flask_wtf import FlaskForm
from jinja2_fragments.flask import render_block
from werkzeug.routing import IntegerConverter

from governance.errors import DomainError

T = TypeVar("T")


def is_htmx() -> bool:
    """An htmx request that wants a fragment (a history restore wants the whole page)."""
    from governance.extensions import htmx

    return bool(htmx) and not htmx.history_restore_request


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for feeds, open data and e-mails, on the configured ``BASE_URL``:
    a shared cache never keeps a link made from whatever Host header a visitor sent."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


def wants_json() -> bool:
    """A script that asked for JSON (a phone sending a queued answer) is answered in JSON."""
    return request.accept_mimetypes.best == "application/json"


def to_login() -> Response:
    """Not (or no longer) signed in: a page goes to the login form and comes back; a script
    gets a JSON 401 naming that same way back, so that it can keep its data and say so."""
    target = request.full_path.rstrip("?")
    if wants_json():
        back = request.headers.get("X-Tablee-Page") or target
        login = url_for("people.login", next=safe_next(back, url_for("public.home")))
        response = jsonify(error="login", login=login)
        response.status_code = 401
        return response
    return redirect(url_for("people.login", next=target))


def render(template: str, block: str | None = None, status: int = 200, **context: Any) -> Response:
    """The whole page, or for an htmx request only ``block`` of it (same template, same data)."""
    if block and is_htmx():
        html = render_block(template, block, **context)
    else:
        html = render_template(template, **context)
    response = make_response(html, status)
    response.headers["Vary"] = "HX-Request"
    return response


def form_status(form: FlaskForm) -> int:
    """422 for a posted form that came back with errors, 200 for a first display."""
    has_errors = any(field.errors for field in form)
    return 422 if form.is_submitted() and has_errors else 200


def field_error(form: FlaskForm, error: DomainError) -> None:
    """Show a service's refusal on the field it names (else the form's first visible one)."""
    field = getattr(form, error.field, None) if error.field else None
    hidden = ("HiddenField", "CSRFTokenField")
    first = next((f for f in form if f.type not in hidden), None) or next(iter(form))
    target = field if field is not None else first
    target.errors = [*target.errors, str(error.message)]


def refusal_of(form: FlaskForm) -> DomainError | None:
    """The rule that refused the form in ``save``, if one did."""
    return getattr(form, "refusal", None)


def refused_status(form: FlaskForm) -> int:
    """The status of the rule that refused the form in ``save`` (409: the page is out of
    date), else ``form_status``."""
    refusal = refusal_of(form)
    return refusal.status if refusal is not None else form_status(form)


def save(
    form: FlaskForm,
    action: Callable[[], T],
    shown: Callable[[DomainError], object] | None = None,
) -> T | None:
    """Run a service call for a submitted form, in the request's transaction: the one way a
    route writes. Done: committed, and its result returned (an action returns what it saved,
    never None). Refused by a rule (``DomainError``): rolled back, the refusal kept on the form
    (``refusal_of``, ``refused_status``) and shown on the field it names, or
    by ``shown`` where it belongs elsewhere (a flash, a conflict above the form); None returned."""
    from governance.extensions import db

    try:
        result = action()
    except DomainError as error:
        db.session.rollback()
        form.refusal = error
        (shown or functools.partial(field_error, form))(error)
        return None
    db.session.commit()
    return result


def safe_next(target: str | None, default: str) -> str:
    """Only local paths, so a crafted link can never send someone to another site."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    return target


P = ParamSpec("P")
# Pages are also changed by a new release (templates, translations): never older than this.
STARTED = datetime.now(UTC).replace(microsecond=0)
PUBLIC_MAX_AGE = 60  # seconds a shared cache may answer alone before asking again


def cacheable(
    last_modified: Callable[..., datetime | None] | None = None,
) -> Callable[[Callable[P, Any]], Callable[P, Response]]:
    """A public page answers conditional requests: a strong ETag over the body (so it follows
    the language and whatever the page shows) and, where ``last_modified`` says when the data
    shown last changed, a Last-Modified. A visitor's copy may be kept by shared caches for a
    minute; a member's page, which names them, only by their own browser."""

    def decorate(view: Callable[P, Any]) -> Callable[P, Response]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Response:
            response = make_response(view(*args, **kwargs))
            if request.method not in ("GET", "HEAD") or response.status_code != 200:
                return response
            if current_user.is_authenticated:
                response.cache_control.private = True
                response.cache_control.no_cache = True
            else:
                response.cache_control.public = True
                response.cache_control.max_age = PUBLIC_MAX_AGE
            response.vary.add("Cookie")  # the language cookie, or a member's session
            response.add_etag()
            if last_modified is not None:
                changed = last_modified(*args, **kwargs)
                response.last_modified = max(changed, STARTED) if changed else STARTED
            response = response.make_conditional(request)
            # make_conditional adds a Date header; the server sends its own already.
            response.headers.pop("Date", None)
            return response

        return wrapper

    return decorate


MAX_PAGE = 100_000  # far past any list's end; a larger number would overflow the database


def page_number() -> int:
    """The page asked for; a number no list can reach is a page that does not exist (404)."""
    raw = request.args.get("page", "1")
    try:
        page = max(1, int(raw)) if len(raw) <= 12 else MAX_PAGE + 1
    except ValueError:
        return 1
    if page > MAX_PAGE:
        abort(404)
    return page


class BoundedInt(IntegerConverter):
    """``<int:…>`` in every route: ids past a 32-bit integer (PostgreSQL's ``integer``, the
    ids' type) match nothing, so a huge id is a 404 and never reaches the database."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", 2**31 - 1)
        super().__init__(url_map, *args, **kwargs)


def page_size() -> int:
    return int(current_app.config["PAGE_SIZE"])


V = TypeVar("V", bound=Callable[..., Any])


def reads_first(view: V) -> V:
    """Declared on a route whose work before its write is long (hashing a password, parsing a
    file, reading a round): it reads without the database's write lock, and calls
    ``db.begin_writing`` (or ``end_reading``) where its short write starts, so that the other
    writers of the caisse never wait on its reading (see ``db.read_first``)."""
    view.reads_first = True  # type: ignore[attr-defined]
    return view


def _read_first_where_declared() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "reads_first", False):
        from governance.db import read_first

        read_first()


def init_app(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedInt  # before any blueprint adds its rules
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["is_htmx"] = is_htmx  # templates ask flask-htmx the same way
    # Registered before the login and permission hooks, so that it comes before any read.
    app.before_request(_read_first_where_declared)
