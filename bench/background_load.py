"""Write path under long work: members log in and answer while an import and a monthly run run.

The treasurer starts, through the queue's worker (``flask worker``), the import of a 100 000-line
purchase file and the monthly run of 10 000 households. While both jobs run, the 62 members of
the committee (31 binômes, each with a visit to fill) log in through the real form (production
password hashing) and each saves three answers of their visit's questionnaire, as their phone
sends them (``POST /conventionnement/visites/<id>/reponse``, JSON). The baseline, in the same run
on the same server: the same members doing the same thing on the idle server just before. The
figure is each step's p95 under the load against its p95 idle: target within 2x.

The database is a throw-away SQLite file, or PostgreSQL under ``scripts/with-postgres``.
Run: ``.venv/bin/python bench/background_load.py [--phones 62] [--lines 100000]``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import Flask
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Production hashing: whatever a shell or the tests exported must not make logins cheaper.
for _name in [n for n in os.environ if n.startswith("TABLEE_PASSWORD_HASH_")]:
    del os.environ[_name]

import ledger as books  # noqa: E402 — bench/ledger.py: the scale, 10 000 households, accounts
from ceiling import BenchError, percentile_ms, quiet_collector, server_config, status_of  # noqa: E402
from ceiling import gunicorn as serve_gunicorn  # noqa: E402
from live_room import configure_env, verdict  # noqa: E402
from meeting_start import Phone, connect, request, token  # noqa: E402

from governance import create_app  # noqa: E402
from governance.budget import bulk  # noqa: E402
from governance.conventionnement import services as visits  # noqa: E402
from governance.conventionnement.models import PointOfSale, PosKind, PosStatus  # noqa: E402
from governance.extensions import db  # noqa: E402
from governance.jobs import services as jobs  # noqa: E402
from governance.jobs.models import Job  # noqa: E402
from governance.jobs.queue import queue  # noqa: E402
from governance.people import services as people  # noqa: E402
from governance.people.models import Group, Role  # noqa: E402

PHONES = 62  # 31 binômes
LINES = 100_000
PASSWORD = "le-comite-visite-2026"  # noqa: S105 — a bench account's password
TARGET_RATIO = 2.0
IDLE_S = 10.0  # the baseline: as long as a person answers a few questions
ANSWERS = (("chain", "no"), ("staff", "good"), ("welcome_notes", "Accueil chaleureux."))


@dataclass(frozen=True)
class Member:
    email: str
    visit_id: int


def populate(app: Flask, phones: int) -> tuple[list[Member], int]:
    """The books of bench/ledger.py (10 000 households, 20 places), last month credited, and
    the committee's binômes each with a visit; returns the members and the treasurer's id."""
    books.setup(app)
    month = date.today().replace(day=1)
    last = books.add_month(month, -1)
    bulk.monthly_run(last, confirm=True)  # the wallets hold last month's allocation
    visits.ensure_defaults()
    group = db.session.scalar(select(Group).where(Group.code == "CCA"))
    since = date(2025, 1, 1)
    facilitator = people.create_person("Animatrice", email="animation@bench.example")
    people.add_membership(facilitator, group, Role.FACILITATOR, since)
    treasurer = people.create_person("Trésorière", email="tresorerie@bench.example")
    people.add_membership(treasurer, group, Role.TREASURER, since)
    hashed = people.hash_secret(PASSWORD)
    persons = []
    for n in range(1, phones + 1):
        person = people.create_person(f"Membre {n}", email=f"membre{n}@bench.example")
        person.secret_hash, person.secret_kind = hashed, people.SecretKind.PASSWORD
        people.add_membership(person, group, Role.MEMBER, since)
        persons.append(person)
    members = []
    for n in range(0, phones - 1, 2):
        pair = persons[n : n + 2]
        place = visits.propose(group, facilitator, f"Épicerie proposée {n // 2}", PosKind.SHOP)
        visit = visits.assign_visit(place, pair, date.today(), facilitator)
        members += [Member(p.email or "", visit.id) for p in pair]
    db.session.commit()
    return members, treasurer.id


def purchase_file(lines: int) -> str:
    points = db.session.scalars(
        select(PointOfSale.id)
        .where(PointOfSale.status == PosStatus.APPROVED)
        .order_by(PointOfSale.id)
    ).all()
    today = date.today()
    return "date,operator_id,household,point_of_sale,amount\n" + "".join(
        f"{today.replace(day=1 + n % min(28, today.day))},bench-{n},"
        f"F-{1 + n % books.HOUSEHOLDS:05d},{points[n % len(points)]},0.50\n"
        for n in range(lines)
    )


THINK_S = 1.0  # a person answering one question after another


async def member(
    phone: Phone, port: int, who: Member, release: asyncio.Event, until: asyncio.Event
) -> dict[str, float]:
    """Login page, login, the visit's first screen, then an answer every second or so, as the
    phone sends them, until ``until``: the seconds of the login and of each answer."""
    await release.wait()
    times: dict[str, float] = {}
    began = time.monotonic()
    page = await request(phone, port, "GET", "/connexion")
    form = {"csrf_token": token(page, "login page"), "identifier": who.email, "secret": PASSWORD}
    posted = await request(phone, port, "POST", "/connexion", {**form, "next": ""})
    if posted.status != 302:
        raise BenchError(f"login of {who.email}: status {posted.status}")
    times["login"] = time.monotonic() - began
    screen = await request(phone, port, "GET", f"/conventionnement/visites/{who.visit_id}/1")
    csrf = token(screen, "visit screen")
    n = 0
    while n < len(ANSWERS) or not until.is_set():
        question, value = ANSWERS[n % len(ANSWERS)]
        began = time.monotonic()
        answer = await request(
            phone,
            port,
            "POST",
            f"/conventionnement/visites/{who.visit_id}/reponse",
            {"csrf_token": csrf, "question": question, "value": value, "key": secrets.token_hex(8)},
        )
        if answer.status != 200 or "error" in json.loads(answer.body or "{}"):
            raise BenchError(f"answer of {who.email}: {answer.status} {answer.body[:200]}")
        times[f"answer {n}"] = time.monotonic() - began
        n += 1
        await asyncio.sleep(THINK_S * (0.5 + secrets.randbelow(100) / 100))
    return times


async def everyone(
    members: list[Member], port: int, cookie_name: str, done: Callable[[], bool]
) -> list[dict[str, float]]:
    """Every member released at once; they keep answering until ``done()`` (asked twice a
    second, away from the event loop)."""
    phones = [Phone(m.email, cookie_name) for m in members]
    await asyncio.gather(*(connect(p, port) for p in phones))
    release, until = asyncio.Event(), asyncio.Event()
    tasks = [
        asyncio.create_task(member(p, port, m, release, until))
        for p, m in zip(phones, members, strict=True)
    ]
    await asyncio.sleep(0)
    release.set()
    loop = asyncio.get_running_loop()
    while not await loop.run_in_executor(None, done):
        await asyncio.sleep(0.5)
    until.set()
    try:
        return list(await asyncio.gather(*tasks))
    finally:
        for phone in phones:
            phone.close()


def figures(runs: list[dict[str, float]]) -> tuple[float, float]:
    """p95 of the logins, p95 of the answers, in ms."""
    logins = sorted(r["login"] for r in runs)
    answers = sorted(v for r in runs for k, v in r.items() if k.startswith("answer"))
    return percentile_ms(logins, 0.95), percentile_ms(answers, 0.95)


def start_jobs(app: Flask, treasurer_id: int, text: str) -> list[int]:
    with app.app_context():
        from governance.people.models import Person

        by = db.session.get_one(Person, treasurer_id)
        month = date.today().replace(day=1)
        started = [
            jobs.start("purchase_import", "bench:purchases", by, {"locale": "fr"}, text),
            jobs.start(
                "monthly_run",
                f"monthly:{month:%Y-%m}",
                by,
                {"month": month.isoformat(), "locale": "fr"},
            ),
        ]
        ids = [job.id for job in started]
        db.session.commit()
        for job_id in ids:
            queue().send(job_id)
        db.session.remove()
    return ids


def job_states(app: Flask, ids: list[int]) -> list[tuple[str, str, dict]]:
    # Read as a page reads (a GET): never waiting for the write lock the jobs hold.
    with app.test_request_context():
        found = [
            (job.kind, job.status.value, job.result or {})
            for job in db.session.scalars(select(Job).where(Job.id.in_(ids)).order_by(Job.id))
        ]
        db.session.remove()
    return found


def wait_for(
    app: Flask, ids: list[int], states: set[str], timeout_s: float
) -> list[tuple[str, str, dict]]:
    deadline = time.monotonic() + timeout_s
    while True:
        found = job_states(app, ids)
        if all(state in states for _, state, _ in found) or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phones", type=int, default=PHONES)
    parser.add_argument("--lines", type=int, default=LINES)
    args = parser.parse_args()
    config = server_config(None, None)
    with tempfile.TemporaryDirectory(prefix="tablee-background-") as folder:
        tmp = Path(folder)
        configure_env(tmp / "tablee.db")
        os.environ["TABLEE_QUEUE_URL"] = f"sqlite:///{tmp / 'queue.db'}"
        app = create_app()
        with app.app_context():
            from flask_migrate import upgrade

            upgrade()
            members, treasurer_id = populate(app, args.phones)
            text = purchase_file(args.lines)
            db.session.remove()
        cookie_name = app.config["SESSION_COOKIE_NAME"]
        log = tmp / "gunicorn.log"
        worker_log = (tmp / "worker.log").open("wb")
        probe = lambda port: status_of(port, "/connexion")  # noqa: E731
        worker = None
        try:
            with serve_gunicorn(config, log, probe, ready_s=120.0) as (port, _process):
                quiet_collector()
                asyncio.run(everyone(members, port, cookie_name, lambda: True))  # warm up
                idle_end = time.monotonic() + IDLE_S
                idle = figures(
                    asyncio.run(
                        everyone(members, port, cookie_name, lambda: time.monotonic() > idle_end)
                    )
                )
                worker = subprocess.Popen(
                    [sys.executable, "-m", "flask", "--app", "governance", "worker"],
                    cwd=ROOT,
                    stdout=worker_log,
                    stderr=subprocess.STDOUT,
                )
                ids = start_jobs(app, treasurer_id, text)
                running = wait_for(app, ids, {"running", "done", "refused", "failed"}, 60)
                began = time.monotonic()
                finished = lambda: all(  # noqa: E731
                    state != "running" for _, state, _ in job_states(app, ids)
                )
                loaded_runs = asyncio.run(everyone(members, port, cookie_name, finished))
                spent = time.monotonic() - began
                during = job_states(app, ids)
                loaded = figures(loaded_runs)
                done = wait_for(app, ids, {"done", "refused", "failed"}, 600)
        except BenchError as error:
            print(
                f"background_load: failed: {error}\n{log.read_text(errors='replace')[-3000:]}",
                file=sys.stderr,
            )
            return 2
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
            worker_log.close()
    print(
        f"load        {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; {args.phones} members, "
        f"gunicorn {config.workers} workers x {config.threads} threads"
    )
    print(f"jobs        at the members' release: {[(k, s) for k, s, _ in running]}")
    print(
        f"            members answering for {spent:.1f} s, until: {[(k, s) for k, s, _ in during]}"
    )
    outcome = [(k, s, {x: r[x] for x in ("created", "households") if x in r}) for k, s, r in done]
    print(f"            in the end: {outcome}")
    for kind, state, result in done:
        if state != "done":
            print(f"            {kind}: {str(result.get('reasons', result))[:300]}")
    ratios = []
    for name, base, under in zip(("login", "answer"), idle, loaded, strict=True):
        ratios.append(under / base)
        print(
            f"{name:<11} p95 idle {base:8.1f} ms   under the jobs {under:8.1f} ms   "
            f"ratio {under / base:.2f}"
        )
    worst = max(ratios)
    overlapped = all(s == "running" for _, s, _ in running)
    print(
        f"  target    ratio <= {TARGET_RATIO:g}: {verdict(worst <= TARGET_RATIO)}"
        + ("" if overlapped else "   (a job was not running yet when the members came)")
    )
    ok = all(s == "done" for _, s, _ in done)
    print(f"background_load: ratio={worst:.2f} jobs_done={ok} overlapped={overlapped}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
