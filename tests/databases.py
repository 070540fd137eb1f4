"""Where the tests' databases live: SQLite files, or a PostgreSQL server when one is given.

``scripts/with-postgres`` (``make test`` runs the suite a second time under it) sets
``TABLEE_PG_ADMIN_URL``, the maintenance database of a throw-away server; each test session,
each xdist worker and each test that needs an empty database of its own then gets a database
created for it on that server, and dropped afterwards.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, make_url
from sqlalchemy.pool import NullPool

ADMIN_URL = os.environ.get("TABLEE_PG_ADMIN_URL", "")
ON_POSTGRES = bool(ADMIN_URL)
BACKEND = "postgresql" if ON_POSTGRES else "sqlite"

sqlite_only = pytest.mark.skipif(ON_POSTGRES, reason="SQLite's own setup, not PostgreSQL's")
postgres_only = pytest.mark.skipif(not ON_POSTGRES, reason="runs on the PostgreSQL server")


def _admin(statement: str) -> None:
    engine = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql(statement)
    finally:
        engine.dispose()


def create_database(name: str) -> str:
    """An empty database on the server (any leftover of the same name dropped): its URL."""
    assert re.fullmatch(r"[a-z0-9_]+", name), name
    drop_database(name)
    _admin(f'CREATE DATABASE "{name}"')
    # No query of the suite takes a minute: one that does fails its test, by name, instead of
    # holding the whole run (a report query once ran for nine minutes in a CI pass).
    _admin(f"ALTER DATABASE \"{name}\" SET statement_timeout = '60s'")
    return make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)


def drop_database(name: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def worker_name(purpose: str) -> str:
    return f"tablee_{purpose}_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}"


@contextmanager
def database(folder: Path, purpose: str) -> Iterator[str]:
    """A URL of an empty database for the block: a file in ``folder``, or a PostgreSQL one."""
    if not ON_POSTGRES:
        yield f"sqlite:///{folder / f'{purpose}.db'}"
        return
    name = f"{worker_name(purpose)}_{secrets.token_hex(4)}"
    url = create_database(name)
    try:
        yield url
    finally:
        drop_database(name)


def close_pool(db: Any, timeout_s: float = 5.0) -> None:
    """Close the current app's pool, once this context's session and the server's request
    threads (which may still be tearing down after their client read the answer) have given
    their connections back: a connection out at that moment would be left open."""
    db.session.remove()
    engine = db.engine
    deadline = time.monotonic() + timeout_s
    while engine.pool.checkedout() and time.monotonic() < deadline:
        time.sleep(0.01)
    engine.dispose()


# The ledger's rows are append-only (triggers refuse every update and delete of them, and the
# tampering drill checks those triggers): a write to them can only add rows, which their count
# and highest id show, without hashing thousands of rows after every request of a walk.
APPEND_ONLY = frozenset({"ledger_transaction", "posting"})


def fingerprint(skip: set[str] | frozenset[str] = frozenset()) -> str:
    """Every row of every table but ``skip``, hashed: any write shows up, an update as well as
    an insert. The rows are concatenated by the database itself, one query per table."""
    from governance.extensions import db

    digest = hashlib.sha256()
    connection = db.session.connection()
    sqlite = connection.dialect.name == "sqlite"
    for table in db.metadata.sorted_tables:
        if table.name in skip:
            continue
        order = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
        if table.name in APPEND_ONLY:
            query = f'SELECT count(*), max(id) FROM "{table.name}"'  # noqa: S608 — our names
        elif sqlite:
            quoted = " || ',' || ".join(f'quote("{c.name}")' for c in table.columns)
            query = (
                f"SELECT count(*), group_concat(r, char(10)) FROM "  # noqa: S608 — our names
                f'(SELECT {quoted} AS r FROM "{table.name}" ORDER BY {order})'
            )
        else:
            query = (
                f"SELECT count(*), string_agg(t::text, chr(10) ORDER BY {order}) "  # noqa: S608
                f'FROM "{table.name}" AS t'
            )
        everything = connection.exec_driver_sql(query).one()
        digest.update(f"{table.name}:{everything[0]}:{everything[1]}".encode())
    return digest.hexdigest()
