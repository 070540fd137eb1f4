"""Consent decisions: proposals, rounds, positions, objections, the decision register."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """The consent panel under the live room's current item and the proposals read with the
    agenda: registered with sessions where the app is set up."""
    from governance.sessions import panels
    from governance.votes import prepare_routes, queries, routes

    panels.register(routes.render_panel, key=queries.panel_key, open_round=queries.open_round_of)
    panels.register_extras(prepare_routes.proposal_extras)
