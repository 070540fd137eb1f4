"""The demo caisse on its own database, for the tests that read the portal as a visitor:
its test client, and the same app served on loopback (for schemathesis)."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from werkzeug.serving import make_server

from governance import create_app
from governance.demo import load_demo
from governance.extensions import db
from tests.conftest import Client

DEMO_TESTS = {"test_demo_portal.py", "test_api_schema.py"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).name in DEMO_TESTS:
            item.add_marker(pytest.mark.xdist_group("public-demo"))


@pytest.fixture(scope="session")
def demo_app(tmp_path_factory: pytest.TempPathFactory) -> Flask:
    path = tmp_path_factory.mktemp("demo") / "tablee-demo.db"
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "demo-tests-only"}
    )
    app.test_client_class = Client

    def prepare() -> None:  # outside any test's app context
        with app.app_context():
            upgrade()
            load_demo()
            db.session.commit()

    contextvars.Context().run(prepare)
    return app


@pytest.fixture(scope="session")
def demo_server(demo_app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(
        target=contextvars.Context().run, args=(server.serve_forever,), daemon=True
    )
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
