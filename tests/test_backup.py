"""flask backup / restore on the suite's database (SQLite, or PostgreSQL with pg_dump's custom
format): copies that restore whole, rotation that keeps the newest, refusals that change nothing."""

from __future__ import annotations

import contextvars
import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask_migrate import upgrade

from governance import create_app
from governance.budget import checks, ledger
from governance.extensions import db
from tests import databases


class Live:
    """An app of its own on an empty database, driven as from a shell (outside the test's
    app context), the way cron and an administrator run the commands."""

    def __init__(self, url: str) -> None:
        self.app: Flask = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
        self.runner = self.app.test_cli_runner()
        self.suffix = ".dump" if url.startswith("postgresql") else ".db"
        self.within(upgrade)

    def within(self, work: Any, *args: Any) -> Any:
        def run() -> Any:
            with self.app.app_context():
                return work(*args)

        return contextvars.Context().run(run)

    def run(self, *args: str) -> Any:
        return contextvars.Context().run(self.runner.invoke, args=list(args))

    def grant(self, key: str) -> None:
        def work() -> None:
            ledger.record_grant("Métropole", 1000, date(2026, 3, 1), key)
            db.session.commit()

        self.within(work)

    def books(self) -> tuple[int, str]:
        check = self.within(checks.verify)
        return check.transactions, check.head

    def close(self) -> None:
        self.within(databases.close_pool, db)


@pytest.fixture
def live(database_url: str) -> Any:
    found = Live(database_url)
    yield found
    found.close()


def test_a_backup_restores_whole_and_the_books_verify(live: Live, tmp_path: Path) -> None:
    live.grant("before")
    before = live.books()
    made = live.run("backup", "--to", str(tmp_path / "copies"))
    assert made.exit_code == 0 and "Backup written" in made.output, made.output
    (copy,) = (tmp_path / "copies").glob(f"tablee-*{live.suffix}")
    live.grant("after")  # a change the backup does not hold
    assert live.books()[0] == 2
    restored = live.run("restore", str(copy))
    assert restored.exit_code == 0 and "Restored" in restored.output, restored.output
    assert live.books() == before  # the second grant is gone, the chain's head is the first's
    check = live.run("verify")
    assert check.exit_code == 0 and "Ledger: OK, 1 transactions" in check.output, check.output
    live.grant("after")  # the restored database takes writes again, the chain goes on
    assert live.books()[0] == 2


def test_rotation_keeps_the_newest_copies_and_nothing_else_is_touched(
    live: Live, tmp_path: Path
) -> None:
    folder = tmp_path / "copies"
    folder.mkdir()
    (folder / "notes.txt").write_text("à garder")
    made = []
    for n in range(5):
        live.grant(f"grant-{n}")
        result = live.run("backup", "--to", str(folder), "--keep", "3", "--quiet")
        assert result.exit_code == 0 and result.output == "", result.output
        made.append(max(folder.glob(f"tablee-*{live.suffix}")))
    kept = sorted(folder.glob(f"tablee-*{live.suffix}"))
    assert kept == made[-3:]
    assert (folder / "notes.txt").read_text() == "à garder"
    assert not list(folder.glob("*.partial"))
    # The oldest copy kept holds three grants: it is the third backup, restorable.
    restored = live.run("restore", str(kept[0]))
    assert restored.exit_code == 0, restored.output
    assert live.books()[0] == 3


def test_keep_must_be_at_least_one(live: Live, tmp_path: Path) -> None:
    refused = live.run("backup", "--to", str(tmp_path / "copies"), "--keep", "0")
    assert refused.exit_code != 0 and "--keep" in refused.output
    assert not (tmp_path / "copies").exists()


def test_a_damaged_or_foreign_copy_is_refused_and_changes_nothing(
    live: Live, tmp_path: Path
) -> None:
    live.grant("kept")
    before = live.books()
    damaged = tmp_path / f"tablee-damaged{live.suffix}"
    damaged.write_bytes(b"not a backup at all\n" * 100)
    refused = live.run("restore", str(damaged))
    assert refused.exit_code != 0, refused.output
    assert live.books() == before
    other = tmp_path / "tablee-copy.zip"
    shutil.copyfile(damaged, other)
    wrong = live.run("restore", str(other))
    assert wrong.exit_code != 0 and "is not a" in wrong.output
    assert live.books() == before
