"""The house: database setup, migrations, error pages, htmx fragments, the demo data."""

from __future__ import annotations

import contextvars
import threading
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from sqlalchemy import func, select, text

from governance import create_app
from governance.db import include_name
from governance.extensions import db
from governance.people.models import Group, GroupKind, Membership, Person, Role
from tests import databases, factories


@databases.sqlite_only
def test_sqlite_runs_in_wal_with_foreign_keys_and_a_busy_timeout() -> None:
    connection = db.session.connection()
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


def test_the_migrations_match_the_models() -> None:
    context = MigrationContext.configure(
        db.session.connection(),
        opts={"compare_type": True, "render_as_batch": True, "include_name": include_name},
    )
    assert compare_metadata(context, db.metadata) == []


def test_concurrent_writers_queue_instead_of_failing(database_url: str) -> None:
    """Writers take turns (BEGIN IMMEDIATE on SQLite, the writers' advisory lock on
    PostgreSQL): six threads writing at once all succeed, none is 'locked'."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
    with app.app_context():
        db.create_all()
    errors: list[Exception] = []

    def write(n: int) -> None:
        try:
            with app.app_context():
                for i in range(15):
                    # read-then-write: with a deferred BEGIN this upgrade is what deadlocks
                    db.session.scalar(select(func.count()).select_from(Person))
                    db.session.add(Person(display_name=f"P{n}-{i}", username=f"p{n}-{i}"))
                    db.session.commit()
        except Exception as error:  # pragma: no cover - the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Person)) == 90
        databases.close_pool(db)


def test_foreign_keys_are_enforced() -> None:
    db.session.execute(text("SAVEPOINT fk"))
    try:
        db.session.execute(
            text(
                "INSERT INTO membership (person_id, group_id, role, starts_on, created_at) "
                "VALUES (999999, 999999, 'member', '2026-01-01', '2026-01-01 00:00:00')"
            )
        )
    except Exception as error:
        assert "foreign key" in str(error).lower()
    else:
        raise AssertionError("a membership of nobody was accepted")
    finally:
        db.session.execute(text("ROLLBACK TO fk"))


def test_error_pages_speak_plain_french(client) -> None:  # type: ignore[no-untyped-def]
    missing = client.get("/pas-de-page-ici")
    assert missing.status_code == 404
    assert "Cette page n’existe pas" in missing.get_data(
        as_text=True
    ) or "Cette page n'existe pas" in missing.get_data(as_text=True)
    not_allowed = client.get("/langue")
    assert not_allowed.status_code == 405


def test_unexpected_error_is_a_friendly_500(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    def boom() -> str:
        raise RuntimeError("boom")

    app.view_functions["public.home"], original = boom, app.view_functions["public.home"]
    app.config["PROPAGATE_EXCEPTIONS"] = False
    try:
        response = client.get("/")
    finally:
        app.view_functions["public.home"] = original
        app.config["PROPAGATE_EXCEPTIONS"] = None
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "boom" not in html and "<main" in html


def test_htmx_errors_are_fragments_for_the_message_area(client) -> None:  # type: ignore[no-untyped-def]
    response = client.htmx("GET", "/pas-de-page-ici")
    assert response.status_code == 404
    assert response.headers["HX-Retarget"] == "#messages"
    assert "<html" not in response.get_data(as_text=True)


def _a_realistic_caisse(summary: str) -> None:
    """What the demo holds: checked on the database the ``demo`` command filled (one load of
    the demo for both tests, which took seconds each)."""
    committee = db.session.scalar(select(Group).where(Group.kind == GroupKind.COMMITTEE))
    local = db.session.scalar(select(Group).where(Group.kind == GroupKind.LOCAL_COMMITTEE))

    def members(group: Group) -> int:
        return (
            db.session.scalar(
                select(func.count(func.distinct(Membership.person_id))).where(
                    Membership.group_id == group.id, Membership.role == Role.MEMBER
                )
            )
            or 0
        )

    assert members(committee) == 61
    assert 25 <= members(local) <= 35
    roles = set(db.session.scalars(select(Membership.role)))
    assert roles == {Role.MEMBER, Role.FACILITATOR, Role.TREASURER, Role.ADMIN, Role.EVALUATOR}
    without_email = db.session.scalar(
        select(func.count()).select_from(Person).where(Person.email.is_(None))
    )
    assert without_email >= 15  # members who log in with a card
    # Every demo person has a household of their own ("Mon foyer" works for each of them),
    # but the evaluator, who studies the caisse from outside.
    from governance.budget.models import Household

    linked = db.session.scalar(select(func.count(func.distinct(Household.person_id))))
    assert linked == db.session.scalar(select(func.count()).select_from(Person)) - 1
    assert "61 committee members" in summary
    _the_seeds_figures()


def _the_seeds_figures() -> None:
    """Lyon 8e like CALIM 8: 108 households, 19 places each approved by its decision, the two
    Biocoop taking about 83 % of purchases, contributions about 25 % of allocations (30 %
    targeted)."""
    from datetime import date

    from governance.budget import reports
    from governance.budget.models import Household
    from governance.conventionnement import territories
    from governance.conventionnement.models import PointOfSale, PosStatus
    from governance.people.models import Territory

    lyon = db.session.scalar(select(Territory).where(Territory.name == "Lyon 8e"))
    assert (
        db.session.scalar(
            select(func.count()).select_from(Household).where(Household.territory_id == lyon.id)
        )
        == 108
    )
    approved = list(
        db.session.scalars(select(PointOfSale).where(PointOfSale.status == PosStatus.APPROVED))
    )
    assert len(approved) == 19 + 1  # and the Biocoop of the Arceaux, in Montpellier
    assert all(territories.latest_approval(p.id) for p in approved)
    spent = reports.purchases(date(2026, 5, 1), date(2026, 10, 31), lyon.id)
    assert len(spent.by_point) == 19 and 800 <= spent.top_two_permille <= 860
    shares = reports.contribution_share(date(2026, 5, 1), date(2026, 10, 1))
    assert all(s.target_permille == 300 for s in shares)
    assert 200 <= sum(s.share_permille for s in shares) // len(shares) <= 280


def test_the_demo_command_loads_a_realistic_caisse_once(app: Flask, database_url: str) -> None:
    other = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x"})
    with other.app_context():
        db.create_all()
    runner = other.test_cli_runner()

    def invoke() -> Any:  # outside the test's own app context, as from a shell
        return contextvars.Context().run(runner.invoke, args=["demo"])

    first = invoke()
    assert "Demo data loaded" in first.output
    second = invoke()
    assert "not loaded" in second.output
    with other.app_context():
        try:
            assert db.session.scalar(select(func.count()).select_from(Person)) == 88
            _a_realistic_caisse(first.output)
        finally:
            databases.close_pool(db)


def test_people_list_is_a_fragment_for_htmx_and_a_page_otherwise(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.ADMIN, display_name="Inès Moreau"))
    full = client.get("/admin/personnes?q=ines")
    assert full.status_code == 200 and "<html" in full.get_data(as_text=True)
    assert "HX-Request" in full.headers["Vary"]
    part = client.htmx("GET", "/admin/personnes?q=ines")
    html = part.get_data(as_text=True)
    assert part.status_code == 200 and "<html" not in html
    assert 'id="results"' in html and "Inès Moreau" in html


def test_people_list_does_not_query_per_person(client, queries) -> None:  # type: ignore[no-untyped-def]
    admin = factories.with_role(Role.ADMIN)
    factories.login(client, admin)
    group = factories.group()
    for _ in range(5):
        factories.membership(factories.person(), group)
    factories.db.session.commit()
    queries.statements.clear()
    client.get("/admin/personnes")
    few = queries.count
    for _ in range(20):
        factories.membership(factories.person(), group)
    factories.db.session.commit()
    queries.statements.clear()
    client.get("/admin/personnes")
    assert queries.count == few
