"""Jobs run by a real worker process, on a database of their own (of the suite's kind)."""

from __future__ import annotations

import contextvars
import os
from pathlib import Path
from typing import Any

from flask import Flask

from governance import create_app
from governance.db import read_first
from governance.extensions import db


def in_app(app: Flask, work: Any, write: bool = False) -> Any:
    """Run ``work`` in the app's context, outside the test's own app and session; a reading
    never waits for the write lock (which a worker may hold)."""

    def run() -> Any:
        with app.app_context():
            if not write:
                read_first()
            try:
                return work()
            finally:
                db.session.remove()

    return contextvars.Context().run(run)


def site(tmp: Path, url: str, **settings: str) -> tuple[Flask, dict[str, str]]:
    """An app on an empty database and a queue of its own, and the environment a worker needs
    to work on the same ones."""
    env = {
        "TABLEE_DATABASE_URL": url,
        "TABLEE_QUEUE_URL": f"sqlite:///{tmp / 'queue.db'}",
        "TABLEE_SECRET_KEY": "x",
        **{f"TABLEE_{name}": value for name, value in settings.items()},
    }
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": env["TABLEE_DATABASE_URL"],
            "QUEUE_URL": env["TABLEE_QUEUE_URL"],
            "SECRET_KEY": "x",
        }
    )
    return app, {**os.environ, **env}
