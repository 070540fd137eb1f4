"""A purchase import killed half-way (SIGKILL, a real process) leaves the books as they were:
the chain verifies, the trial balance balances, nothing of the file is there — and the same
import then runs to the end, once."""

from __future__ import annotations

import contextvars
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

from governance import create_app
from governance.budget import bulk, checks, ledger, purchases
from governance.budget.models import LedgerTransaction
from governance.conventionnement.models import PointOfSale, PosKind, PosStatus
from governance.extensions import db
from tests import factories

FLASK = str(Path(sys.executable).parent / "flask")
HOUSEHOLDS, PER_HOUSEHOLD = 60, 200  # 12 000 lines: the pause comes after the first 5 000


def _in(app: Flask, work):  # type: ignore[no-untyped-def]
    """Run ``work`` in the app's context, outside the test's own app and session."""

    def run():  # type: ignore[no-untyped-def]
        with app.app_context():
            try:
                return work()
            finally:
                db.session.remove()

    return contextvars.Context().run(run)


@pytest.fixture
def books(tmp_path: Path) -> Iterator[tuple[Flask, Path, Path]]:
    path = tmp_path / "books.db"
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "SECRET_KEY": "x"})

    def prepare() -> int:
        from tests.budget.test_ledger import _household, _scale

        upgrade()
        _scale()
        group = factories.group()
        shop = PointOfSale(
            name="Biocoop",
            kind=PosKind.SHOP,
            group=group,
            status=PosStatus.APPROVED,
            approved_since=date(2026, 1, 1),
        )
        db.session.add(shop)
        for n in range(HOUSEHOLDS):
            _household(f"F-{n:03d}")
        bulk.monthly_run(date(2026, 3, 1), confirm=True)  # 150 MonA each
        db.session.commit()
        return shop.id

    shop_id = _in(app, prepare)
    csv = tmp_path / "achats.csv"
    csv.write_text(
        "date,operator_id,household,point_of_sale,amount\n"
        + "".join(
            f"2026-03-{1 + n % 28:02d},op-{h}-{n},F-{h:03d},{shop_id},0.50\n"
            for h in range(HOUSEHOLDS)
            for n in range(PER_HOUSEHOLD)
        )
    )
    yield app, path, csv
    _in(app, lambda: db.engine.dispose())


def _state(app: Flask) -> tuple[int, dict[str, int], bool]:
    def read() -> tuple[int, dict[str, int], bool]:
        count = db.session.scalar(select(func.count()).select_from(LedgerTransaction)) or 0
        sums: dict[str, int] = {}
        for _code, currency, total in purchases.trial_balance():
            sums[currency] = sums.get(currency, 0) + total
        check = checks.verify()
        ok = check.broken is None and not check.unbalanced and not check.wrong_balances
        return count, sums, ok

    return _in(app, read)


def _env(path: Path, **more: str) -> dict[str, str]:
    return {**os.environ, "TABLEE_DATABASE_URL": f"sqlite:///{path}", **more}


def _run(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [FLASK, "--app", "governance", *args],
        env=_env(path),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )


def test_an_import_killed_half_way_leaves_nothing_and_runs_again(books, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app, path, csv = books
    before = _state(app)
    assert before == (HOUSEHOLDS, {"MONA": 0}, True)
    marker, log = tmp_path / "paused", tmp_path / "import.log"
    with log.open("w") as out:
        process = subprocess.Popen(
            [FLASK, "--app", "governance", "import-purchases", str(csv)],
            env=_env(path, TABLEE_IMPORT_PAUSE=str(marker)),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while not marker.exists():  # the first 5 000 purchases are written, not committed
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert Path(f"{path}-wal").stat().st_size > 0
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL

    assert _state(app) == before  # nothing half-applied, everything verifies
    verify = _run(path, "verify")
    assert verify.returncode == 0, verify.stdout + verify.stderr

    again = _run(path, "import-purchases", str(csv))
    assert again.returncode == 0, again.stdout + again.stderr
    assert f"{HOUSEHOLDS * PER_HOUSEHOLD} purchases recorded" in again.stdout
    count, sums, ok = _state(app)
    assert (count, sums, ok) == (HOUSEHOLDS + HOUSEHOLDS * PER_HOUSEHOLD, {"MONA": 0}, True)
    assert "0 purchases recorded" in _run(path, "import-purchases", str(csv)).stdout
    assert _state(app)[0] == count

    def wallet_left() -> int:
        from governance.budget.models import Household

        household = db.session.scalar(select(Household).where(Household.reference == "F-007"))
        return ledger.wallet(household).balance_cents

    assert _in(app, wallet_left) == 150_00 - PER_HOUSEHOLD * 50
