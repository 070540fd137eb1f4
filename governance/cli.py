"""Flask commands: ``flask --app governance demo`` (demo data, verify, backup, restore)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import URL, func, select

from governance.extensions import db


@click.command("demo")
@with_appcontext
def demo_command() -> None:
    """Load the demo caisse into an empty database (does nothing when people already exist)."""
    from governance.demo import DEMO_PASSWORD, load_demo
    from governance.people.models import Person

    if db.session.scalar(select(func.count()).select_from(Person)):
        click.echo("The database already holds people: demo data not loaded.")
        return
    summary = load_demo()
    db.session.commit()
    click.echo(f"Demo data loaded: {summary}.")
    click.echo(f"Demo password for the accounts with e-mail: {DEMO_PASSWORD}")
    click.echo("admin@ and tresorerie@ also ask for a code: flask --app governance demo-code")


@click.command("retention")
@with_appcontext
def retention_command() -> None:
    """Forget households that left longer ago than HOUSEHOLD_RETENTION_MONTHS (run it daily)."""
    from governance.people.privacy import apply_retention

    done = apply_retention()
    db.session.commit()
    months = current_app.config["HOUSEHOLD_RETENTION_MONTHS"]
    click.echo(f"{done.households} household(s) that left over {months} months ago forgotten.")
    days = current_app.config["LOGIN_ATTEMPT_RETENTION_DAYS"]
    click.echo(f"{done.login_attempts} login attempt(s) older than {days} days deleted.")


@click.command("close-rounds")
@with_appcontext
def close_rounds_command() -> None:
    """Count the online consent rounds whose deadline has passed (run it every few minutes)."""
    from governance.votes import online

    closed = online.close_due()
    db.session.commit()
    click.echo(f"{len(closed)} online round(s) counted.")


@click.command("demo-code")
def demo_code_command() -> None:
    """The code the demo's admin and treasurer type after their password (demo secret only)."""
    import time

    import pyotp

    from governance.people.second_factor import DEMO_SECRET, STEP_S

    left = STEP_S - int(time.time()) % STEP_S
    click.echo(f"{pyotp.TOTP(DEMO_SECRET).now()}  (valid for {left} more seconds)")


@click.command("verify")
@click.option(
    "--expect-head",
    "heads",
    multiple=True,
    help="A head of the decision register or of the ledger published earlier: it must still be "
    "in its chain, else records were removed since.",
)
@with_appcontext
def verify_command(heads: tuple[str, ...]) -> None:
    """Check the decision register and the ledger; name the first broken link and every record
    whose fields no longer agree with their hashes."""
    from governance import attachments, chains
    from governance.budget import checks
    from governance.votes import register

    check = register.verify()
    books = checks.verify()
    failed = False
    if check.broken:
        click.echo(f"Decisions: BROKEN at {check.broken} (after {check.count - 1} good ones).")
        failed = True
    else:
        click.echo(f"Decisions: OK, {check.count} decisions, head {check.head}")
    if books.broken or books.unbalanced or books.wrong_balances or books.wrong_records:
        click.echo(
            f"Ledger: BROKEN at transaction {books.broken}; unbalanced "
            f"{books.unbalanced}; balances off: {books.wrong_balances}"
        )
        for problem in books.wrong_records:
            click.echo(f"Ledger: {problem}")
        failed = True
    else:
        click.echo(f"Ledger: OK, {books.transactions} transactions, head {books.head}")
    for line, good in chains.verify_all():
        click.echo(line)
        failed = failed or not good
    damaged = attachments.damaged()
    if damaged:
        click.echo(
            f"Files: DAMAGED {', '.join(str(i) for i in damaged)} (content and checksum differ)"
        )
        failed = True
    else:
        click.echo(f"Files: OK, {attachments.count_all()} files agree with their checksums")
    for head in heads:
        if not (register.holds(head) or checks.holds(head) or chains.holds(head)):
            click.echo(f"Head {head} is in neither chain: records were removed or changed since.")
            failed = True
    if failed:
        raise SystemExit(1)


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise click.ClickException("backup and restore need an SQLite file, not a memory database")
    return Path(url.database)


def _backend() -> str:
    name = db.engine.url.get_backend_name()
    if name not in ("sqlite", "postgresql"):
        raise click.ClickException(f"backup and restore work on SQLite or PostgreSQL, not {name}")
    return name


SUFFIX = {"sqlite": ".db", "postgresql": ".dump"}  # an SQLite file; pg_dump's custom format


def _pg_tool(name: str) -> str:
    """pg_dump / pg_restore: on the PATH, else the newest of Debian's PostgreSQL versions."""
    found = shutil.which(name) or next(
        (str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True)),
        None,
    )
    if found is None:
        raise click.ClickException(f"{name} is not installed (Debian: postgresql-client)")
    return found


def _pg_run(tool: str, *args: str) -> None:
    """Run a PostgreSQL client tool on the app's database; the password goes through the
    environment, never the command line (which other users of the machine can read)."""
    url = db.engine.url
    conninfo = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    ).render_as_string(hide_password=False)
    env = {**os.environ, **({"PGPASSWORD": str(url.password)} if url.password else {})}
    done = subprocess.run(  # noqa: S603 — fixed tool, arguments from our own settings
        [_pg_tool(tool), "--dbname", conninfo, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise click.ClickException(f"{tool} failed: {done.stderr.strip()}")


def _rotate(folder: Path, suffix: str, keep: int) -> list[Path]:
    """Remove all but the ``keep`` newest copies (their names sort by date); the removed."""
    copies = sorted(folder.glob(f"tablee-*{suffix}"))
    removed = copies[: max(0, len(copies) - keep)]
    for old in removed:
        old.unlink()
    return removed


@click.command("backup")
@click.option(
    "--to",
    "folder",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the copies (default: instance/backups).",
)
@click.option(
    "--keep",
    default=14,
    show_default=True,
    type=click.IntRange(min=1),
    help="How many copies to keep; older ones are removed.",
)
@click.option("--quiet", is_flag=True, help="Print nothing on success (for cron).")
@with_appcontext
def backup_command(folder: Path | None, keep: int, quiet: bool) -> None:
    """A consistent copy of the live database, then rotation; safe to run while serving.

    SQLite: the online backup API. PostgreSQL: pg_dump in its custom format (restore it with
    ``restore``, or pg_restore). The copy is written under a temporary name and renamed once
    complete, so a failed run leaves no half copy and never removes a good one.
    """
    target, removed = write_backup(folder, keep)
    if not quiet:
        click.echo(f"Backup written: {target} ({len(removed)} older copies removed)")


def write_backup(folder: Path | None, keep: int) -> tuple[Path, list[Path]]:
    """The copy (under a temporary name, renamed once complete), then the rotation; the
    command and the scheduled backup of the queue's worker both call this."""
    backend = _backend()
    folder = folder or Path(
        current_app.config["BACKUP_DIR"] or Path(current_app.instance_path) / "backups"
    )
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"tablee-{datetime.now(UTC):%Y%m%d-%H%M%S-%f}{SUFFIX[backend]}"
    partial = target.with_name(target.name + ".partial")
    try:
        if backend == "sqlite":
            source = _sqlite_path(db.engine.url)
            with (
                closing(sqlite3.connect(source)) as live,
                closing(sqlite3.connect(partial)) as copy,
            ):
                live.backup(copy)
        else:
            _pg_run("pg_dump", "--format=custom", "--no-owner", "--file", str(partial))
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return target, _rotate(folder, SUFFIX[backend], keep)


@click.command("restore")
@click.argument("copy", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(copy: Path) -> None:
    """Bring a backup back into the live database, whole or not at all (stop the server
    first; then run ``verify``)."""
    backend = _backend()
    if copy.suffix != SUFFIX[backend]:
        raise click.ClickException(
            f"{copy.name} is not a {backend} backup (those end in {SUFFIX[backend]})"
        )
    db.session.remove()
    db.engine.dispose()
    if backend == "sqlite":
        target = _sqlite_path(db.engine.url)
        with closing(sqlite3.connect(f"{copy.resolve().as_uri()}?mode=ro", uri=True)) as source:
            try:
                sound = source.execute("PRAGMA quick_check").fetchone()[0] == "ok"
            except sqlite3.DatabaseError:
                sound = False
            if not sound:
                raise click.ClickException(f"{copy.name} is not a sound SQLite database")
            with closing(sqlite3.connect(target)) as live:
                source.backup(live)
    else:
        _pg_run(
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--exit-on-error",
            str(copy),
        )
    click.echo(f"Restored {copy} into the {backend} database. Run `flask --app governance verify`.")


@click.command("import-purchases")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def import_purchases_command(path: Path) -> None:
    """Import the payment operator's export of purchases: the whole file or nothing."""
    from governance.budget import purchases
    from governance.errors import DomainError

    lines = purchases.parse(path.read_text(encoding="utf-8-sig"))
    refused = [line for line in lines if line.errors]
    for line in refused:
        click.echo(f"line {line.number}: {' '.join(line.errors)}")
    try:
        created = purchases.apply(lines)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"{created} purchases recorded, {len(lines) - created} already there.")


def init_app(app: Flask) -> None:
    from governance.lottery.cli import check_command as lottery_check
    from governance.lottery.cli import verify_command as lottery_verify

    app.cli.add_command(lottery_check)
    app.cli.add_command(lottery_verify)
    app.cli.add_command(import_purchases_command)
    app.cli.add_command(close_rounds_command)
    app.cli.add_command(demo_command)
    app.cli.add_command(demo_code_command)
    app.cli.add_command(retention_command)
    app.cli.add_command(verify_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
