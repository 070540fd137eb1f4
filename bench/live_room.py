"""Live room: 61 phones polling the room of an open meeting every 2 s, through gunicorn.

The whole citizen committee sits in the room with the live page open on their phones: htmx
asks ``GET /seances/<id>/salle/etat`` every few seconds with the last ETag, and the app answers a
bodiless 304 while nothing changes. This benchmark builds that meeting in a throw-away database
(SQLite, or PostgreSQL: see ``configure_env``) (61 members present, two agenda items, the
meeting open), serves the real app with the project's ``gunicorn.conf.py`` and lets 61
keep-alive "phones" poll it. Halfway through, the facilitator moves to the next item once, to
show how fast the change reaches every phone.

Then a short saturating phase (61 clients polling back-to-back on the 304 path) gives the room's
capacity, compared with the one-row-insert ceiling of ``bench/ceiling.py``.

Run: ``.venv/bin/python bench/live_room.py [--duration 60] [--interval 2] [--saturate 5]
[--workers N] [--threads N] [--no-change] [--ceiling-rps RPS]``.
"""

from __future__ import annotations

import argparse
import asyncio
import atexit
import math
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `import governance` without relying on the editable install

from ceiling import (  # noqa: E402 — bench/ is on the path when this file runs as a script
    PG_ADMIN_URL,
    BenchError,
    ServerConfig,
    bench_database,
    describe,
    gunicorn,
    percentile_ms,
    quiet_collector,
    server_config,
    signed_in,
    status_of,
)

from governance import create_app  # noqa: E402
from governance.db import utcnow  # noqa: E402
from governance.extensions import db  # noqa: E402
from governance.people import services as people  # noqa: E402
from governance.people.models import Group, GroupKind, Person, QuorumKind, Role  # noqa: E402
from governance.sessions import services  # noqa: E402
from governance.sessions.models import (  # noqa: E402
    AttendanceStatus,
    ItemKind,
    Meeting,
    MeetingStatus,
)

PHONES = 61  # the members of the citizen committee, every one of them in the room
INTERVAL_S = 2.0  # harsher than the room's own POLL_SECONDS (3 s)
TARGET_P95_MS = 50.0
TARGET_SHARE_304 = 0.90
ITEMS = ("Accueil et tour de table", "Choix des producteurs du trimestre")
USER_AGENT = "TableeBench/1.0 (phone)"
REQUEST_TIMEOUT_S = 30.0
READY_TIMEOUT_S = 20.0
CEILING_TIMEOUT_S = 180.0
ETAG_VERSION = re.compile(r"room-status-\d+-(\d+)-")


# --- the meeting --------------------------------------------------------------------------


@dataclass(frozen=True)
class Room:
    meeting_id: int
    path: str
    cookie_name: str
    cookies: list[str]  # one signed session cookie per phone


# The PostgreSQL databases the benches create, dropped when the bench exits.
_databases = ExitStack()
atexit.register(_databases.close)


def configure_env(db_path: Path) -> None:
    """The same settings for the setup here and for gunicorn, which inherits the environment.

    The database is an SQLite file at ``db_path``, or, when ``TABLEE_PG_ADMIN_URL`` names a
    PostgreSQL server (``make bench`` runs the benches a second time with one), a fresh
    database on that server."""
    url = (
        _databases.enter_context(bench_database(db_path.parent))
        if PG_ADMIN_URL
        else f"sqlite:///{db_path}"
    )
    os.environ["TABLEE_SQLALCHEMY_DATABASE_URI"] = url
    os.environ["TABLEE_SECRET_KEY"] = secrets.token_urlsafe(32)
    print(f"database    {describe(url)}", flush=True)


def open_meeting(group: Group, facilitator: Person, members: list[Person]) -> Meeting:
    """A meeting as the facilitator runs it: agenda, convened, opened, everyone present."""
    meeting = services.create_meeting(
        group, "Comité citoyen", utcnow(), 180, "Maison de quartier", facilitator
    )
    for title in ITEMS:
        services.add_item(
            meeting, meeting.agenda_version, ItemKind.INFORMATION, title, "", None, 20
        )
    services.transition(meeting, MeetingStatus.CONVENED, facilitator)
    services.transition(meeting, MeetingStatus.OPEN, facilitator)
    for person in members:
        services.mark_attendance(meeting, person, AttendanceStatus.PRESENT, facilitator)
    return meeting


def populate(app: Flask, phones: int) -> Room:
    """The committee, its meeting and one login session per member; committed."""
    since = date.today() - timedelta(days=30)  # current whatever the time zone
    group = people.save_group(
        None, "Comité citoyen", GroupKind.COMMITTEE, "", QuorumKind.PERCENT, 50
    )
    facilitator = people.create_person("Animatrice du jour")
    people.add_membership(facilitator, group, Role.FACILITATOR, since)
    members = [people.create_person(f"Membre {n}") for n in range(1, phones + 1)]
    for person in members:
        people.add_membership(person, group, Role.MEMBER, since)
    meeting = open_meeting(group, facilitator, members)
    for person in members:
        people.start_login_session(person, USER_AGENT)
    meeting_id = meeting.id
    db.session.commit()
    cookies = [signed_in(app, person, USER_AGENT)[0] for person in members]
    return Room(
        meeting_id=meeting_id,
        path=f"/seances/{meeting_id}/salle/etat",
        cookie_name=app.config["SESSION_COOKIE_NAME"],
        cookies=cookies,
    )


def check_cookie(app: Flask, room: Room) -> None:
    """A phone's cookie must open the room (200 with an ETag), not lead to the login page."""
    client = app.test_client()
    client.set_cookie(room.cookie_name, room.cookies[0])
    response = client.get(room.path, headers={"HX-Request": "true", "User-Agent": USER_AGENT})
    if response.status_code != 200 or not response.headers.get("ETag"):
        raise BenchError(
            f"the phone's cookie does not open {room.path}: {response.status_code}, "
            f"Location={response.headers.get('Location')}, ETag={response.headers.get('ETag')}"
        )


def build_room(phones: int) -> tuple[Flask, Room]:
    """Migrate the fresh database, fill it, and check one phone's cookie in-process."""
    app = create_app()
    with app.app_context():
        upgrade()
        room = populate(app, phones)
        db.session.remove()  # no transaction left open: writers take BEGIN IMMEDIATE
    check_cookie(app, room)
    return app, room


def advance(app: Flask, meeting_id: int) -> int:
    """The facilitator's "next item", as the console does it; the new live version."""
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        assert meeting is not None
        services.go_to(meeting, 1)
        version = meeting.live_version  # read before the commit expires it
        db.session.commit()
    return version


# --- the server ---------------------------------------------------------------------------


@contextmanager
def serve(config: ServerConfig, room: Room, log: Path) -> Iterator[int]:
    """Run gunicorn for the block's duration and yield its port; it is stopped even on error."""

    def probe(port: int) -> int | None:
        return status_of(port, room.path, poll_headers(room, room.cookies[0], None))

    with gunicorn(config, log, probe) as (port, _process):
        yield port


# --- the phones ---------------------------------------------------------------------------


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(frozen=True)
class Reply:
    status: int
    etag: str | None
    cookie: str | None  # a new session cookie, kept as a browser would
    keep_alive: bool


@dataclass(frozen=True)
class Poll:
    sent: float  # time.monotonic()
    latency_s: float
    status: int  # 0: no answer
    version: int | None  # the meeting's live version, read from the ETag
    conditional: bool  # sent with If-None-Match


@dataclass
class Phone:
    cookie: str
    etag: str | None = None
    connection: Connection | None = None
    reopened: int = 0  # stale keep-alive connections replaced, as browsers do
    polls: list[Poll] = field(default_factory=list)

    def close(self) -> None:
        if self.connection is not None:
            self.connection[1].close()
            self.connection = None


def poll_headers(room: Room, cookie: str, etag: str | None) -> dict[str, str]:
    """What htmx sends when it polls: HX-Request, the session cookie, the last ETag."""
    headers = {
        "HX-Request": "true",
        "Cookie": f"{room.cookie_name}={cookie}",
        "User-Agent": USER_AGENT,
    }
    if etag is not None:
        headers["If-None-Match"] = etag
    return headers


def request_bytes(port: int, room: Room, phone: Phone) -> bytes:
    lines = [f"GET {room.path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [
        f"{name}: {value}" for name, value in poll_headers(room, phone.cookie, phone.etag).items()
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def read_reply(reader: asyncio.StreamReader, cookie_name: str) -> Reply:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status_line, *lines = head.split("\r\n")
    headers = [(name.lower(), value) for name, _, value in (h.partition(": ") for h in lines)]
    named = dict(headers)  # the last one wins; only Set-Cookie may repeat and it is read apart
    status = int(status_line.split(" ", 2)[1])
    # A 304 never has a body; Flask sets Content-Length on everything else it renders.
    await reader.readexactly(0 if status == 304 else int(named["content-length"]))
    cookies = [
        value.split(";", 1)[0].split("=", 1)[1]
        for name, value in headers
        if name == "set-cookie" and value.startswith(f"{cookie_name}=")
    ]
    return Reply(
        status=status,
        etag=named.get("etag"),
        cookie=cookies[-1] if cookies else None,
        keep_alive=named.get("connection", "").lower() != "close",
    )


async def send(phone: Phone, port: int, room: Room) -> Reply:
    if phone.connection is None:
        phone.connection = await asyncio.open_connection("127.0.0.1", port)
    reader, writer = phone.connection
    writer.write(request_bytes(port, room, phone))
    await writer.drain()
    reply = await read_reply(reader, room.cookie_name)
    if not reply.keep_alive:
        phone.close()
    return reply


async def fetch(phone: Phone, port: int, room: Room) -> Reply | None:
    """One poll, or None when it failed. A kept-alive connection the server has just closed is
    replaced once, as a browser does, instead of counting as an error."""
    for _ in range(2):
        reused = phone.connection is not None
        try:
            return await asyncio.wait_for(send(phone, port, room), REQUEST_TIMEOUT_S)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            phone.close()  # never reuse a half-read connection
            partial = isinstance(error, asyncio.IncompleteReadError) and bool(error.partial)
            if not reused or partial:  # only a connection closed before answering is stale
                return None
            phone.reopened += 1
        except (OSError, TimeoutError, asyncio.LimitOverrunError, ValueError, KeyError):
            phone.close()
            return None
    return None


def live_version(etag: str | None) -> int | None:
    found = ETAG_VERSION.search(etag or "")
    return int(found.group(1)) if found else None


async def poll_once(phone: Phone, port: int, room: Room) -> None:
    began = time.monotonic()
    conditional = phone.etag is not None
    reply = await fetch(phone, port, room)
    latency = time.monotonic() - began
    if reply is None:
        phone.polls.append(Poll(began, latency, 0, None, conditional))
        return
    if reply.status in (200, 304) and reply.etag:
        phone.etag = reply.etag
    if reply.cookie is not None:
        phone.cookie = reply.cookie
    version = live_version(reply.etag)
    phone.polls.append(Poll(began, latency, reply.status, version, conditional))


async def run_phone(
    phone: Phone, port: int, room: Room, first: float, end: float, interval: float
) -> None:
    """Poll on a fixed schedule from ``first`` until ``end`` (``interval`` 0: back-to-back)."""
    due = first
    try:
        while due < end:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            await poll_once(phone, port, room)
            if phone.polls[-1].status not in (200, 304):
                await asyncio.sleep(0.05)  # no hot loop against a server that refuses
            # A poll slower than the interval is followed at once, not by a burst of catch-ups.
            due = max(due + interval, time.monotonic())
    finally:
        phone.close()


# --- the phases ---------------------------------------------------------------------------


@dataclass
class Change:
    at: float | None = None  # time.monotonic() once committed
    before: int | None = None
    after: int | None = None


@dataclass
class Run:
    phones: list[Phone]
    started: float
    change: Change
    client_cpu_s: float = 0.0


async def facilitator(app: Flask, room: Room, at: float, change: Change) -> None:
    """Advance the item once; in a thread, so the phones keep polling meanwhile."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    change.after = await asyncio.to_thread(advance, app, room.meeting_id)
    change.before = change.after - 1
    change.at = time.monotonic()


async def room_load(app: Flask, room: Room, port: int, args: argparse.Namespace) -> Run:
    """The phones arrive spread over the first interval, poll until the end, then stop."""
    started = time.monotonic()
    end = started + args.duration
    phones = [Phone(cookie) for cookie in room.cookies]
    step = args.interval / len(phones)
    change = Change()
    work = [
        run_phone(phone, port, room, started + n * step, end, args.interval)
        for n, phone in enumerate(phones)
    ]
    if not args.no_change:
        work.append(facilitator(app, room, started + args.duration / 2, change))
    cpu = time.process_time()
    await asyncio.gather(*work)
    return Run(phones, started, change, time.process_time() - cpu)


async def saturate(room: Room, port: int, warmup: float, duration: float) -> tuple[int, int]:
    """Back-to-back polls with If-None-Match; the 304s and errors sent in the measured window."""
    now = time.monotonic()
    start, end = now + warmup, now + warmup + duration
    phones = [Phone(cookie) for cookie in room.cookies]
    step = warmup / 2 / len(phones)  # spread, so that every worker gets connections
    await asyncio.gather(
        *(run_phone(p, port, room, now + n * step, end, 0.0) for n, p in enumerate(phones))
    )
    measured = [poll for phone in phones for poll in phone.polls if poll.sent >= start]
    errors = sum(poll.status not in (200, 304) for phone in phones for poll in phone.polls)
    return sum(poll.status == 304 for poll in measured), errors


# --- the figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    polls: int
    errors: int
    initial: int  # first polls, without an ETag yet
    after_change: int  # each phone's first answer carrying the facilitator's change
    steady: int  # every other poll: nothing had changed for the phone
    steady_304: int
    all_304: int
    latencies_s: list[float]  # sorted, every answered poll
    latencies_304_s: list[float]
    latencies_200_s: list[float]
    propagation_s: float | None  # until every phone had the new state; None: no change
    reopened: int


def first_with(polls: list[Poll], version: int) -> Poll | None:
    return next((p for p in polls if p.version is not None and p.version >= version), None)


def propagation(run: Run) -> float | None:
    """From the commit to the last phone's first 200 with the new live version."""
    change = run.change
    if change.at is None or change.after is None:
        return None
    arrivals = []
    for phone in run.phones:
        poll = first_with(phone.polls, change.after)
        if poll is None or poll.status != 200:
            return math.inf
        arrivals.append(poll.sent + poll.latency_s)
    return max(arrivals) - change.at


def figures(run: Run) -> Figures:
    polls = [poll for phone in run.phones for poll in phone.polls]
    answered = [p for p in polls if p.status in (200, 304)]
    changed: set[int] = set()
    if run.change.after is not None:
        firsts = (first_with(phone.polls, run.change.after) for phone in run.phones)
        changed = {id(poll) for poll in firsts if poll is not None}
    steady = [p for p in polls if p.conditional and id(p) not in changed]
    return Figures(
        polls=len(polls),
        errors=len(polls) - len(answered),
        initial=sum(not p.conditional for p in polls),
        after_change=sum(id(p) in changed for p in polls),
        steady=len(steady),
        steady_304=sum(p.status == 304 for p in steady),
        all_304=sum(p.status == 304 for p in polls),
        latencies_s=sorted(p.latency_s for p in answered),
        latencies_304_s=sorted(p.latency_s for p in answered if p.status == 304),
        latencies_200_s=sorted(p.latency_s for p in answered if p.status == 200),
        propagation_s=propagation(run),
        reopened=sum(phone.reopened for phone in run.phones),
    )


def verdict(met: bool) -> str:
    return "ok" if met else "MISSED"


def share(part: int, whole: int) -> float:
    return part / whole if whole else float("nan")


def spread_ms(ordered: list[float]) -> str:
    p50, p95, p99 = (percentile_ms(ordered, f) for f in (0.50, 0.95, 0.99))
    peak = ordered[-1] * 1000 if ordered else float("nan")
    return f"p50 {p50:.2f} ms   p95 {p95:.2f} ms   p99 {p99:.2f} ms   max {peak:.2f} ms"


def print_polls(config: ServerConfig, args: argparse.Namespace, run: Run, fig: Figures) -> None:
    print(
        f"server      gunicorn {config.worker_class}: {config.workers} workers x "
        f"{config.threads} threads, keepalive {config.keepalive} s, on 127.0.0.1"
    )
    print(
        f"load        {len(run.phones)} phones, one poll every {args.interval:g} s each for "
        f"{args.duration:g} s, arrivals spread over the first {args.interval:g} s"
    )
    busy = run.client_cpu_s / args.duration
    print(f"client      {busy:.0%} of one core for the phones, on {os.cpu_count()} cores")
    print(
        f"polls       {fig.polls}: {fig.initial} first (no ETag yet), {fig.after_change} "
        f"bringing the change, {fig.steady} while nothing changed; {fig.errors} errors, "
        f"{fig.reopened} stale keep-alive connections reopened"
    )
    p95 = percentile_ms(fig.latencies_s, 0.95)
    print(f"latency     {spread_ms(fig.latencies_s)}")
    print(f"  target    p95 < {TARGET_P95_MS:g} ms: {verdict(p95 < TARGET_P95_MS)}")
    print(f"  304 only  {spread_ms(fig.latencies_304_s)}")
    print(f"  200 only  {spread_ms(fig.latencies_200_s)}")
    steady = share(fig.steady_304, fig.steady)
    print(
        f"304 share   {steady:.1%} of the {fig.steady} polls while nothing changed "
        f"({share(fig.all_304, fig.polls):.1%} of all {fig.polls} polls)"
    )
    print(f"  target    > {TARGET_SHARE_304:.0%}: {verdict(steady > TARGET_SHARE_304)}")
    print_change(args, run, fig)


def print_change(args: argparse.Namespace, run: Run, fig: Figures) -> None:
    change = run.change
    if change.at is None or fig.propagation_s is None:
        print("change      none (--no-change)")
        return
    when = change.at - run.started
    print(
        f"change      next item at {when:.1f} s (live version {change.before} -> "
        f"{change.after}): every phone had a 200 with it {fig.propagation_s:.2f} s later; "
        f"within one poll interval ({args.interval:g} s): "
        f"{verdict(fig.propagation_s <= args.interval)}"
    )


def ceiling_rps(args: argparse.Namespace) -> float:
    """The throughput of ``bench/ceiling.py``, run now, with the same server sizes."""
    command = [
        sys.executable,
        str(ROOT / "bench" / "ceiling.py"),
        "--duration",
        f"{args.saturate:g}",
    ]
    for flag in ("workers", "threads"):
        if getattr(args, flag) is not None:
            command += [f"--{flag}", str(getattr(args, flag))]
    done = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=CEILING_TIMEOUT_S, check=False
    )
    summary = [line for line in done.stdout.splitlines() if line.startswith("ceiling: ")]
    if done.returncode != 0 or not summary:
        raise BenchError(
            f"bench/ceiling.py failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    fields = dict(item.split("=", 1) for item in summary[-1].split()[1:])
    return float(fields["rps"])


# --- the run ------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=60.0, help="seconds of polling")
    parser.add_argument("--interval", type=float, default=INTERVAL_S, help="seconds per poll")
    parser.add_argument("--saturate", type=float, default=5.0, help="seconds of saturation")
    parser.add_argument("--phones", type=int, default=PHONES)
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--no-change", action="store_true", help="the facilitator does nothing")
    parser.add_argument("--ceiling-rps", type=float, help="skip bench/ceiling.py, use this")
    args = parser.parse_args()
    if args.duration <= 0 or args.interval <= 0 or args.saturate <= 0 or args.phones < 1:
        parser.error("--duration, --interval and --saturate must be > 0, --phones >= 1")
    if not args.no_change and args.duration / 2 < args.interval * 2:
        parser.error("--duration must leave two poll intervals after the change at half-time")
    if (args.workers is not None and args.workers < 1) or (
        args.threads is not None and args.threads < 1
    ):
        parser.error("--workers and --threads must be >= 1")
    return args


def measure(args: argparse.Namespace, config: ServerConfig, tmp: Path) -> tuple[Run, int, int]:
    """Set up, serve, poll, saturate: the polling run, and the saturation's 304s and errors."""
    configure_env(tmp / "tablee.db")
    app, room = build_room(args.phones)
    log = tmp / "gunicorn.log"
    try:
        with serve(config, room, log) as port:
            quiet_collector()
            run = asyncio.run(room_load(app, room, port, args))
            done, errors = asyncio.run(saturate(room, port, 1.0, args.saturate))
    except BenchError as error:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        raise BenchError(f"{error}\n{server_log}") from error
    return run, done, errors


def main() -> int:
    args = parse_args()
    config = server_config(args.workers, args.threads)
    with tempfile.TemporaryDirectory(prefix="tablee-live-room-") as tmp:
        try:
            run, saturated, saturation_errors = measure(args, config, Path(tmp))
            # After our server has stopped, so that the two never share the cores.
            ceiling = args.ceiling_rps or ceiling_rps(args)
        except BenchError as error:
            print(f"live_room: failed: {error}", file=sys.stderr)
            return 2
    fig = figures(run)
    print_polls(config, args, run, fig)
    rps = saturated / args.saturate
    ratio = rps / ceiling
    print(
        f"capacity    {rps:.1f} polls/s on the 304 path ({len(run.phones)} clients back-to-back "
        f"for {args.saturate:g} s, {saturation_errors} errors)"
    )
    print(f"ceiling     {ceiling:.1f} inserts/s (bench/ceiling.py)   ratio {ratio:.2f}")
    errors = fig.errors + saturation_errors
    print(
        f"live_room: p95_ms={percentile_ms(fig.latencies_s, 0.95):.2f} "
        f"share_304={share(fig.steady_304, fig.steady):.4f} polls={fig.polls} errors={errors} "
        f"rps_304={rps:.1f} ceiling_rps={ceiling:.1f} ratio={ratio:.2f}"
    )
    return 0 if errors == 0 and fig.polls > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
