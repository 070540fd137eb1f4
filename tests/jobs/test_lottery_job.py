"""A draw of Montpellier's size — 1 000 candidates, 350 places, four features with quotas —
computed by a real worker within a small time budget: its progress is visible while it runs,
the page-to-be says which method was used, and the draw re-runs from its seed."""

from __future__ import annotations

import random
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade

from governance.extensions import db
from governance.jobs import services as jobs
from governance.jobs.models import Job, JobStatus
from governance.jobs.queue import queue
from governance.lottery import record, services
from governance.lottery.models import Lottery, Method, Purpose
from tests import databases, factories
from tests.jobs import in_app, site

FLASK = str(Path(sys.executable).parent / "flask")
FEATURES = ["age_band", "income_bracket", "household_kind", "neighbourhood"]
CHOICES = {
    "age_band": ["18-34", "35-59", "60+"],
    "household_kind": ["seule", "couple", "famille", "monoparentale"],
    "neighbourhood": ["Nord", "Sud", "Centre", "Gare"],
}


def _pool_csv(size: int) -> str:
    rng = random.Random(2026)
    header = "name,adults,income_bracket,age_band,household_kind,neighbourhood\n"
    return header + "".join(
        f"Foyer {n},1,{rng.randrange(5)},"
        + ",".join(rng.choice(CHOICES[f]) for f in ("age_band", "household_kind", "neighbourhood"))
        + "\n"
        for n in range(1, size + 1)
    )


def _prepare(places: int) -> int:
    admin = factories.person()
    lottery = services.open_lottery(
        "Entrée", Purpose.HOUSEHOLDS, None, places, Method.MAXIMIN, admin
    )
    count, report = services.import_pool(lottery, _pool_csv(1000))
    assert count == 1000 and not report
    quotas = {
        feature: {
            value: (max(0, places * n // 1000 - 2), min(n, places * n // 1000 + 3))
            for value, n in rows
        }
        for feature, rows in services.categories(lottery).items()
    }
    services.save_quotas(lottery, FEATURES, quotas)
    job = jobs.start("lottery_check", f"lottery:{lottery.id}:x", admin, {"lottery": lottery.id})
    db.session.commit()
    queue().send(job.id)
    return job.id


# The solver's work, not the database's: once, in the SQLite pass (the suite's time budget).
@pytest.mark.skipif(databases.ON_POSTGRES, reason="the solver's work: once, on SQLite")
def test_a_draw_of_a_thousand_for_350_places_through_the_queue(
    tmp_path: Path, database_url: str
) -> None:
    app, env = site(tmp_path, database_url, LOTTERY_BUDGET_SECONDS="4")
    in_app(app, upgrade, write=True)
    job_id = in_app(app, lambda: _prepare(350), write=True)
    worker = subprocess.Popen([FLASK, "--app", "governance", "worker", "--workers", "1"], env=env)
    seen: set[tuple[str, int]] = set()
    try:
        deadline = time.monotonic() + 90
        while True:
            job = in_app(app, lambda: db.session.get(Job, job_id))
            if job.phase:
                seen.add((job.phase, job.done))
            if job.status.finished:
                break
            assert worker.poll() is None and time.monotonic() < deadline
            time.sleep(0.1)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
    assert job.status is JobStatus.DONE, job.result
    assert any(phase == "initial" and done > 0 for phase, done in seen), seen  # progress shown
    assert job.result["exact"] is False and job.result["method"] == "maximin"
    assert 0 < job.result["smallest"] <= 0.35 <= job.result["largest"]

    def draw() -> list[str]:
        lottery = db.session.scalar(db.select(Lottery))
        assert lottery.computation["exact"] is False and lottery.computation["panels"] > 1
        assert sum(lottery.chances.values()) == pytest.approx(350)
        services.commit(lottery)
        services.run_draw(lottery)
        db.session.commit()
        assert len(lottery.panel) == 350
        return record.verify(record.public_record(lottery))  # re-run from the seed

    try:
        assert in_app(app, draw, write=True) == []
    finally:
        in_app(app, lambda: db.engine.dispose())
