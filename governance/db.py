"""The declarative Base, reusable column types, and the connection setup (SQLite or PostgreSQL)."""

from __future__ import annotations

import contextvars
import enum
import fcntl
import os
import sqlite3
import threading
import zlib
from datetime import UTC, datetime
from typing import Annotated, Any

from flask import g, has_app_context, has_request_context, request
from sqlalchemy import DateTime, Engine, Enum, MetaData, String, TypeDecorator, event, text
from sqlalchemy.orm import DeclarativeBase, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are stored in UTC and always come back timezone-aware."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


def enum_column(kind: type[enum.Enum], name: str) -> Enum:
    """Enums are stored by value, as readable strings, checked by the database."""
    return Enum(
        kind,
        name=name,
        values_callable=lambda members: [m.value for m in members],
        native_enum=False,
        create_constraint=True,
        length=20,
    )


intpk = Annotated[int, mapped_column(primary_key=True)]
str40 = Annotated[str, mapped_column(String(40))]
str120 = Annotated[str, mapped_column(String(120))]
str255 = Annotated[str, mapped_column(String(255))]
utc = Annotated[datetime, mapped_column(UTCDateTime())]
created_at = Annotated[datetime, mapped_column(UTCDateTime(), default=utcnow)]


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Tables that migrations create by hand and no model describes (FTS5 indexes and their shadow
# tables): autogenerate and the migrations-versus-models test leave them alone.
UNMODELLED_TABLES = ("decision_search", "huey_")  # huey_*: the task queue on PostgreSQL


def include_name(name: str | None, type_: str, _parent_names: Any) -> bool:
    return not (type_ == "table" and name is not None and name.startswith(UNMODELLED_TABLES))


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


# PostgreSQL advisory lock keys (any 64-bit numbers, fixed forever): the writers' turn, and one
# per hash chain. Advisory locks belong to one database, so two caisses never share them.
WRITER_LOCK = 0x7461626C_0001
CHAIN_LOCKS = {
    "decisions": 0x7461626C_0002,
    "ledger": 0x7461626C_0003,
    "audit": 0x7461626C_0004,
}
# A write declared within one scope touches only that scope's rows (and the hash chains, which
# have their locks): a position or a check-in in one meeting's room, an answer of one visit, a
# login of one account, the books written by a job of the worker (an import, a monthly run:
# postings, wallets and their job's row; the ledger's chain lock orders them anyway).
# Its key is two 32-bit numbers (a key space apart from the ones above):
# the scope's kind, and its id.
SCOPES = {"meeting": 1, "visit": 2, "account": 3, "ledger": 4}
Scope = tuple[str, int | str]


def scope_key(scope: Scope) -> tuple[int, int]:
    kind, ident = scope
    if isinstance(ident, str):  # an account key ("person:12", or a typed identifier)
        ident = zlib.crc32(ident.encode()) - 2**31
    if not -(2**31) <= ident < 2**31:
        raise ValueError(f"scope id out of range: {ident}")
    return SCOPES[kind], ident


def configure_engine(engine: Engine, busy_timeout_ms: int) -> None:
    """The database's writers take turns: ``BEGIN IMMEDIATE`` on SQLite, an advisory lock on
    PostgreSQL; the rules of the house were written for one writer at a time."""
    if engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    elif engine.dialect.name == "sqlite":
        _configure_sqlite(engine, busy_timeout_ms)


def _configure_postgresql(engine: Engine) -> None:
    """A writing transaction first waits for its turn, an advisory lock held until it ends.

    The turn is a readers-writer lock. A write of one scope (``begin_writing(session, scope)``:
    a meeting's room, a visit, an account) shares the writers' lock with the writes of other
    scopes and takes its scope's lock alone, so two meetings vote in parallel while two
    positions of one meeting take turns. Any other write takes the writers' lock alone, as
    SQLite's ``BEGIN IMMEDIATE`` does: a check-then-write (one position per member, a wallet's
    balance, the next reference) never races another writer, whatever it touches. Page reads
    (GET, ``read_first``) never wait. PostgreSQL queues the waiters and wakes the next one when
    a lock is released, across every worker process, so no ``WriterQueue`` is needed. The order
    is always the writers' lock, then a scope, then a hash chain: no two writers wait on each
    other in a circle.
    """

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not _may_write():
            return
        scope = _scope()
        if scope is None:
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITER_LOCK})")
            return
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock_shared({WRITER_LOCK})")
        lock_scope(connection, scope)

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        _after_commit()


def lock_chain(session: Any, chain: str) -> None:
    """Serialise the appends to one hash chain until the transaction ends.

    On SQLite the writer already holds the database's write lock (``BEGIN IMMEDIATE``); on
    PostgreSQL a transaction-scoped advisory lock makes the second writer wait, then read the
    head the first one committed, so two links can never claim the same previous hash.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCKS[chain]})


def lock_scope(connection: Any, scope: Scope) -> None:
    """Take one scope's lock until the transaction ends (PostgreSQL; see ``_on_begin``)."""
    kind, ident = scope_key(scope)
    connection.execute(
        text("SELECT pg_advisory_xact_lock(:kind, :ident)"), {"kind": kind, "ident": ident}
    )


def _scope() -> Scope | None:
    return g.get("tablee_scope") if has_app_context() else None


def _after_commit() -> None:
    # A request writes once (the route commits once): what it reads afterwards to render
    # its answer must not hold the write lock that other phones are waiting for.
    if has_request_context() and g.get("tablee_tx") != "read":
        g.tablee_tx = "done"


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    """SQLite: WAL, foreign keys, a busy timeout, and ``BEGIN IMMEDIATE`` for writers.

    pysqlite's own transaction handling is switched off (SQLAlchemy's documented recipe) so that
    we emit BEGIN ourselves: writes take the write lock at BEGIN and queue on the busy timeout
    instead of failing with "database is locked" when two of them upgrade at once; page reads
    (GET) begin deferred, so that under WAL they never wait for a writer.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    queue = (
        WriterQueue(engine.url.database)
        if engine.url.database not in (None, "", ":memory:")
        else None
    )

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if not _may_write():
            connection.exec_driver_sql("BEGIN")
            return
        # Writers wait their turn in a queue that wakes the next one as soon as the lock is
        # free, instead of SQLite's busy handler, which polls with growing sleeps and gives up
        # after its timeout. Requests and the queue's worker alike: a member's answer sent
        # while a monthly run writes waits for it, never fails with "database is locked"
        # (bench/background_load.py met exactly that before the worker took its turn here).
        queued = queue is not None and (has_request_context() or _worker_writes.get(False))
        if queued:
            queue.acquire()
            connection.info["tablee_queued"] = True
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            _leave(connection)
            raise

    def _leave(connection: Any) -> None:
        if queue is not None and connection.info.pop("tablee_queued", False):
            queue.release()

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        _leave(connection)
        _after_commit()

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        _leave(connection)

    @event.listens_for(engine.pool, "checkin")
    def _on_checkin(_dbapi: Any, record: Any) -> None:
        # Never keep the queue past the connection's life, whatever happened to it.
        if queue is not None and record.info.pop("tablee_queued", False):
            queue.release()


# Set by the queue's worker around a job: its writes take their turn in the writers' queue.
_worker_writes: contextvars.ContextVar[bool] = contextvars.ContextVar("tablee_worker_writes")


def writes_in_turn() -> None:
    """Called by the queue's worker in each job's context (see ``_configure_sqlite``)."""
    _worker_writes.set(True)


class WriterQueue:
    """One writer at a time per database file: threads of a process take a lock, processes
    an exclusive ``flock`` on a file beside the database. Both wake waiters at once."""

    def __init__(self, database: str) -> None:
        self.path = f"{database}.writers"
        self.lock = threading.Lock()
        self.fd: int | None = None
        self.pid = 0

    def _file(self) -> int:
        if self.fd is None or self.pid != os.getpid():  # a forked worker opens its own
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
            self.pid = os.getpid()
        return self.fd

    def acquire(self) -> None:
        self.lock.acquire()
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX)
        except BaseException:
            self.lock.release()
            raise

    def release(self) -> None:
        try:
            fcntl.flock(self._file(), fcntl.LOCK_UN)
        finally:
            self.lock.release()


# A request's transactions: by default a POST writes from its first query on ("BEGIN
# IMMEDIATE"). A hot route may read first ("read", deferred, no lock), then call
# ``begin_writing`` so that only its short write holds the lock; after the commit ("done")
# what it reads to answer is deferred again.
def _may_write() -> bool:
    # A job in the worker reads first too (no request there, but an app context and its g).
    state = g.get("tablee_tx") if has_app_context() else None
    if state == "write":
        return True
    if state in ("read", "done"):
        return False
    if not has_request_context():
        return True
    return request.method not in SAFE_METHODS


def read_first() -> None:
    """Called before anything is read: this request reads without the write lock."""
    g.tablee_tx = "read"


def end_reading(session: Any, scope: Scope | None = None) -> None:
    """Where a request that reads first (``read_first``) turns to its write; elsewhere (the
    write lock already held, a script, a test) nothing changes."""
    if has_request_context() and g.get("tablee_tx") == "read":
        begin_writing(session, scope)


def begin_writing(session: Any, scope: Scope | None = None) -> None:
    """End the read phase; the next transaction takes the write lock at BEGIN. Whatever was
    read is read again inside it (the session expires it), so checks stay exact.

    ``scope``: the write touches only that meeting's, visit's or account's rows (besides the
    hash chains); on PostgreSQL it then waits only for writes of the same scope and for
    writes declared in none (see ``_configure_postgresql``). On SQLite every write takes turns.
    """
    session.commit()
    g.tablee_tx = "write"
    g.tablee_scope = scope
