"""A treasurer on a phone attaches scenarios to a proposal of the coming session; the
proposal's page shows them as plain tables that fit the phone. Pages axe-checked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD
from tests.e2e.conftest import PHONE, check_a11y, seed, visit
from tests.e2e.test_foundation import log_in

TITLE = "Passer à 200 parts (scénarios joints)"

QUERY = (
    "/budget/scenarios?a-name=Lent&a-households_from=108&a-households_to=200"
    "&a-ramp_months=6&a-months=12&a-scale=0&a-share=30"
)


def _coming_proposal() -> int:
    """A proposal of the citizen committee's own coming meeting, made by this test: the demo's
    coming session may have been opened by another browser test of the same caisse."""
    from sqlalchemy import select

    from governance.extensions import db
    from governance.people.models import Group
    from governance.sessions import services as meetings
    from governance.sessions.models import ItemKind, MeetingStatus
    from governance.votes import services as votes
    from governance.votes.models import DecisionKind
    from tests import factories

    committee = db.session.scalar(select(Group).where(Group.name.like("Comité citoyen%")))
    in_a_week = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=7)
    meeting = factories.meeting(
        committee, title="Séance des scénarios", starts_at=in_a_week, status=MeetingStatus.CONVENED
    )
    item = meetings.add_item(
        meeting, meeting.agenda_version, ItemKind.DECISION, TITLE, "", None, 20
    )
    return votes.attach_proposal(item, TITLE, "Élargir la caisse.", None, DecisionKind.BUDGET).id


def test_treasurer_attaches_scenarios_to_a_proposal(page: Page, live_app: Flask) -> None:
    seed(live_app, _coming_proposal)
    log_in(page, "tresorerie@tablee.example", DEMO_PASSWORD)
    visit(page, QUERY)
    expect(page.get_by_role("heading", name="Joindre à une proposition")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name=f"Joindre à « {TITLE} »").click()
    expect(page.get_by_role("heading", name="Les scénarios d’élargissement joints")).to_be_visible()
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    expect(page.locator(".frozen-scenarios table").first).to_be_visible()
