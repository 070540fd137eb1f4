"""Tablée: the governance platform of a caisse alimentaire commune."""

from __future__ import annotations

from typing import Any

from flask import Flask


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

    from governance.budget.routes import bp as budget_bp
    from governance.conventionnement.routes import bp as conventionnement_bp
    from governance.home.routes import bp as home_bp
    from governance.lottery.routes import bp as lottery_bp
    from governance.people.routes import bp as people_bp
    from governance.public.routes import bp as public_bp
    from governance.sessions.routes import bp as sessions_bp
    from governance.votes.routes import bp as votes_bp

    blueprints = (
        public_bp,
        people_bp,
        sessions_bp,
        votes_bp,
        conventionnement_bp,
        budget_bp,
        lottery_bp,
        home_bp,
    )
    for blueprint in blueprints:
        app.register_blueprint(blueprint)

    from governance import cli

    cli.init_app(app)
    return app
