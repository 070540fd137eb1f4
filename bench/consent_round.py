"""Consent round: 61 phones give their position at the same instant, round after round.

The facilitator opens a consent round and the whole citizen committee answers from their phones
at once: ``POST /tours/<round>/position`` with ``value=consent``, sent by htmx (``HX-Request``),
with the session cookie and the CSRF header a logged-in browser has. This benchmark builds that
meeting in a throw-away SQLite database (61 members present, one decision item with its proposal
per round, the meeting open), serves the real app with the project's ``gunicorn.conf.py``, and
fires one burst per round: the 61 keep-alive "phones" wait on a barrier, then all post together.
Between bursts the facilitator closes the round (all consent: the proposal is adopted), moves to
the next item and opens its round, in-process, while the phones wait. After every burst the
database must hold exactly 61 positions for that round.

Then a saturating phase (the 61 phones changing their position back-to-back on one open round,
every post a real write) gives the sustained throughput, compared with the one-row-insert
ceiling of ``bench/ceiling.py``.

Run: ``.venv/bin/python bench/consent_round.py [--rounds 20] [--saturate 5] [--phones 61]
[--workers N] [--threads N] [--ceiling-rps RPS]``.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `import governance` without relying on the editable install

from ceiling import (  # noqa: E402 — bench/ is on the path
    ServerConfig,
    percentile_ms,
    quiet_collector,
    server_config,
    signed_in,
)
from live_room import (  # noqa: E402
    REQUEST_TIMEOUT_S,
    USER_AGENT,
    BenchError,
    Reply,
    Room,
    ceiling_rps,
    configure_env,
    read_reply,
    serve,
    spread_ms,
    verdict,
)

from governance import create_app  # noqa: E402
from governance.db import utcnow  # noqa: E402
from governance.errors import DomainError  # noqa: E402
from governance.extensions import db  # noqa: E402
from governance.people import services as people  # noqa: E402
from governance.people.models import Group, GroupKind, Person, QuorumKind, Role  # noqa: E402
from governance.sessions import services as meetings  # noqa: E402
from governance.sessions.models import (  # noqa: E402
    AttendanceStatus,
    ItemKind,
    Meeting,
    MeetingStatus,
)
from governance.votes import services as votes  # noqa: E402
from governance.votes.models import DecisionKind, Position, Proposal, Round  # noqa: E402

PHONES = 61  # the members of the citizen committee, every one of them in the room
ROUNDS = 20
TARGET_BURST_MS = 250.0  # every position of a burst stored within this
TARGET_SUBMIT_P95_MS = 100.0
TARGET_RATIO = 0.3  # of the one-row-insert ceiling
WARMUP_S = 1.0  # phones arrive spread over it, so that every worker gets connections
SATURATION_VALUES = ("consent", "concern")  # alternated: each post really changes the row


# --- the meeting --------------------------------------------------------------------------


@dataclass(frozen=True)
class Credentials:
    person_id: int
    cookie: str  # the signed session: the login token and the raw CSRF token
    csrf: str  # the X-CSRFToken header, signed as Flask-WTF's generate_csrf does


@dataclass(frozen=True)
class Committee:
    room: Room
    proposal_ids: list[int]  # one per burst, then one for the saturation
    first_round_id: int
    phones: list[Credentials]


def open_meeting(group: Group, facilitator: Person, members: list[Person], items: int) -> Meeting:
    """The facilitator's evening: one decision item per round, convened, opened, all present."""
    meeting = meetings.create_meeting(
        group, "Comité citoyen", utcnow(), 180, "Maison de quartier", facilitator
    )
    for n in range(1, items + 1):
        meetings.add_item(
            meeting, meeting.agenda_version, ItemKind.DECISION, f"Décision {n}", "", None, 10
        )
    meetings.transition(meeting, MeetingStatus.CONVENED, facilitator)
    meetings.transition(meeting, MeetingStatus.OPEN, facilitator)
    for person in members:
        meetings.mark_attendance(meeting, person, AttendanceStatus.PRESENT, facilitator)
    return meeting


def attach_proposals(meeting: Meeting) -> list[int]:
    return [
        votes.attach_proposal(
            item,
            item.title,
            f"Texte de la proposition {item.position}.",
            None,
            DecisionKind.GENERAL,
        ).id
        for item in meeting.items
    ]


def credentials(app: Flask, members: list[Person]) -> list[Credentials]:
    """What each logged-in phone holds: its session cookie and its CSRF header."""
    return [Credentials(p.id, *signed_in(app, p, USER_AGENT)) for p in members]


def populate(app: Flask, phones: int, items: int, name: str = "Comité citoyen") -> Committee:
    """The committee, its open meeting with the first round open, one login per member."""
    since = date.today() - timedelta(days=30)  # current whatever the time zone
    group = people.save_group(None, name, GroupKind.COMMITTEE, "", QuorumKind.PERCENT, 50)
    facilitator = people.create_person(f"Animatrice — {name}")
    people.add_membership(facilitator, group, Role.FACILITATOR, since)
    members = [people.create_person(f"{name} — membre {n}") for n in range(1, phones + 1)]
    for person in members:
        people.add_membership(person, group, Role.MEMBER, since)
    meeting = open_meeting(group, facilitator, members, items)
    proposal_ids = attach_proposals(meeting)
    first = votes.open_round(db.session.get_one(Proposal, proposal_ids[0]))
    for person in members:
        people.start_login_session(person, USER_AGENT)
    held = credentials(app, members)
    # The page a phone opens when it arrives in the room (then it polls the room's status):
    # the phones' warm-up, and live_room's serve() opens it to know the server is ready.
    path = f"/seances/{meeting.id}/salle"
    room = Room(meeting.id, path, app.config["SESSION_COOKIE_NAME"], [c.cookie for c in held])
    committee = Committee(room, proposal_ids, first.id, held)
    db.session.commit()
    return committee


def build_committee(phones: int, items: int) -> tuple[Flask, Committee]:
    """Migrate the fresh database and fill it; no transaction is left open for the server."""
    app = create_app()
    with app.app_context():
        upgrade()
        committee = populate(app, phones, items)
        db.session.remove()
    return app, committee


def next_round(app: Flask, committee: Committee, previous_id: int, index: int) -> int:
    """What the facilitator does between two bursts: close (adopted), next item, open its round."""
    with app.app_context():
        try:
            votes.close_round(db.session.get_one(Round, previous_id))
            meetings.go_to(db.session.get_one(Meeting, committee.room.meeting_id), 1)
            opened = votes.open_round(db.session.get_one(Proposal, committee.proposal_ids[index]))
            round_id = opened.id
            db.session.commit()
        except DomainError as error:
            raise BenchError(f"the facilitator was refused: {error.message}") from error
        finally:
            db.session.remove()
    return round_id


def stored_positions(app: Flask, round_id: int) -> dict[int, str]:
    """Person id to stored value, read after every answer is in (so, committed)."""
    with app.app_context():
        found = db.session.execute(
            select(Position.person_id, Position.value).where(Position.round_id == round_id)
        ).all()
        db.session.remove()
    return {person_id: value.value for person_id, value in found}


# --- the phones ---------------------------------------------------------------------------


Connection = tuple[asyncio.StreamReader, asyncio.StreamWriter]


@dataclass(frozen=True)
class Ask:
    method: str
    path: str
    body: bytes = b""


@dataclass
class Phone:
    person_id: int
    cookie: str
    csrf: str
    connection: Connection | None = None
    reopened: int = 0  # stale keep-alive connections replaced, as browsers do

    def close(self) -> None:
        if self.connection is not None:
            self.connection[1].close()
            self.connection = None


def position_ask(round_id: int, value: str) -> Ask:
    return Ask("POST", f"/tours/{round_id}/position", urlencode({"value": value}).encode())


def request_bytes(port: int, cookie_name: str, phone: Phone, ask: Ask) -> bytes:
    """What htmx sends: HX-Request, the session cookie and, for a post, the CSRF header."""
    lines = [
        f"{ask.method} {ask.path} HTTP/1.1",
        f"Host: 127.0.0.1:{port}",
        "HX-Request: true",
        f"Cookie: {cookie_name}={phone.cookie}",
        f"User-Agent: {USER_AGENT}",
    ]
    if ask.method == "POST":
        lines += [
            f"X-CSRFToken: {phone.csrf}",
            "Content-Type: application/x-www-form-urlencoded",
            f"Content-Length: {len(ask.body)}",
        ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + ask.body


async def connect(phone: Phone, port: int) -> None:
    if phone.connection is None:
        phone.connection = await asyncio.open_connection("127.0.0.1", port)


async def send(phone: Phone, port: int, cookie_name: str, ask: Ask) -> Reply:
    await connect(phone, port)
    assert phone.connection is not None
    reader, writer = phone.connection
    writer.write(request_bytes(port, cookie_name, phone, ask))
    await writer.drain()
    reply = await read_reply(reader, cookie_name)
    if reply.cookie is not None:  # a browser keeps the session the server sends back
        phone.cookie = reply.cookie
    if not reply.keep_alive:
        phone.close()
    return reply


async def exchange(phone: Phone, port: int, cookie_name: str, ask: Ask) -> Reply | None:
    """One request, or None when it failed. A kept-alive connection the server closed before
    answering is replaced once, as a browser does, instead of counting as an error."""
    for _ in range(2):
        reused = phone.connection is not None
        try:
            return await asyncio.wait_for(send(phone, port, cookie_name, ask), REQUEST_TIMEOUT_S)
        except (ConnectionError, asyncio.IncompleteReadError) as error:
            phone.close()  # never reuse a half-read connection
            partial = isinstance(error, asyncio.IncompleteReadError) and bool(error.partial)
            if not reused or partial:
                return None
            phone.reopened += 1
        except (OSError, TimeoutError, asyncio.LimitOverrunError, ValueError, KeyError):
            phone.close()
            return None
    return None


async def arrive(phone: Phone, port: int, room: Room, at: float) -> int:
    """The phone opens the room page: its connection, and the workers' templates, are warm."""
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    reply = await exchange(phone, port, room.cookie_name, Ask("GET", room.path))
    return reply.status if reply else 0


async def warm_up(phones: list[Phone], port: int, room: Room) -> None:
    """Arrivals spread out: connections opened in one go all land on the first worker awake."""
    now, step = time.monotonic(), WARMUP_S / len(phones)
    statuses = await asyncio.gather(
        *(arrive(phone, port, room, now + n * step) for n, phone in enumerate(phones))
    )
    refused = [status for status in statuses if status != 200]
    if refused:
        raise BenchError(f"{len(refused)} phones could not open the room: statuses {refused[:5]}")


# --- the bursts ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Submission:
    latency_s: float  # from this phone's send to its answer
    answered: float  # time.monotonic()
    status: int  # 0: no answer


@dataclass(frozen=True)
class Burst:
    number: int
    span_s: float  # from the release until the last of the answers is in
    submissions: list[Submission]
    stored: dict[int, str]
    reopened: int

    @property
    def errors(self) -> int:
        return sum(s.status != 200 for s in self.submissions)

    def exact(self, phones: int) -> bool:
        """Exactly one consent per phone in the database: none lost, none doubled."""
        return len(self.stored) == phones and set(self.stored.values()) == {"consent"}


async def submit(
    phone: Phone, port: int, cookie_name: str, ask: Ask, release: asyncio.Event
) -> Submission:
    await release.wait()
    began = time.monotonic()
    reply = await exchange(phone, port, cookie_name, ask)
    answered = time.monotonic()
    return Submission(answered - began, answered, reply.status if reply else 0)


async def fire(
    phones: list[Phone], port: int, room: Room, round_id: int
) -> tuple[float, list[Submission]]:
    """Every phone connected and waiting on the barrier, then released together."""
    # Reconnect only a phone whose connection was dropped, before the clock starts.
    await asyncio.gather(*(connect(phone, port) for phone in phones))
    release = asyncio.Event()
    ask = position_ask(round_id, "consent")
    tasks = [
        asyncio.create_task(submit(phone, port, room.cookie_name, ask, release)) for phone in phones
    ]
    await asyncio.sleep(0)  # one turn of the loop: every task is now waiting on the event
    released = time.monotonic()
    release.set()
    submissions = await asyncio.gather(*tasks)
    return max(s.answered for s in submissions) - released, submissions


async def burst(
    app: Flask, phones: list[Phone], port: int, room: Room, round_id: int, number: int
) -> Burst:
    reopened = sum(phone.reopened for phone in phones)
    span_s, submissions = await fire(phones, port, room, round_id)
    stored = stored_positions(app, round_id)  # every answer is in: each one was committed
    reopened = sum(phone.reopened for phone in phones) - reopened
    return Burst(number, span_s, submissions, stored, reopened)


def print_burst(found: Burst, phones: int) -> None:
    latencies = sorted(s.latency_s for s in found.submissions)
    check = "ok" if found.exact(phones) else "MISMATCH"
    print(
        f"round {found.number:3d}  all {phones} in {found.span_s * 1000:7.1f} ms   "
        f"submit p50 {percentile_ms(latencies, 0.5):6.1f} ms max {latencies[-1] * 1000:6.1f} ms   "
        f"errors {found.errors}   positions {len(found.stored)}: {check}"
        + (f"   ({found.reopened} reconnected)" if found.reopened else "")
    )


# --- the saturation -----------------------------------------------------------------------


@dataclass
class Saturation:
    round_id: int
    positions: int = 0  # 200s sent in the measured window
    errors: int = 0  # the whole phase, warm-up included
    latencies_s: list[float] = field(default_factory=list)
    last_ok: dict[int, str] = field(default_factory=dict)  # person id: last value accepted
    stored: dict[int, str] = field(default_factory=dict)

    def exact(self, phones: int) -> bool:
        """One row per phone, holding the last value the server accepted from it."""
        return len(self.stored) == phones and self.stored == self.last_ok


async def hammer(
    phone: Phone, port: int, room: Room, window: tuple[float, float], found: Saturation
) -> None:
    """Back-to-back changes of position until the end; only those sent in the window count."""
    start, end = window
    turn = 0
    while time.monotonic() < end:
        value = SATURATION_VALUES[turn % len(SATURATION_VALUES)]
        turn += 1
        began = time.monotonic()
        reply = await exchange(phone, port, room.cookie_name, position_ask(found.round_id, value))
        latency = time.monotonic() - began
        if reply is None or reply.status != 200:
            found.errors += 1
            await asyncio.sleep(0.05)  # no hot loop against a server that refuses
            continue
        found.last_ok[phone.person_id] = value
        if began >= start:
            found.positions += 1
            found.latencies_s.append(latency)


async def saturate(
    phones: list[Phone], port: int, room: Room, round_id: int, duration: float
) -> Saturation:
    found = Saturation(round_id)
    now = time.monotonic()
    window = (now + WARMUP_S, now + WARMUP_S + duration)
    await asyncio.gather(*(hammer(phone, port, room, window, found) for phone in phones))
    found.latencies_s.sort()
    return found


# --- the run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    bursts: list[Burst]
    saturation: Saturation


async def evening(app: Flask, committee: Committee, port: int, args: argparse.Namespace) -> Outcome:
    """Warm-up, one burst per round with the facilitator in between, then the saturation."""
    phones = [Phone(c.person_id, c.cookie, c.csrf) for c in committee.phones]
    room = committee.room
    try:
        await warm_up(phones, port, room)
        bursts: list[Burst] = []
        round_id = committee.first_round_id
        for index in range(args.rounds):
            if index:
                # Blocking the loop is harmless here: no phone is sending between bursts.
                round_id = next_round(app, committee, round_id, index)
            bursts.append(await burst(app, phones, port, room, round_id, index + 1))
            print_burst(bursts[-1], len(phones))
        round_id = next_round(app, committee, round_id, args.rounds)
        saturation = await saturate(phones, port, room, round_id, args.saturate)
    finally:
        for phone in phones:
            phone.close()
    saturation.stored = stored_positions(app, round_id)
    return Outcome(bursts, saturation)


def measure(args: argparse.Namespace, config: ServerConfig, tmp: Path) -> Outcome:
    """Set up, serve, burst, saturate; the server's log comes with any failure."""
    configure_env(tmp / "tablee.db")
    app, committee = build_committee(args.phones, args.rounds + 1)
    log = tmp / "gunicorn.log"
    try:
        with serve(config, committee.room, log) as port:
            quiet_collector()
            return asyncio.run(evening(app, committee, port, args))
    except BenchError as error:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        raise BenchError(f"{error}\n{server_log}") from error


@dataclass(frozen=True)
class Figures:
    spans_s: list[float]  # sorted, one per burst
    latencies_s: list[float]  # sorted, every submission of every burst
    errors: int
    exact: int  # bursts with exactly one consent per phone stored

    @property
    def burst_p95_ms(self) -> float:
        return percentile_ms(self.spans_s, 0.95)

    @property
    def submit_p95_ms(self) -> float:
        return percentile_ms(self.latencies_s, 0.95)


def figures(bursts: list[Burst], phones: int) -> Figures:
    return Figures(
        spans_s=sorted(b.span_s for b in bursts),
        latencies_s=sorted(s.latency_s for b in bursts for s in b.submissions),
        errors=sum(b.errors for b in bursts),
        exact=sum(b.exact(phones) for b in bursts),
    )


def print_bursts(config: ServerConfig, args: argparse.Namespace, fig: Figures) -> None:
    rounds = len(fig.spans_s)
    print(
        f"server      gunicorn {config.worker_class}: {config.workers} workers x "
        f"{config.threads} threads, keepalive {config.keepalive} s, on 127.0.0.1"
    )
    print(f"bursts      {rounds} rounds x {args.phones} phones released together")
    print(f"burst time  {spread_ms(fig.spans_s)}")
    met = fig.burst_p95_ms <= TARGET_BURST_MS
    print(f"  target    p95 within {TARGET_BURST_MS:g} ms: {verdict(met)}")
    print(f"submission  {spread_ms(fig.latencies_s)}")
    met = fig.submit_p95_ms < TARGET_SUBMIT_P95_MS
    print(f"  target    p95 < {TARGET_SUBMIT_P95_MS:g} ms: {verdict(met)}")
    print(
        f"positions   exactly {args.phones} stored in {fig.exact} of {rounds} rounds; "
        f"{fig.errors} errors"
    )
    met = fig.errors == 0 and fig.exact == rounds
    print(f"  target    0 errors, {args.phones} positions every time: {verdict(met)}")


def print_throughput(args: argparse.Namespace, found: Saturation, ceiling: float) -> float:
    """The saturation's figures against the ceiling; its positions per second."""
    rps = found.positions / args.saturate
    ratio = rps / ceiling
    check = "ok" if found.exact(args.phones) else "MISMATCH"
    print(
        f"sustained   {rps:.1f} positions/s ({args.phones} phones changing their position "
        f"back-to-back for {args.saturate:g} s, {found.errors} errors)"
    )
    print(f"  latency   {spread_ms(found.latencies_s)}")
    print(f"  stored    {len(found.stored)} positions, each the phone's last accepted: {check}")
    print(f"ceiling     {ceiling:.1f} inserts/s (bench/ceiling.py)   ratio {ratio:.2f}")
    print(f"  target    ratio >= {TARGET_RATIO:g}: {verdict(ratio >= TARGET_RATIO)}")
    return rps


def report(config: ServerConfig, args: argparse.Namespace, outcome: Outcome, ceiling: float) -> int:
    """Print the figures and the summary line; non-zero on errors or a wrong count."""
    fig = figures(outcome.bursts, args.phones)
    print_bursts(config, args, fig)
    saturation = outcome.saturation
    rps = print_throughput(args, saturation, ceiling)
    errors = fig.errors + saturation.errors
    print(
        f"consent_round: burst_p95_ms={fig.burst_p95_ms:.2f} "
        f"submit_p95_ms={fig.submit_p95_ms:.2f} errors={errors} "
        f"rounds_ok={fig.exact}/{len(outcome.bursts)} rps={rps:.1f} ceiling_rps={ceiling:.1f} "
        f"ratio={rps / ceiling:.2f}"
    )
    consistent = fig.exact == len(outcome.bursts) and saturation.exact(args.phones)
    return 0 if errors == 0 and consistent and saturation.positions > 0 else 1


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="bursts, one round each")
    parser.add_argument("--saturate", type=float, default=5.0, help="seconds of saturation")
    parser.add_argument("--phones", type=int, default=PHONES)
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--ceiling-rps", type=float, help="skip bench/ceiling.py, use this")
    args = parser.parse_args()
    if args.rounds < 1 or args.phones < 1 or args.saturate <= 0:
        parser.error("--rounds and --phones must be >= 1, --saturate > 0")
    if (args.workers is not None and args.workers < 1) or (
        args.threads is not None and args.threads < 1
    ):
        parser.error("--workers and --threads must be >= 1")
    return args


def main() -> int:
    args = parse_args()
    config = server_config(args.workers, args.threads)
    with tempfile.TemporaryDirectory(prefix="tablee-consent-round-") as tmp:
        try:
            outcome = measure(args, config, Path(tmp))
            # After our server has stopped, so that the two never share the cores.
            ceiling = args.ceiling_rps or ceiling_rps(args)
        except BenchError as error:
            print(f"consent_round: failed: {error}", file=sys.stderr)
            return 2
    return report(config, args, outcome, ceiling)


if __name__ == "__main__":
    sys.exit(main())
