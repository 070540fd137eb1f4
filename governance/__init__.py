"""Tablée: the governance platform of a caisse alimentaire commune."""

from __future__ import annotations

import importlib
from typing import Any

from flask import Flask

# Each domain's web pages: its ``routes`` module holds the blueprint (``bp``), the others add
# their pages to it. Listed here, so that no module imports another one for its side effect.
ROUTE_MODULES = {
    "public": ("routes", "api", "points_of_sale", "figures"),
    "people": ("routes", "admin_routes"),
    "sessions": ("routes", "live_routes", "minutes_routes", "suggestion_routes", "file_routes"),
    "votes": ("routes", "decision_routes", "prepare_routes", "file_routes", "online_routes"),
    "conventionnement": ("routes", "visit_routes", "territory_routes"),
    "budget": (
        "routes",
        "ledger_routes",
        "report_routes",
        "import_routes",
        "funding_routes",
        "scenario_routes",
    ),
    "lottery": ("routes",),
    "joining": ("routes",),
    "evaluation": ("routes", "participation_routes", "research_routes", "survey_routes"),
    "home": ("routes",),
    "jobs": ("routes",),
}


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Config, then extensions, then blueprints, then CLI: nothing else happens here."""
    app = Flask(__name__, instance_relative_config=True)

    from governance import config

    app.config.update(config.load(app.instance_path, overrides))

    from governance import extensions, formatting, i18n, permissions, serving, web
    from governance.db import configure_engine, include_name
    from governance.errors import register_error_handlers
    from governance.votes import search

    extensions.db.init_app(app)
    with app.app_context():
        configure_engine(extensions.db.engine, app.config["SQLITE_BUSY_TIMEOUT_MS"])
        search.configure_engine(extensions.db.engine)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=str(config.ROOT / "governance" / "migrations"),
        render_as_batch=True,
        compare_type=True,
        include_name=include_name,
    )
    extensions.csrf.init_app(app)
    extensions.htmx.init_app(app)
    extensions.compress.init_app(app)
    i18n.init_app(app)
    formatting.init_app(app)
    web.init_app(app)
    serving.init_app(app)
    from governance.people import auth

    auth.init_app(app)
    from governance import security

    security.init_app(app)
    permissions.init_app(app)
    from governance import audit

    audit.init_app(app)
    from governance import once

    once.init_app(app)
    register_error_handlers(app)

    # Each domain's blueprint, with the modules that add their pages to it.
    for package, modules in ROUTE_MODULES.items():
        for module in modules:
            importlib.import_module(f"governance.{package}.{module}")
        app.register_blueprint(importlib.import_module(f"governance.{package}.routes").bp)
    # Effects that flow upward between domains, connected where each domain is set up.
    import governance.budget
    import governance.conventionnement
    import governance.lottery
    import governance.votes

    for domain in (
        governance.votes,
        governance.conventionnement,
        governance.budget,
        governance.lottery,
    ):
        domain.init_app(app)

    import governance.jobs

    governance.jobs.init_app(app)
    from governance import cli

    cli.init_app(app)
    return app
