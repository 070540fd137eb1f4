"""One app per test session on a migrated database (an SQLite file, or a PostgreSQL database
when ``TABLEE_PG_ADMIN_URL`` names a server: see ``tests/databases.py``); every test rolls back
to a savepoint."""

from __future__ import annotations

import contextvars
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, current_app
from flask.testing import FlaskClient
from flask_migrate import upgrade
from flask_sqlalchemy.session import _app_ctx_id
from sqlalchemy import event
from sqlalchemy.orm import scoped_session, sessionmaker

from governance import create_app
from governance.extensions import db
from tests import databases

# Tests hash passwords at the cheapest Argon2id settings (every app a test makes, the browser
# tests' server included, reads them from the environment); the production parameters are
# tested once, in tests/people/test_passwords.py.
os.environ.update(
    TABLEE_PASSWORD_HASH_TIME_COST="1",
    TABLEE_PASSWORD_HASH_MEMORY_KIB="8",
    TABLEE_PASSWORD_HASH_PARALLELISM="1",
)

CSRF_PATTERN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


class Client(FlaskClient):
    """Each request runs in a fresh context, as in production: its own app context, ``g`` and
    database session (on the test's connection), never the test's own."""

    def open(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        return contextvars.Context().run(super().open, *args, **kwargs)

    def _session_csrf(self) -> str | None:
        """The raw token the session holds now (read from this client's own cookie)."""
        app = self.application
        domain = app.config.get("SERVER_NAME") or "localhost"
        cookie = self.get_cookie(app.config["SESSION_COOKIE_NAME"], domain=domain)
        serializer = app.session_interface.get_signing_serializer(app)  # type: ignore[attr-defined]
        if cookie is None or serializer is None:
            return None
        try:
            return serializer.loads(cookie.value).get("csrf_token")
        except Exception:  # an unreadable cookie: fetch a page instead
            return None

    def csrf_token(self, path: str = "/connexion") -> str:
        """The token a page of ``path`` carries. A form's token stays valid as long as the
        session's raw token does: it is fetched again only when that changed (a login)."""
        cached = getattr(self, "_csrf", None)
        raw = self._session_csrf()
        if path == "/connexion" and cached and raw is not None and cached[0] == raw:
            return str(cached[1])
        html = self.get(path, follow_redirects=True).get_data(as_text=True)
        match = CSRF_PATTERN.search(html)
        assert match, f"no CSRF token on {path}"
        self._csrf = (self._session_csrf(), match.group(1))  # type: ignore[attr-defined]
        return match.group(1)

    def post_form(self, path: str, data: dict[str, Any], **kwargs: Any) -> Any:
        """POST a form the way a browser does: with the token from the page it comes from."""
        return self.post(path, data={"csrf_token": self.csrf_token(), **data}, **kwargs)

    def htmx(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {"HX-Request": "true", **kwargs.pop("headers", {})}
        return self.open(path, method=method, headers=headers, **kwargs)


def pytest_report_header() -> str:
    return f"database: {databases.BACKEND}"


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    with databases.database(tmp_path_factory.mktemp("db"), "session") as url:
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "tests-only-secret",
                "SQLALCHEMY_DATABASE_URI": url,
                "SERVER_NAME": "tablee.test",
                "BASE_URL": "http://tablee.test",
                # Jobs run at once, in the request that sends them (tests/jobs run real workers).
                "QUEUE_URL": "immediate",
            }
        )
        app.test_client_class = Client
        with app.app_context():
            upgrade()
        yield app
        with app.app_context():
            databases.close_pool(db)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """An empty database of the suite's kind, for a test that makes an app of its own."""
    with databases.database(tmp_path, "own") as url:
        yield url


@contextmanager
def _sessions_on(app: Flask, connection: Any) -> Iterator[None]:
    """The app's sessions on ``connection``, each in a savepoint of its own, for the block."""
    original = db.session
    on_connection = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")

    def factory() -> Any:
        # Apps that a test makes for itself (own database file) keep their normal sessions.
        if current_app._get_current_object() is app:  # type: ignore[attr-defined]
            return on_connection()
        return original.session_factory()

    db.session = scoped_session(factory, scopefunc=_app_ctx_id)
    context = app.app_context()
    context.push()
    try:
        yield
    finally:
        db.session.remove()
        context.pop()
        db.session = original


@pytest.fixture(scope="module")
def demo_caisse(app: Flask) -> Iterator[Any]:
    """The demo caisse, loaded once for a whole module (a load takes seconds) by each worker
    that runs some of its tests: a module that uses it (every test of it, with ``pytestmark =
    pytest.mark.usefixtures("demo_caisse")``) holds one connection whose transaction keeps the
    demo, and each test works in a savepoint of it, rolled back after the test: each starts
    from the same demo, and the worker's database is as before once the module is done."""
    from governance.demo import load_demo

    with app.app_context():
        connection = db.engine.connect()
        transaction = connection.begin()
    with _sessions_on(app, connection):
        load_demo()
        db.session.commit()
    try:
        yield connection
    finally:
        transaction.rollback()
        connection.close()


@pytest.fixture(autouse=True)
def _transaction(app: Flask, request: pytest.FixtureRequest) -> Iterator[None]:
    """Bind the session to one connection whose transaction is rolled back after the test (in
    a module on the shared demo, its connection, to a savepoint taken before the test)."""
    if "demo_caisse" in request.fixturenames:
        connection = request.getfixturevalue("demo_caisse")
        transaction = connection.begin_nested()
        shared = True
    else:
        with app.app_context():
            connection = db.engine.connect()
            transaction = connection.begin()
        shared = False
    try:
        with _sessions_on(app, connection):
            yield
    finally:
        transaction.rollback()
        if not shared:
            connection.close()


@pytest.fixture
def client(app: Flask) -> Client:
    return app.test_client()  # type: ignore[return-value]


class QueryCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):
            self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def queries(app: Flask) -> Iterator[QueryCounter]:
    """Counts the SQL statements run while the test body runs (N+1 pages show up here)."""
    counter = QueryCounter()
    engine = db.engine
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


class Mailbox:
    """A real SMTP server on loopback (aiosmtpd) that keeps what it receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_RCPT(
        self, _server: Any, _session: Any, envelope: Any, address: str, _options: Any
    ) -> str:
        if address.startswith("refuse"):  # a server that refuses one recipient
            return "550 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"


@pytest.fixture
def smtp(app: Flask) -> Iterator[Mailbox]:
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    saved = {key: app.config[key] for key in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        yield mailbox
    finally:
        app.config.update(saved)
        controller.stop()
