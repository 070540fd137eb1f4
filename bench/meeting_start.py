"""Start of a meeting: the 61 members of the committee log in and check in at the same instant.

Saturday, 9:30: the facilitator opens the meeting and every member takes out their phone. Each
phone does what a person does, through the real forms and with the real production password
hashing (Argon2id with the parameters of ``governance/config.py``; the tests' cheap settings are
removed from the environment): open the login page (its CSRF token), post the e-mail and the
password, land on "what is next for me" (its check-in form carries a new token: the login
started a fresh session), post the meeting's code, follow the redirect into the room. A phone is
"in the room" when the room's page has answered 200. Answers are compressed, as for a browser.
Then the same members arrive at the next meeting still logged in (a member's idle limit is 30
days): landing page, check-in, room.

The committee (61 members with a password, the meeting open since now) is built in a throw-away
SQLite database (or PostgreSQL under ``scripts/with-postgres``), the real app is served by
gunicorn with the project's ``gunicorn.conf.py``. The phones connect, wait on a barrier, and are
released together. Baseline, in the same run and on the same server: the same 61 phones each
asking for the login page at once (idle GETs). Afterwards the database must hold 61 login
sessions and 61 members present, checked in by themselves.

Run: ``.venv/bin/python bench/meeting_start.py [--phones 61] [--workers N] [--threads N]``.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import html
import os
import re
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

import brotli
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `import governance` without relying on the editable install

# Production hashing: whatever a shell or the tests exported must not make logins cheaper.
for _name in [n for n in os.environ if n.startswith("TABLEE_PASSWORD_HASH_")]:
    del os.environ[_name]

from ceiling import (  # noqa: E402 — bench/ is on the path
    BenchError,
    ServerConfig,
    gunicorn,
    percentile_ms,
    quiet_collector,
    server_config,
    status_of,
)
from live_room import REQUEST_TIMEOUT_S, USER_AGENT, configure_env, spread_ms, verdict  # noqa: E402

from governance import create_app  # noqa: E402
from governance.db import utcnow  # noqa: E402
from governance.extensions import db  # noqa: E402
from governance.people import services as people  # noqa: E402
from governance.people.models import GroupKind, LoginSession, Person, QuorumKind, Role  # noqa: E402
from governance.sessions import services as meetings  # noqa: E402
from governance.sessions.models import (  # noqa: E402
    Attendance,
    AttendanceStatus,
    ItemKind,
    MeetingStatus,
)

PHONES = 61  # the citizen committee, every member arriving at once
PASSWORD = "le-comite-se-reunit-2026"  # noqa: S105 — a bench account's password
TARGET_ALL_IN_S = 5.0  # every member in the room within this, on this 2-core machine
READY_TIMEOUT_S = 120.0
WARMUP_S = 1.0  # arrivals spread over it before the measure, so every worker is awake
CSRF = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')


# --- the committee ------------------------------------------------------------------------


@dataclass(frozen=True)
class Committee:
    meeting_id: int
    code: str
    emails: list[str]
    hash_ms: float  # one verification with the production parameters, in this process
    parameters: str


def populate(phones: int, parameters: str) -> Committee:
    """The committee, each member with the same password (hashed once: the verification cost
    is the same for every member), and its meeting open since now."""
    since = date.today() - timedelta(days=30)
    group = people.save_group(
        None, "Comité citoyen", GroupKind.COMMITTEE, "", QuorumKind.PERCENT, 40
    )
    facilitator = people.create_person("Animatrice du jour", email="animation@bench.example")
    people.add_membership(facilitator, group, Role.FACILITATOR, since)
    hashed = people.hash_secret(PASSWORD)
    emails = []
    for n in range(1, phones + 1):
        email = f"membre{n}@bench.example"
        person = people.create_person(f"Membre {n}", email=email)
        person.secret_hash, person.secret_kind = hashed, people.SecretKind.PASSWORD
        people.add_membership(person, group, Role.MEMBER, since)
        emails.append(email)
    meeting = meetings.create_meeting(
        group, "Séance mensuelle", utcnow(), 180, "Maison de quartier", facilitator
    )
    meetings.add_item(meeting, 1, ItemKind.INFORMATION, "Accueil", "", None, 15)
    meetings.transition(meeting, MeetingStatus.CONVENED, facilitator)
    meetings.transition(meeting, MeetingStatus.OPEN, facilitator)
    db.session.commit()
    return Committee(meeting.id, meeting.code, emails, verify_ms(emails[0]), parameters)


def verify_ms(email: str) -> float:
    """One password verification with the production parameters, here, in milliseconds."""
    person = db.session.scalar(select(Person).where(Person.email == email))
    assert person is not None
    samples = []
    for _ in range(3):
        began = time.perf_counter()
        assert people.verify_secret(person, PASSWORD)
        samples.append(time.perf_counter() - began)
    db.session.rollback()
    return sorted(samples)[1] * 1000


def build(phones: int) -> tuple[Flask, Committee]:
    app = create_app()
    config = app.config
    parameters = (
        f"Argon2id t={config['PASSWORD_HASH_TIME_COST']} "
        f"m={int(config['PASSWORD_HASH_MEMORY_KIB']) // 1024} MiB "
        f"p={config['PASSWORD_HASH_PARALLELISM']}"
    )
    with app.app_context():
        upgrade()
        committee = populate(phones, parameters)
        db.session.remove()
    return app, committee


def check_database(app: Flask, committee: Committee) -> tuple[int, int]:
    """(login sessions, members present by their own check-in) once every phone is in."""
    with app.app_context():
        sessions = db.session.scalar(select(func.count()).select_from(LoginSession)) or 0
        present = (
            db.session.scalar(
                select(func.count())
                .select_from(Attendance)
                .where(
                    Attendance.meeting_id == committee.meeting_id,
                    Attendance.status == AttendanceStatus.PRESENT,
                    Attendance.marked_by_id.is_(None),
                )
            )
            or 0
        )
        db.session.remove()
    return sessions, present


# --- a phone: a tiny browser ---------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    status: int
    location: str | None
    body: str
    keep_alive: bool


@dataclass
class Phone:
    email: str
    cookie_name: str
    cookies: dict[str, str] = field(default_factory=dict)
    connection: tuple[asyncio.StreamReader, asyncio.StreamWriter] | None = None
    steps: dict[str, float] = field(default_factory=dict)  # step name: seconds

    def close(self) -> None:
        if self.connection is not None:
            self.connection[1].close()
            self.connection = None


async def read_page(reader: asyncio.StreamReader, phone: Phone) -> Page:
    head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
    status_line, *lines = head.split("\r\n")
    headers = [(name.lower(), value) for name, _, value in (h.partition(": ") for h in lines)]
    named = dict(headers)
    body = await reader.readexactly(int(named.get("content-length", "0")))
    encoding = named.get("content-encoding", "")
    if encoding == "br":
        body = brotli.decompress(body)
    elif encoding == "gzip":
        body = gzip.decompress(body)
    for name, value in headers:
        if name == "set-cookie":
            key, _, rest = value.split(";", 1)[0].partition("=")
            phone.cookies[key] = rest
    return Page(
        status=int(status_line.split(" ", 2)[1]),
        location=named.get("location"),
        body=body.decode("utf-8", errors="replace"),
        keep_alive=named.get("connection", "").lower() != "close",
    )


async def connect(phone: Phone, port: int) -> None:
    if phone.connection is None:
        phone.connection = await asyncio.open_connection("127.0.0.1", port)


async def request(
    phone: Phone, port: int, method: str, path: str, form: dict | None = None
) -> Page:
    """One request on the phone's kept-alive connection (reopened once if the server closed
    it meanwhile, as a browser does), with its cookies, as a browser without htmx sends it."""
    body = urlencode(form or {}).encode()
    lines = [
        f"{method} {path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        f"User-Agent: {USER_AGENT}",
        "Accept-Language: fr-FR,fr;q=0.9",
        "Accept-Encoding: gzip, deflate, br",  # as a phone's browser: answers are compressed
    ]
    if phone.cookies:
        lines.append("Cookie: " + "; ".join(f"{k}={v}" for k, v in phone.cookies.items()))
    if method == "POST":
        lines += ["Content-Type: application/x-www-form-urlencoded", f"Content-Length: {len(body)}"]
    raw = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body
    for attempt in range(2):
        reused = phone.connection is not None
        await connect(phone, port)
        assert phone.connection is not None
        reader, writer = phone.connection
        try:
            writer.write(raw)
            await writer.drain()
            page = await asyncio.wait_for(read_page(reader, phone), REQUEST_TIMEOUT_S)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            phone.close()
            if not reused or attempt:
                raise BenchError(f"{method} {path}: {error!r}") from error
            continue
        if not page.keep_alive:
            phone.close()
        return page
    raise BenchError(f"{method} {path}: no answer")


def token(page: Page, where: str) -> str:
    match = CSRF.search(page.body)
    if page.status != 200 or match is None:
        raise BenchError(f"{where}: status {page.status}, no CSRF token")
    return html.unescape(match.group(1))


async def step(phone: Phone, name: str, coro) -> Page:  # type: ignore[no-untyped-def]
    began = time.monotonic()
    page = await coro
    phone.steps[name] = time.monotonic() - began
    return page


async def arrive(phone: Phone, port: int, code: str, release: asyncio.Event) -> float:
    """Login page, login, landing page (its check-in form), check-in, room: seconds to the
    room, from a phone that has no session yet."""
    await release.wait()
    began = time.monotonic()
    login_page = await step(phone, "login page", request(phone, port, "GET", "/connexion"))
    form = {"csrf_token": token(login_page, "login page"), "identifier": phone.email}
    form.update(secret=PASSWORD, next="")
    posted = await step(phone, "login", request(phone, port, "POST", "/connexion", form))
    if posted.status != 302 or posted.location is None:
        raise BenchError(f"login of {phone.email}: status {posted.status}")
    await check_in(phone, port, code, posted.location)
    return time.monotonic() - began


async def check_in(phone: Phone, port: int, code: str, landing_path: str) -> None:
    """What is next for me (a check-in form on it), the code posted, the room."""
    landing = await step(phone, "landing", request(phone, port, "GET", landing_path))
    form = {"csrf_token": token(landing, "landing page"), "code": code}
    checked = await step(phone, "check-in", request(phone, port, "POST", "/seances/presence", form))
    if checked.status != 302 or checked.location is None or "/salle" not in checked.location:
        raise BenchError(f"check-in of {phone.email}: status {checked.status}")
    room = await step(phone, "room", request(phone, port, "GET", checked.location))
    if room.status != 200:
        raise BenchError(f"room of {phone.email}: status {room.status}")


async def return_to(phone: Phone, port: int, code: str, release: asyncio.Event) -> float:
    """A member still logged in since last month: landing page, check-in, room."""
    await release.wait()
    began = time.monotonic()
    await check_in(phone, port, code, "/pour-moi")
    return time.monotonic() - began


async def idle_get(phone: Phone, port: int, release: asyncio.Event) -> float:
    await release.wait()
    began = time.monotonic()
    page = await request(phone, port, "GET", "/connexion")
    if page.status != 200:
        raise BenchError(f"idle GET: status {page.status}")
    return time.monotonic() - began


async def together(phones: list[Phone], port: int, make) -> tuple[float, list[float]]:  # type: ignore[no-untyped-def]
    """Every phone connected and waiting on the barrier, then released at once: the span from
    the release to the last answer, and each phone's own time."""
    await asyncio.gather(*(connect(phone, port) for phone in phones))
    release = asyncio.Event()
    tasks = [asyncio.create_task(make(phone, release)) for phone in phones]
    await asyncio.sleep(0)
    released = time.monotonic()
    release.set()
    times = await asyncio.gather(*tasks)
    return time.monotonic() - released, sorted(times)


async def warm_up(phones: list[Phone], port: int) -> None:
    """The server has been up for days: every worker has rendered the pages once."""
    now, gap = time.monotonic(), WARMUP_S / len(phones)

    async def one(n: int, phone: Phone) -> None:
        await asyncio.sleep(max(0.0, now + n * gap - time.monotonic()))
        await request(phone, port, "GET", "/connexion")

    await asyncio.gather(*(one(n, phone) for n, phone in enumerate(phones)))
    for phone in phones:
        phone.cookies.clear()  # a phone arriving at the meeting has no session yet


@dataclass(frozen=True)
class Outcome:
    baseline_s: float
    baseline_times: list[float]
    span_s: float
    times: list[float]
    steps: dict[str, list[float]]
    returning_s: float  # the same members, still logged in from the last meeting
    returning_times: list[float]
    # CPU seconds the server's workers spent on each phase: on a machine shared with other
    # work, what the same burst needs of the cores when they are free.
    cpu_s: dict[str, float]


def server_cpu_s(master: int) -> float:
    """User and system CPU seconds of gunicorn's workers so far (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    total = 0
    for pid in children:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


async def meeting_start(port: int, committee: Committee, cookie_name: str, master: int) -> Outcome:
    phones = [Phone(email, cookie_name) for email in committee.emails]
    cpu: dict[str, float] = {}
    try:
        await warm_up(phones, port)
        before = server_cpu_s(master)
        baseline_s, baseline_times = await together(
            phones, port, lambda phone, release: idle_get(phone, port, release)
        )
        cpu["baseline"], before = server_cpu_s(master) - before, server_cpu_s(master)
        for phone in phones:
            phone.cookies.clear()
        span_s, times = await together(
            phones, port, lambda phone, release: arrive(phone, port, committee.code, release)
        )
        cpu["arrival"], before = server_cpu_s(master) - before, server_cpu_s(master)
        steps = {name: sorted(p.steps[name] for p in phones) for name in phones[0].steps}
        # Next month: the phones kept their session (a member's idle limit is 30 days).
        returning_s, returning_times = await together(
            phones, port, lambda phone, release: return_to(phone, port, committee.code, release)
        )
        cpu["returning"] = server_cpu_s(master) - before
    finally:
        for phone in phones:
            phone.close()
    return Outcome(
        baseline_s, baseline_times, span_s, times, steps, returning_s, returning_times, cpu
    )


def serve_and_run(
    config: ServerConfig, committee: Committee, cookie_name: str, log: Path
) -> Outcome:
    # Booting four workers on a machine shared with other work can take a while.
    probe = lambda port: status_of(port, "/connexion")  # noqa: E731
    with gunicorn(config, log, probe, ready_s=READY_TIMEOUT_S) as (port, process):
        quiet_collector()
        return asyncio.run(meeting_start(port, committee, cookie_name, process.pid))


# --- the report ---------------------------------------------------------------------------


def report(
    config: ServerConfig, committee: Committee, outcome: Outcome, stored: tuple[int, int]
) -> int:
    phones = len(outcome.times)
    sessions, present = stored
    print(
        f"server      gunicorn {config.worker_class}: {config.workers} workers x "
        f"{config.threads} threads, on 127.0.0.1, {os.cpu_count()} cores"
    )
    print(
        f"hashing     {committee.parameters}: one verification {committee.hash_ms:.0f} ms "
        f"(in this process); {phones} of them need >= "
        f"{committee.hash_ms * phones / 1000 / (os.cpu_count() or 1):.2f} s of all cores"
    )
    print(
        f"baseline    {phones} phones ask for the login page at once: all answered in "
        f"{outcome.baseline_s * 1000:.0f} ms ({spread_ms(outcome.baseline_times)})"
    )
    print(
        f"arrival     {phones} phones log in and check in at once: the last one in the room "
        f"after {outcome.span_s:.2f} s"
    )
    print(f"  per phone {spread_ms(outcome.times)}")
    for name, times in outcome.steps.items():
        print(f"  {name:<13} {spread_ms(times)}")
    ratio = outcome.span_s / outcome.baseline_s
    print(f"  ratio     {ratio:.1f} x the baseline")
    cores = os.cpu_count() or 1
    print(
        f"  server    {outcome.cpu_s['arrival']:.2f} s of CPU for the whole arrival "
        f"({outcome.cpu_s['arrival'] * 1000 / phones:.0f} ms a phone; baseline "
        f"{outcome.cpu_s['baseline']:.2f} s): >= {outcome.cpu_s['arrival'] / cores:.2f} s on "
        f"{cores} free cores; load average now {os.getloadavg()[0]:.1f}"
    )
    print(
        f"returning   the same {phones} phones, still logged in, check in at once: the last "
        f"one in the room after {outcome.returning_s:.2f} s "
        f"({outcome.returning_s / outcome.baseline_s:.1f} x the baseline)"
    )
    print(f"  per phone {spread_ms(outcome.returning_times)}")
    print(
        f"  server    {outcome.cpu_s['returning']:.2f} s of CPU "
        f"({outcome.cpu_s['returning'] * 1000 / phones:.0f} ms a phone)"
    )
    met = outcome.span_s <= TARGET_ALL_IN_S
    print(f"  target    everyone in the room within {TARGET_ALL_IN_S:g} s: {verdict(met)}")
    exact = sessions == phones and present == phones
    print(
        f"stored      {sessions} login sessions, {present} members present by their own "
        f"check-in: {'ok' if exact else 'MISMATCH'}"
    )
    p50 = percentile_ms(outcome.times, 0.5)
    p95 = percentile_ms(outcome.times, 0.95)
    print(
        f"meeting_start: all_in_s={outcome.span_s:.2f} phone_p50_ms={p50:.0f} "
        f"phone_p95_ms={p95:.0f} baseline_ms={outcome.baseline_s * 1000:.0f} "
        f"ratio={ratio:.1f} returning_s={outcome.returning_s:.2f} "
        f"hash_ms={committee.hash_ms:.0f} server_cpu_s={outcome.cpu_s['arrival']:.2f} "
        f"load={os.getloadavg()[0]:.1f} stored_ok={exact}"
    )
    return 0 if exact else 1  # a missed target is reported, not a failure (as the others)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=PHONES)
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py")
    args = parser.parse_args()
    if args.phones < 1:
        parser.error("--phones must be >= 1")
    return args


def main() -> int:
    args = parse_args()
    config = server_config(args.workers, args.threads)
    with tempfile.TemporaryDirectory(prefix="tablee-meeting-start-") as tmp:
        configure_env(Path(tmp) / "tablee.db")
        try:
            app, committee = build(args.phones)
            log = Path(tmp) / "gunicorn.log"
            try:
                outcome = serve_and_run(config, committee, app.config["SESSION_COOKIE_NAME"], log)
            except BenchError as error:
                server_log = log.read_text(errors="replace") if log.exists() else ""
                raise BenchError(f"{error}\n{server_log[-4000:]}") from error
            stored = check_database(app, committee)
        except BenchError as error:
            print(f"meeting_start: failed: {error}", file=sys.stderr)
            return 2
    return report(config, committee, outcome, stored)


if __name__ == "__main__":
    sys.exit(main())
