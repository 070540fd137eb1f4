"""Backups on the admin's schedule: the form (bad input comes back), a copy made now through the
queue with its page, the last success on the admin's page, and the worker's minute that starts
today's copy once its hour has come, once."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from governance.extensions import db
from governance.jobs import backups
from governance.jobs.models import Job, JobStatus
from governance.people.models import Role
from tests import factories


@pytest.fixture
def admin(client, app, tmp_path: Path):  # type: ignore[no-untyped-def]
    saved = app.config["BACKUP_DIR"]
    app.config["BACKUP_DIR"] = str(tmp_path)
    factories.login(client, factories.with_role(Role.ADMIN))
    yield client
    app.config["BACKUP_DIR"] = saved


def test_the_admin_sets_the_schedule_and_backs_up_now(admin, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    page = admin.get("/travaux/sauvegardes").get_data(as_text=True)
    assert "Aucune sauvegarde n’a encore réussi" in page
    bad = admin.post_form("/travaux/sauvegardes", {"enabled": "y", "hour": "25", "keep": "7"})
    assert bad.status_code == 422 and 'value="25"' in bad.get_data(as_text=True)
    assert backups.schedule().id is None  # nothing written
    ok = admin.post_form("/travaux/sauvegardes", {"enabled": "y", "hour": "4", "keep": "7"})
    assert ok.status_code == 302
    assert (backups.schedule().enabled, backups.schedule().hour, backups.schedule().keep) == (
        True,
        4,
        7,
    )
    now = admin.post_form("/travaux/sauvegardes", {"now": "yes"})
    assert now.status_code == 302
    done = admin.get(now.location).get_data(as_text=True)
    assert "Terminé" in done and "tablee-" in done
    assert len(list(tmp_path.glob("tablee-*"))) == 1
    page = admin.get("/travaux/sauvegardes").get_data(as_text=True)
    assert "Dernière sauvegarde réussie" in page


def test_the_worker_starts_todays_copy_once_its_hour_has_come() -> None:
    backups.save(True, 4, 14)
    early = datetime(2026, 12, 2, 2, 30, tzinfo=UTC)  # 03:30 in Paris
    late = datetime(2026, 12, 2, 3, 30, tzinfo=UTC)  # 04:30 in Paris
    assert backups.due(early) is None
    assert backups.due(late) == "backup:2026-12-02"
    db.session.add(Job(kind="backup", key="backup:2026-12-02", status=JobStatus.DONE))
    db.session.flush()
    assert backups.due(late) is None  # once a day
    backups.save(False, 4, 14)
    assert backups.due(datetime(2026, 12, 3, 5, 0, tzinfo=UTC)) is None  # switched off
