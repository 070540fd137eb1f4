"""Write path: two meetings voting at once, each against itself voting alone.

Two committees of 61 members hold their meetings at the same evening on one server (two local
committees of the caisse). Each round, every member of a committee gives their position from
their phone at the same instant (``POST /tours/<round>/position``, by htmx, as in
``bench/consent_round.py``). The rounds alternate: meeting A's burst alone, meeting B's burst
alone, then both bursts released together. The figure is, for each meeting, its burst time
when the two vote together against its burst time alone, measured in the same run on the same
server: the baseline is the meeting alone.

On PostgreSQL a position waits only for the positions of its own meeting (``db.begin_writing``
with a scope), so the two meetings should not queue behind each other: target, each meeting's
median burst together within 1.3x of alone, with every position stored exactly once. The
target is for PostgreSQL (``make bench`` runs it there too). On SQLite every write of the file
takes turns by design (one writer); the ratio is printed for comparison.

Run: ``.venv/bin/python bench/write_path.py [--rounds 8] [--phones 61]`` (on PostgreSQL:
``scripts/with-postgres --durable .venv/bin/python bench/write_path.py``).
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask
from flask_migrate import upgrade

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `import governance` without relying on the editable install

from ceiling import PG_ADMIN_URL, quiet_collector, server_config  # noqa: E402 — bench/ is on the path
from consent_round import (  # noqa: E402
    Committee,
    Phone,
    Submission,
    connect,
    next_round,
    populate,
    position_ask,
    stored_positions,
    submit,
    warm_up,
)
from live_room import (  # noqa: E402
    BenchError,
    configure_env,
    serve,
    verdict,
)

from governance import create_app  # noqa: E402
from governance.extensions import db  # noqa: E402

PHONES = 61
ROUNDS = 8  # measured triples: A alone, B alone, A and B together
TARGET_RATIO = 1.3  # together / alone, each meeting's median burst (PostgreSQL)


def build(phones: int, items: int) -> tuple[Flask, list[Committee]]:
    app = create_app()
    with app.app_context():
        upgrade()
        both = [populate(app, phones, items, name) for name in ("CALIM 8", "Saint-Fons")]
        db.session.commit()
        db.session.remove()
    return app, both


@dataclass
class Evening:
    committee: Committee
    phones: list[Phone]
    round_id: int
    rounds_used: int = 0
    alone_s: list[float] = field(default_factory=list)
    together_s: list[float] = field(default_factory=list)
    exact: int = 0  # bursts with exactly one consent per phone stored
    bursts: int = 0
    errors: int = 0


async def fire(app: Flask, evenings: list[Evening], port: int) -> None:
    """The given meetings' phones all released at one instant; each meeting's burst time is
    from that instant to its own last answer."""
    for evening in evenings:
        if evening.rounds_used:
            evening.round_id = next_round(
                app, evening.committee, evening.round_id, evening.rounds_used
            )
        evening.rounds_used += 1
    phones = [phone for evening in evenings for phone in evening.phones]
    await asyncio.gather(*(connect(phone, port) for phone in phones))
    release = asyncio.Event()
    tasks = [
        [
            asyncio.create_task(
                submit(
                    phone,
                    port,
                    evening.committee.room.cookie_name,
                    position_ask(evening.round_id, "consent"),
                    release,
                )
            )
            for phone in evening.phones
        ]
        for evening in evenings
    ]
    await asyncio.sleep(0)
    released = time.monotonic()
    release.set()
    results: list[list[Submission]] = [list(await asyncio.gather(*group)) for group in tasks]
    together = len(evenings) > 1
    for evening, submissions in zip(evenings, results, strict=True):
        span = max(s.answered for s in submissions) - released
        (evening.together_s if together else evening.alone_s).append(span)
        stored = stored_positions(app, evening.round_id)
        evening.bursts += 1
        evening.errors += sum(s.status != 200 for s in submissions)
        evening.exact += len(stored) == len(evening.phones) and set(stored.values()) == {"consent"}


async def night(app: Flask, committees: list[Committee], port: int, rounds: int) -> list[Evening]:
    evenings = [
        Evening(c, [Phone(p.person_id, p.cookie, p.csrf) for p in c.phones], c.first_round_id)
        for c in committees
    ]
    try:
        for evening in evenings:
            await warm_up(evening.phones, port, evening.committee.room)
        a, b = evenings
        for number in range(1, rounds + 1):
            await fire(app, [a], port)
            await fire(app, [b], port)
            await fire(app, [a, b], port)
            print(
                f"round {number:2d}  A alone {a.alone_s[-1] * 1000:7.1f} ms   "
                f"B alone {b.alone_s[-1] * 1000:7.1f} ms   together: "
                f"A {a.together_s[-1] * 1000:7.1f} ms  B {b.together_s[-1] * 1000:7.1f} ms",
                flush=True,
            )
    finally:
        for evening in evenings:
            for phone in evening.phones:
                phone.close()
    return evenings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--phones", type=int, default=PHONES)
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py")
    args = parser.parse_args()
    if args.rounds < 1 or args.phones < 1:
        parser.error("--rounds and --phones must be >= 1")
    config = server_config(args.workers, args.threads)
    with tempfile.TemporaryDirectory(prefix="tablee-write-path-") as folder:
        tmp = Path(folder)
        configure_env(tmp / "tablee.db")
        app, committees = build(args.phones, 3 * args.rounds + 1)
        log = tmp / "gunicorn.log"
        try:
            with serve(config, committees[0].room, log) as port:
                quiet_collector()
                evenings = asyncio.run(night(app, committees, port, args.rounds))
        except BenchError as error:
            server_log = log.read_text(errors="replace") if log.exists() else ""
            print(f"write_path: failed: {error}\n{server_log}", file=sys.stderr)
            return 2
    print(
        f"server      gunicorn {config.worker_class}: {config.workers} workers x "
        f"{config.threads} threads; {args.phones} phones per meeting"
    )
    ratios = []
    for name, evening in zip("AB", evenings, strict=True):
        alone = statistics.median(evening.alone_s)
        together = statistics.median(evening.together_s)
        ratios.append(together / alone)
        print(
            f"meeting {name}   median burst alone {alone * 1000:.1f} ms, together "
            f"{together * 1000:.1f} ms: ratio {together / alone:.2f}"
        )
    errors = sum(e.errors for e in evenings)
    exact = sum(e.exact for e in evenings)
    bursts = sum(e.bursts for e in evenings)
    worst = max(ratios)
    on_postgres = bool(PG_ADMIN_URL)
    print(f"positions   exactly one per phone in {exact} of {bursts} bursts; {errors} errors")
    if on_postgres:
        print(f"  target    each ratio <= {TARGET_RATIO:g}: {verdict(worst <= TARGET_RATIO)}")
    else:
        print("  target    PostgreSQL only (on SQLite the writers of one file take turns)")
    print(f"write_path: ratio={worst:.2f} errors={errors} bursts_ok={exact}/{bursts}")
    return 0 if errors == 0 and exact == bursts else 1


if __name__ == "__main__":
    sys.exit(main())
