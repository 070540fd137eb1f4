"""Flask commands: ``flask --app governance demo``."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select

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


@click.command("demo-code")
def demo_code_command() -> None:
    """The code the demo's admin and treasurer type after their password (demo secret only)."""
    import time

    import pyotp

    from governance.people.second_factor import DEMO_SECRET, STEP_S

    left = STEP_S - int(time.time()) % STEP_S
    click.echo(f"{pyotp.TOTP(DEMO_SECRET).now()}  (valid for {left} more seconds)")


@click.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check the decision register and the ledger; name the first broken link."""
    from governance.budget import checks
    from governance.votes.register import verify

    check = verify()
    books = checks.verify()
    failed = False
    if check.broken:
        click.echo(f"Decisions: BROKEN at {check.broken} (after {check.count - 1} good ones).")
        failed = True
    else:
        click.echo(f"Decisions: OK, {check.count} decisions, head {check.head}")
    if books.broken or books.unbalanced or books.wrong_balances:
        click.echo(
            f"Ledger: BROKEN at transaction {books.broken}; unbalanced "
            f"{books.unbalanced}; balances off: {books.wrong_balances}"
        )
        failed = True
    else:
        click.echo(f"Ledger: OK, {books.transactions} transactions, head {books.head}")
    if failed:
        raise SystemExit(1)


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite" or not url.database:
        raise click.ClickException("backup and restore work on an SQLite file database")
    return Path(url.database)


@click.command("backup")
@click.option(
    "--to",
    "folder",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of the copies (default: instance/backups).",
)
@click.option("--keep", default=14, show_default=True, help="How many copies to keep.")
@with_appcontext
def backup_command(folder: Path | None, keep: int) -> None:
    """A consistent copy of the live database (SQLite's online backup), then rotation."""
    source = _sqlite_path()
    folder = folder or Path(current_app.instance_path) / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"tablee-{datetime.now(UTC):%Y%m%d-%H%M%S-%f}.db"
    with sqlite3.connect(source) as live, sqlite3.connect(target) as copy:
        live.backup(copy)
    copies = sorted(folder.glob("tablee-*.db"))
    for old in copies[: max(0, len(copies) - keep)]:
        old.unlink()
    click.echo(f"Backup written: {target}")


@click.command("restore")
@click.argument("copy", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(copy: Path) -> None:
    """Bring a backup back into the live database (stop the server first)."""
    target = _sqlite_path()
    db.engine.dispose()
    with sqlite3.connect(copy) as source, sqlite3.connect(target) as live:
        source.backup(live)
    click.echo(f"Restored {copy} into {target}. Run `flask --app governance verify`.")


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
    app.cli.add_command(demo_command)
    app.cli.add_command(demo_code_command)
    app.cli.add_command(retention_command)
    app.cli.add_command(verify_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
