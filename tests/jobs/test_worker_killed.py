"""A real worker killed (SIGKILL) in the middle of a purchase import and of a monthly run,
inside their one write transaction (SQLite or PostgreSQL): the books are as they were (the
chain verifies, the trial balance balances, nothing of the work is there), and a new worker
finds the interrupted job, runs it again and records everything, once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import func, select

from governance.budget import bulk, checks, purchases
from governance.budget.models import LedgerTransaction
from governance.conventionnement.models import PointOfSale, PosKind, PosStatus
from governance.extensions import db
from governance.jobs import services as jobs
from governance.jobs.models import Job, JobStatus
from governance.jobs.queue import queue
from tests import factories
from tests.jobs import in_app, site

HOUSEHOLDS, PER_HOUSEHOLD, BATCH = 40, 10, 25  # the monthly run in 2 batches, the import in 16
FLASK = str(Path(sys.executable).parent / "flask")
PAUSED = str(Path(__file__).with_name("paused_worker.py"))


@pytest.fixture
def books(tmp_path: Path, database_url: str) -> Iterator[tuple[Flask, dict[str, str], int]]:
    app, env = site(tmp_path, database_url, LEDGER_BATCH=str(BATCH), JOB_STALE_SECONDS="0")
    # JOB_STALE_SECONDS 0: the killed worker's job is sent again by the next worker at once.

    def prepare() -> int:
        from tests.budget.test_ledger import _household, _scale

        upgrade()
        _scale()
        shop = PointOfSale(
            name="Biocoop",
            kind=PosKind.SHOP,
            group=factories.group(),
            status=PosStatus.APPROVED,
            approved_since=date(2026, 1, 1),
        )
        db.session.add(shop)
        for n in range(HOUSEHOLDS):
            _household(f"F-{n:03d}")
        db.session.commit()
        return shop.id

    shop_id = in_app(app, prepare, write=True)
    yield app, env, shop_id
    in_app(app, lambda: db.engine.dispose())


def _state(app: Flask) -> tuple[int, bool]:
    def read() -> tuple[int, bool]:
        count = db.session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0
        sums: dict[str, int] = {}
        for _code, currency, total in purchases.trial_balance():
            sums[currency] = sums.get(currency, 0) + total
        check = checks.verify()
        ok = not check.broken and not check.unbalanced and not check.wrong_balances
        return count, ok and all(total == 0 for total in sums.values())

    return in_app(app, read)


def _send(app: Flask, kind: str, key: str, payload: dict[str, str], data: str | None = None) -> int:
    def start() -> int:
        job = jobs.start(kind, key, None, payload, data)
        db.session.commit()
        queue().send(job.id)
        return job.id

    return in_app(app, start, write=True)


def _job(app: Flask, job_id: int) -> Job:
    return in_app(app, lambda: db.session.get(Job, job_id))


def _wait(app: Flask, job_id: int, worker: subprocess.Popen[bytes], finished: bool) -> Job:
    deadline = time.monotonic() + 60
    while True:
        job = _job(app, job_id)
        if job.status.finished == finished and (finished or job.phase):
            return job
        assert worker.poll() is None and time.monotonic() < deadline
        time.sleep(0.05)


def _kill_then_finish(app: Flask, env: dict[str, str], job_id: int, tmp: Path) -> Job:
    before = _state(app)
    marker = tmp / "paused"
    paused = subprocess.Popen([sys.executable, PAUSED, str(marker)], env=env)
    try:
        deadline = time.monotonic() + 60
        while not marker.exists():  # the first batch is written, not committed
            assert paused.poll() is None and time.monotonic() < deadline
            time.sleep(0.05)
        assert _job(app, job_id).status is JobStatus.RUNNING
        paused.send_signal(signal.SIGKILL)
        paused.wait(timeout=30)
    finally:
        paused.kill()
        paused.wait(timeout=30)
    assert paused.returncode == -signal.SIGKILL
    assert _state(app) == before  # nothing half-written, everything verifies
    assert _job(app, job_id).status is JobStatus.RUNNING  # interrupted: its worker is gone

    worker = subprocess.Popen([FLASK, "--app", "governance", "worker", "--workers", "1"], env=env)
    try:
        job = _wait(app, job_id, worker, finished=True)
        # The worker yields the processor to the web server (nice 10 above the test's own).
        assert (
            os.getpriority(os.PRIO_PROCESS, worker.pid) == os.getpriority(os.PRIO_PROCESS, 0) + 10
        )
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert job.status is JobStatus.DONE and job.attempts == 2
    return job


def test_a_monthly_run_killed_half_way_then_run_again(books, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, env, _shop = books
    job_id = _send(app, "monthly_run", "monthly:2026-03", {"month": "2026-03-01"})
    job = _kill_then_finish(app, env, job_id, tmp_path)
    assert job.result["households"] == HOUSEHOLDS
    assert _state(app) == (HOUSEHOLDS, True)
    assert (
        in_app(app, lambda: bulk.monthly_run(date(2026, 3, 1), confirm=False))
        and _state(app)[0] == HOUSEHOLDS
    )


def test_an_import_killed_half_way_then_run_again(books, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    app, env, shop_id = books

    def credit() -> None:
        bulk.monthly_run(date(2026, 3, 1), confirm=True)  # 150 MonA each
        db.session.commit()

    in_app(app, credit, write=True)
    csv = "date,operator_id,household,point_of_sale,amount\n" + "".join(
        f"2026-03-{1 + n % 28:02d},op-{h}-{n},F-{h:03d},{shop_id},0.50\n"
        for h in range(HOUSEHOLDS)
        for n in range(PER_HOUSEHOLD)
    )
    job_id = _send(app, "purchase_import", "purchases:1", {}, csv)
    job = _kill_then_finish(app, env, job_id, tmp_path)
    lines = HOUSEHOLDS * PER_HOUSEHOLD
    assert job.result == {"lines": lines, "created": lines, "already": 0, "cents": lines * 50}
    assert _state(app) == (HOUSEHOLDS + lines, True)
    assert job.data is None  # the file's text is not kept once the work is done
