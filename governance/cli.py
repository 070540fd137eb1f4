"""Flask commands: ``flask --app governance demo``."""

from __future__ import annotations

import click
from flask import Flask
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


@click.command("verify")
@with_appcontext
def verify_command() -> None:
    """Check the decision register and the ledger; name the first broken link."""
    from governance.budget import ledger
    from governance.votes.register import verify

    check = verify()
    books = ledger.verify()
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


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
    app.cli.add_command(verify_command)
