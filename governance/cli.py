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


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_command)
