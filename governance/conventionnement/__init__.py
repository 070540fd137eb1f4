"""Approval of points of sale: proposals, visits, questionnaires, analysis grids."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """A decision on a point of sale approves, suspends or ends it: the package listens
    to the register, connected here where the app is set up (not as a side effect of importing
    its web routes)."""
    from governance.conventionnement import services
    from governance.votes.services import decision_final

    decision_final.connect(services.apply_decision)  # the same receiver is kept once
