"""Households, contribution scales and the fund's ledger."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """A scale adopted by the citizen committee comes into force: the package listens
    to the register, connected here where the app is set up (not as a side effect of importing
    its web routes)."""
    from governance.budget import jobs, sections, services
    from governance.votes import sections as proposal_sections
    from governance.votes.services import decision_final

    decision_final.connect(services.apply_decision)  # the same receiver is kept once
    proposal_sections.register(sections.proposal_section)  # the frozen simulation, read there
    proposal_sections.register(sections.scenarios_section)  # scenarios attached, frozen
    assert jobs.purchase_import  # the import and the monthly run, registered with the queue
