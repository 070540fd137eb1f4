"""Ceiling: the fastest a one-row insert can go through gunicorn and the app's database setup.

A bare Flask endpoint (``POST /insert``) writes one row into a throw-away SQLite database that is
configured by ``governance.db.configure_engine`` exactly like the app's own (WAL, foreign keys,
the busy timeout, ``BEGIN IMMEDIATE`` for writers) — or, when ``TABLEE_PG_ADMIN_URL`` names a
PostgreSQL server (``scripts/with-postgres --durable``, as ``make bench`` does), into a fresh
database on it, the writers taking the app's advisory lock. It is served by gunicorn with the
project's ``gunicorn.conf.py`` and loaded by 61 keep-alive clients on loopback: the citizen
committee polling and posting at once. Later benchmarks compare against the summary line it
prints.

Run: ``.venv/bin/python bench/ceiling.py [--duration 10] [--workers N] [--threads N]``.

The same file is the app gunicorn loads (``ceiling:create_app(...)``): ``make bench`` runs every
``bench/*.py`` as a benchmark, so a separate app module would be run as one too.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import http.client
import math
import os
import re
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Flask, request
from sqlalchemy import (
    Column,
    Engine,
    Integer,
    MetaData,
    Table,
    Text,
    create_engine,
    func,
    insert,
    make_url,
    select,
)
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `import governance` without relying on the editable install

from governance.config import defaults  # noqa: E402
from governance.db import UTCDateTime, configure_engine, utcnow  # noqa: E402

GUNICORN_CONF = ROOT / "gunicorn.conf.py"
CLIENTS = 61  # the members of the citizen committee, all polling or posting at once
REQUEST_TIMEOUT_S = 30.0  # above the busy timeout: a queued writer is slow, not failed
READY_TIMEOUT_S = 20.0
STOP_TIMEOUT_S = 40.0  # gunicorn's graceful timeout (30 s) plus some slack

metadata = MetaData()
rows = Table(
    "ceiling_rows",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("payload", Text, nullable=False),
)


# --- the app gunicorn serves ----------------------------------------------------------------


PG_ADMIN_URL = os.environ.get("TABLEE_PG_ADMIN_URL", "")  # set by scripts/with-postgres


@contextmanager
def bench_database(folder: Path) -> Iterator[str]:
    """The URL of an empty database for one bench: an SQLite file in ``folder``, or a fresh
    database on the PostgreSQL server of ``TABLEE_PG_ADMIN_URL``, dropped afterwards."""
    if not PG_ADMIN_URL:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    name = "bench_" + re.sub(r"[^a-z0-9_]", "_", folder.name.lower())
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def describe(url: str) -> str:
    """What the bench runs on, for its report."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            if engine.dialect.name == "postgresql":
                version = connection.exec_driver_sql("SHOW server_version").scalar()
                return f"PostgreSQL {version} on 127.0.0.1 (throw-away server)"
            return f"SQLite {connection.exec_driver_sql('SELECT sqlite_version()').scalar()} file"
    finally:
        engine.dispose()


def make_engine(url: str, busy_timeout_ms: int) -> Engine:
    """An engine set up like the app's: default pool, then ``configure_engine``."""
    engine = create_engine(url)
    configure_engine(engine, busy_timeout_ms)
    return engine


def create_app(url: str, busy_timeout_ms: int) -> Flask:
    """Gunicorn calls this in each worker after the fork, so every worker owns its engine."""
    app = Flask(__name__)
    engine = make_engine(url, busy_timeout_ms)

    @app.post("/insert")
    def insert_row() -> tuple[str, int, dict[str, str]]:
        payload = request.get_data(as_text=True)[:200]
        # One transaction; the request method is POST, so configure_engine begins IMMEDIATE
        # (SQLite) or takes the writers' advisory lock (PostgreSQL).
        with engine.begin() as connection:
            result = connection.execute(insert(rows).values(created_at=utcnow(), payload=payload))
        return str(result.inserted_primary_key[0]), 201, {"X-Worker": str(os.getpid())}

    @app.get("/health")
    def health() -> str:
        return "ok"

    return app


# --- the server -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerConfig:
    workers: int
    threads: int
    worker_class: str
    keepalive: int


def server_config(workers: int | None, threads: int | None) -> ServerConfig:
    """The project's gunicorn settings, with the command line's overrides on top."""
    conf = runpy.run_path(str(GUNICORN_CONF))
    return ServerConfig(
        workers=conf["workers"] if workers is None else workers,
        threads=conf["threads"] if threads is None else threads,
        worker_class=conf["worker_class"],
        keepalive=conf["keepalive"],
    )


def quiet_collector() -> None:
    """Before the phones start: what the bench built in this process (the app, its mappings,
    the setup's objects, ~200 000 of them) is moved out of the garbage collector's sight.
    Otherwise a full collection in the client's process stops its event loop for a quarter of
    a second in the middle of a burst, and the bench measures itself, not the server (two
    rounds of twenty in consent_round, while the server's own log showed no slow request)."""
    gc.collect()
    gc.freeze()


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class BenchError(RuntimeError):
    """The bench could not run as intended: the setup or the server misbehaved."""


def gunicorn_command(
    config: ServerConfig, port: int, app: str, pythonpath: str = str(ROOT)
) -> list[str]:
    """The production config file, with the bench's bind, sizes and app on the command line."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "--config",
        str(GUNICORN_CONF),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(config.workers),
        "--threads",
        str(config.threads),
        "--worker-class",
        config.worker_class,
        # The default control socket lives in ~/.gunicorn and would clash with a running server.
        "--no-control-socket",
        "--pythonpath",
        pythonpath,
        app,
    ]


def status_of(port: int, path: str, headers: dict[str, str] | None = None) -> int | None:
    """The status of one request, or None while nothing listens yet."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        connection.request("GET", path, headers=headers or {})
        return connection.getresponse().status
    except (OSError, http.client.HTTPException):
        return None
    finally:
        connection.close()


def wait_until_ready(
    process: subprocess.Popen[bytes],
    probe: Callable[[], int | None],
    timeout_s: float = READY_TIMEOUT_S,
) -> None:
    """Until ``probe`` gets a 200; another status, or gunicorn exiting, is an error."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited with code {process.returncode} while starting")
        status = probe()
        if status == 200:
            return
        if status is not None:
            raise BenchError(f"the server answered {status} instead of 200")
        time.sleep(0.1)
    raise BenchError(f"gunicorn did not answer within {timeout_s:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM lets gunicorn finish in-flight requests; SIGKILL only if it hangs."""
    if process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def gunicorn(
    config: ServerConfig,
    log: Path,
    probe: Callable[[int], int | None],
    app: str = "governance:create_app()",
    pythonpath: str = str(ROOT),
    ready_s: float = READY_TIMEOUT_S,
) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """Every bench's server: gunicorn with the project's config serves ``app`` for the block's
    duration, once ``probe(port)`` answers 200; it is stopped even on error. Yields the port
    and the process (whose pid a bench may watch)."""
    port = free_port()
    with log.open("wb") as log_file:
        # The log goes to a file: a pipe nobody reads would block gunicorn once it is full.
        process = subprocess.Popen(
            gunicorn_command(config, port, app, pythonpath),
            cwd=ROOT,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(process, lambda: probe(port), ready_s)
            yield port, process
        finally:
            stop(process)


@contextmanager
def serve(config: ServerConfig, url: str, busy_ms: int, log: Path) -> Iterator[int]:
    """The bare insert app under gunicorn, for the block's duration; yields its port."""
    app = f"ceiling:create_app({url!r}, {busy_ms})"
    probe = lambda port: status_of(port, "/health")  # noqa: E731
    with gunicorn(config, log, probe, app, f"{ROOT / 'bench'},{ROOT}") as (port, _process):
        yield port


def signed_in(app: Flask, person: Any, user_agent: str) -> tuple[str, str]:
    """What a phone holds once ``person`` (whose login session is started) has logged in:
    the session cookie that Flask-Login's ``login_user`` and Flask-WTF's ``generate_csrf``
    fill, written by the app's own session interface, and the CSRF header. Made in-process,
    as a request from that phone on loopback, so that the server finds it its own."""
    from flask import session
    from flask_login import login_user
    from flask_wtf.csrf import generate_csrf

    headers = {"User-Agent": user_agent}
    request = app.test_request_context(headers=headers, environ_base={"REMOTE_ADDR": "127.0.0.1"})
    with app.app_context(), request:  # its own app context: its own ``g``, as a request has
        login_user(person)
        header = generate_csrf()
        response = app.response_class()
        app.session_interface.save_session(app, session, response)  # type: ignore[arg-type]
    name = app.config["SESSION_COOKIE_NAME"]
    for set_cookie in response.headers.getlist("Set-Cookie"):
        key, _, rest = set_cookie.partition("=")
        if key == name:
            return rest.split(";", 1)[0], header
    raise BenchError("logging in set no session cookie")


# --- the load ---------------------------------------------------------------------------------


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(frozen=True)
class Reply:
    status: int
    keep_alive: bool
    worker: str  # the gunicorn worker's pid, to see how the connections spread


@dataclass
class Tally:
    """What the clients saw: every 201 (for the row check) and the measured window."""

    created: int = 0
    errors: int = 0
    latencies_s: list[float] = field(default_factory=list)
    measured_errors: int = 0
    client_cpu_s: float = 0.0
    per_worker: Counter[str] = field(default_factory=Counter)

    def record(self, reply: Reply | None, *, measured: bool, latency_s: float) -> None:
        """Count one exchange; only those sent after the warm-up go into the figures."""
        if reply is None or reply.status != 201:
            self.errors += 1
            self.measured_errors += measured
            return
        self.created += 1
        if measured:
            self.latencies_s.append(latency_s)
            self.per_worker[reply.worker] += 1


def request_bytes(port: int, payload: bytes) -> bytes:
    head = (
        f"POST /insert HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
        f"Content-Type: text/plain\r\nContent-Length: {len(payload)}\r\n\r\n"
    )
    return head.encode("ascii") + payload


async def read_response(reader: asyncio.StreamReader) -> Reply:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status_line, *header_lines = head.split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in header_lines if ": " in line)
    # Flask sets Content-Length on its string responses; anything else is a broken exchange.
    await reader.readexactly(int(headers["content-length"]))
    return Reply(
        status=int(status_line.split(" ", 2)[1]),
        keep_alive=headers.get("connection") != "close",
        worker=headers.get("x-worker", "?"),
    )


async def client(
    number: int, port: int, arrive: float, window: tuple[float, float], tally: Tally
) -> None:
    """One committee member: arrives, then one insert after another on a keep-alive connection."""
    loop = asyncio.get_running_loop()
    start, end = window
    connection: Connection | None = None
    sequence = 0
    await asyncio.sleep(arrive - loop.time())
    try:
        while loop.time() < end:
            sequence += 1
            began = loop.time()
            reply, connection = await exchange(connection, port, f"m{number}-{sequence}".encode())
            tally.record(reply, measured=start <= began, latency_s=loop.time() - began)
            if reply is None or reply.status != 201:
                await asyncio.sleep(0.05)  # no hot loop against a server that refuses
    finally:
        if connection is not None:
            connection[1].close()


async def post(
    connection: Connection | None, port: int, payload: bytes
) -> tuple[Reply, Connection | None]:
    """One POST /insert; the reply, and the connection if the server keeps it open."""
    if connection is None:
        connection = await asyncio.open_connection("127.0.0.1", port)
    reader, writer = connection
    try:
        writer.write(request_bytes(port, payload))
        await writer.drain()
        reply = await read_response(reader)
    except BaseException:  # the cancellation of a timed-out request too: never reuse a half-read
        writer.close()
        raise
    if not reply.keep_alive:
        writer.close()
    return reply, connection if reply.keep_alive else None


async def exchange(
    connection: Connection | None, port: int, payload: bytes
) -> tuple[Reply | None, Connection | None]:
    """The reply (none when the exchange failed), and the connection to reuse."""
    try:
        return await asyncio.wait_for(post(connection, port, payload), REQUEST_TIMEOUT_S)
    except (
        OSError,
        TimeoutError,
        asyncio.IncompleteReadError,
        asyncio.LimitOverrunError,
        ValueError,
        KeyError,
    ):
        return None, None


async def load(port: int, clients: int, warmup_s: float, duration_s: float) -> Tally:
    """All clients together; each stops sending at the end and finishes its last request.

    They arrive spread over the first half of the warm-up, as browsers do: connections opened
    in one burst are all accepted by whichever worker wakes first, leaving the others idle.
    """
    tally = Tally()
    now = asyncio.get_running_loop().time()
    window = (now + warmup_s, now + warmup_s + duration_s)
    step = warmup_s / 2 / clients
    cpu = time.process_time()
    await asyncio.gather(*(client(n, port, now + n * step, window, tally) for n in range(clients)))
    tally.client_cpu_s = time.process_time() - cpu
    return tally


# --- the figures ------------------------------------------------------------------------------


def percentile_ms(ordered: list[float], fraction: float) -> float:
    """Nearest-rank percentile of sorted latencies in seconds, in milliseconds."""
    if not ordered:
        return float("nan")
    rank = max(1, math.ceil(fraction * len(ordered)))
    return ordered[rank - 1] * 1000


def count_rows(url: str) -> tuple[int, int]:
    """Rows and distinct payloads: a row written twice would show as fewer distinct payloads."""
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            found = connection.execute(
                select(func.count(), func.count(rows.c.payload.distinct()))
            ).one()
    finally:
        engine.dispose()
    return int(found[0]), int(found[1])


def report(config: ServerConfig, args: argparse.Namespace, tally: Tally, database: str) -> str:
    """Print the figures; return the one-line summary that later benchmarks parse."""
    print(f"database    {database}")
    ordered = sorted(tally.latencies_s)
    p50, p95, p99 = (percentile_ms(ordered, f) for f in (0.50, 0.95, 0.99))
    peak = ordered[-1] * 1000 if ordered else float("nan")
    rps = len(ordered) / args.duration
    print(
        f"server      gunicorn {config.worker_class}: {config.workers} workers x "
        f"{config.threads} threads, keepalive {config.keepalive} s, on 127.0.0.1"
    )
    print(
        f"load        {args.clients} keep-alive clients, warm-up {args.warmup:g} s "
        f"(not counted), measured {args.duration:g} s"
    )
    # On a small machine the clients share the cores with the server: say how much they took.
    busy = tally.client_cpu_s / (args.warmup + args.duration)
    print(f"client      {busy:.0%} of one core for the load generator, on {os.cpu_count()} cores")
    print(
        f"requests    {len(ordered) + tally.measured_errors} measured: "
        f"{len(ordered)} created (201), {tally.measured_errors} errors"
    )
    print(f"errors      {tally.errors} over the whole run (warm-up included)")
    spread = " / ".join(str(count) for _, count in tally.per_worker.most_common())
    answered = f"{len(tally.per_worker)} of {config.workers} workers answered"
    print(f"per worker  {spread} requests ({answered})")
    print(f"throughput  {rps:.1f} requests/s")
    print(f"latency     p50 {p50:.2f} ms   p95 {p95:.2f} ms   p99 {p99:.2f} ms   max {peak:.2f} ms")
    return (
        f"ceiling: rps={rps:.1f} p50_ms={p50:.2f} p95_ms={p95:.2f} p99_ms={p99:.2f} "
        f"max_ms={peak:.2f} errors={tally.errors} workers={config.workers} "
        f"threads={config.threads} clients={args.clients}"
    )


def rows_match(url: str, tally: Tally) -> bool:
    total, distinct = count_rows(url)
    same = total == distinct == tally.created
    verdict = "ok" if same else "MISMATCH"
    print(
        f"rows        {total} in the database ({distinct} distinct), "
        f"{tally.created} successful inserts (warm-up included): {verdict}"
    )
    return same


# --- the run ----------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=10.0, help="measured seconds")
    parser.add_argument("--warmup", type=float, default=1.0, help="seconds not counted")
    parser.add_argument("--clients", type=int, default=CLIENTS)
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py")
    args = parser.parse_args()
    if args.duration <= 0 or args.warmup < 0 or args.clients < 1:
        parser.error("--duration must be > 0, --warmup >= 0 and --clients >= 1")
    if (args.workers is not None and args.workers < 1) or (
        args.threads is not None and args.threads < 1
    ):
        parser.error("--workers and --threads must be >= 1")
    return args


def main() -> int:
    args = parse_args()
    config = server_config(args.workers, args.threads)
    with (
        tempfile.TemporaryDirectory(prefix="tablee-ceiling-") as tmp,
        bench_database(Path(tmp)) as url,
    ):
        log = Path(tmp) / "gunicorn.log"
        busy_ms = int(defaults(tmp)["SQLITE_BUSY_TIMEOUT_MS"])  # the app's own default
        schema_engine = make_engine(url, busy_ms)
        metadata.create_all(schema_engine)  # before the workers start, so they never race on it
        schema_engine.dispose()
        try:
            with serve(config, url, busy_ms, log) as port:
                tally = asyncio.run(load(port, args.clients, args.warmup, args.duration))
        except RuntimeError as error:
            print(
                f"ceiling: server failed: {error}\n{log.read_text(errors='replace')}",
                file=sys.stderr,
            )
            return 2
        # Counted only now: gunicorn has stopped, so every answered insert is committed.
        summary = report(config, args, tally, describe(url))
        matched = rows_match(url, tally)
    print(summary)  # last, so that `tail -n 1` finds it
    return 0 if matched and tally.errors == 0 and tally.created > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
