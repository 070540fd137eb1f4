"""The live room as members live it, on phones with the browser's normal cache: the status
polls every few seconds while people choose, type and read, and nothing they do is lost.

Each test builds its own small committee (a quorum of 3) and today's meeting, so that it
depends on no other test and on nothing the demo holds."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import select

from governance.extensions import db
from governance.people.models import QuorumKind, Role
from governance.sessions.models import ItemKind, Meeting, MeetingStatus
from governance.votes import services as votes
from governance.votes.models import DecisionKind, Position, Round
from tests import factories
from tests.e2e.conftest import check_a11y, seed, visit
from tests.e2e.test_foundation import log_in

STATUS = "/salle/etat"  # the room's polled status
REASON = "Le samedi matin, la place Carnot est déjà pleine : on gênerait le marché bio."


@dataclass(frozen=True)
class Committee:
    meeting_id: int
    facilitator: str
    members: list[str]


def _committee(app: Flask, members: int = 4) -> Committee:
    """A committee of ``members`` plus its facilitator, quorum 3, and today's meeting,
    convened, with a proposal prepared on its decision item."""

    def build() -> Committee:
        group = factories.group(quorum_kind=QuorumKind.COUNT, quorum_value=3)
        facilitator = factories.person(display_name="Awa Animatrice")
        factories.membership(facilitator, group, Role.FACILITATOR)
        people = [factories.person(display_name=f"Membre {n}") for n in range(1, members + 1)]
        for person in people:
            factories.membership(person, group)
        meeting = factories.meeting(group, status=MeetingStatus.CONVENED, title="Séance du mois")
        factories.item(meeting, title="Accueil et météo", timebox_minutes=10)
        item = factories.item(meeting, kind=ItemKind.DECISION, title="Marché du samedi")
        votes.attach_proposal(
            item,
            "Un marché le samedi",
            "Un marché de producteurs ouvre le samedi matin place Carnot.",
            people[0],
            DecisionKind.GENERAL,
            by=facilitator,
        )
        return Committee(meeting.id, facilitator.email, [p.email for p in people])

    return seed(app, build)


def button(page: Page, name: str) -> Any:
    return page.get_by_role("button", name=name, exact=True)


def _open_on_the_decision(facilitator: Page, meeting_id: int) -> str:
    """The facilitator opens the meeting and moves to the decision; the code on the console."""
    visit(facilitator, f"/seances/{meeting_id}")
    button(facilitator, "Ouvrir la séance").click()
    expect(facilitator).to_have_url(re.compile(r"/console$"))
    button(facilitator, "Point suivant").click()
    expect(facilitator.locator(".current-title")).to_have_text("Marché du samedi")
    return facilitator.locator(".check-in-box .code").inner_text()


def _in_the_room(phone: Any, email: str, code: str) -> Page:
    member = phone()
    log_in(member, email, factories.PASSWORD)
    visit(member, "/seances/presence")
    member.get_by_label("Code de la séance").press_sequentially(code.lower(), delay=120)
    button(member, "Je suis là").click()
    expect(member.locator(".current-title")).to_have_text("Marché du samedi")
    return member


def _polls(member: Page, count: int) -> None:
    """Wait for ``count`` more polls of the room's status (the test server polls every
    second): the page lives through them, whatever the clock says."""
    for _ in range(count):
        with member.expect_response(lambda response: STATUS in response.url):
            pass


def _one_page(member: Page) -> None:
    """Never a page nested in the page, never wider than the phone."""
    assert member.locator("header.site-header, body > header").count() == 1
    assert member.locator("h1").count() == 1
    width = member.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the room is {width} px wide"


def _positions(app: Flask, meeting_id: int) -> dict[str, tuple[str, str]]:
    def read() -> dict[str, tuple[str, str]]:
        rows = db.session.execute(
            select(Position)
            .join(Round)
            .where(Round.proposal.has(votes.Proposal.item.has(meeting_id=meeting_id)))
        ).scalars()
        return {p.person.email: (p.value.value, p.argument) for p in rows}

    return seed(app, read)


def test_a_member_writes_an_objection_while_the_room_polls(phone: Any, live_app: Flask) -> None:
    committee = _committee(live_app)
    facilitator = phone()
    log_in(facilitator, committee.facilitator, factories.PASSWORD)
    code = _open_on_the_decision(facilitator, committee.meeting_id)

    # Two members in the room: no quorum (3 needed). The console says so and offers no round.
    first, second = (_in_the_room(phone, email, code) for email in committee.members[:2])
    facilitator.reload()
    expect(facilitator.locator(".round-refusal")).to_contain_text("quorum")
    expect(button(facilitator, "Ouvrir un tour de consentement")).to_have_count(0)
    check_a11y(facilitator)
    third = _in_the_room(phone, committee.members[2], code)
    # The console follows by itself: the round can open once the third member is in.
    expect(button(facilitator, "Ouvrir un tour de consentement")).to_be_visible(timeout=12_000)
    button(facilitator, "Ouvrir un tour de consentement").click()

    # The first member reads the agenda, ticks an objection and writes its reason one key at a
    # time, while the room polls and the facilitator works the timer.
    panel = first.locator("#vote-panel")
    expect(panel.get_by_role("radio").first).to_be_visible(timeout=12_000)
    first.get_by_text("Tout l'ordre du jour").click()
    panel.get_by_role("radio", name=re.compile("^Je fais une objection")).check()
    reason = panel.get_by_label("Votre raison")
    reason.click()
    polled: list[str] = []
    first.on("response", lambda response: STATUS in response.url and polled.append(response.url))
    for n, piece in enumerate(re.findall(r".{1,20}", REASON)):
        reason.press_sequentially(piece, delay=60)
        if n == 1:
            button(facilitator, "Lancer le minuteur").click()
        if n == 2:
            button(facilitator, "Pause").click()
        _one_page(first)
    assert len(polled) >= 3, polled  # several polls went by meanwhile
    expect(panel.get_by_role("radio", name=re.compile("^Je fais une objection"))).to_be_checked()
    expect(reason).to_have_value(REASON)
    expect(first.locator("details.agenda-summary")).to_have_attribute("open", "")
    button(first, "Envoyer ma position").click()
    expect(panel.get_by_role("status")).to_contain_text("Je fais une objection")
    check_a11y(first)

    # The second member reads the text through several polls, then consents.
    panel2 = second.locator("#vote-panel")
    expect(panel2.get_by_role("radio").first).to_be_visible(timeout=12_000)
    text = panel2.locator("details.proposal-text")
    expect(text).to_have_attribute("open", "")
    _polls(second, 3)
    expect(text).to_have_attribute("open", "")
    panel2.get_by_role("radio", name=re.compile("^Je consens")).check()
    button(second, "Envoyer ma position").click()
    expect(panel2.get_by_role("status")).to_contain_text("Je consens")

    assert _positions(live_app, committee.meeting_id) == {
        committee.members[0]: ("objection", REASON),
        committee.members[1]: ("consent", ""),
    }

    # The third member starts a concern and is still typing when the facilitator closes.
    panel3 = third.locator("#vote-panel")
    expect(panel3.get_by_role("radio").first).to_be_visible(timeout=12_000)
    panel3.get_by_role("radio", name=re.compile("^J'ai une réserve")).check()
    panel3.get_by_label("Votre raison").press_sequentially("Les prix des", delay=100)
    facilitator.reload()
    button(facilitator, "Clore le tour").click()
    expect(facilitator.locator(".objections")).to_contain_text("déjà pleine")
    # Told beside the form, the typed text kept to copy, sending turned off.
    notice = panel3.locator("[data-round-closed]")
    expect(notice).to_be_visible(timeout=12_000)
    expect(notice).to_contain_text("pas été envoyée")
    expect(panel3.get_by_label("Votre raison")).to_have_value("Les prix des")
    expect(button(third, "Envoyer ma position")).to_be_disabled()
    check_a11y(third)
    button(third, "Voir ce qui s'est passé").click()
    expect(third.locator(".results")).to_contain_text("Je fais une objection", timeout=12_000)

    # The others, who were not busy, see the result without reloading.
    for member in (first, second):
        expect(member.locator(".objections")).to_contain_text("déjà pleine", timeout=12_000)
        _one_page(member)
        check_a11y(member)


def test_the_room_stays_one_page_of_steady_size_through_many_polls(
    phone: Any, live_app: Flask
) -> None:
    """Three phones keep the room open while the facilitator moves back and forth: each keeps
    exactly one page, no wider than the screen, whose size does not grow."""
    committee = _committee(live_app, members=3)
    facilitator = phone()
    log_in(facilitator, committee.facilitator, factories.PASSWORD)
    code = _open_on_the_decision(facilitator, committee.meeting_id)
    members = [_in_the_room(phone, email, code) for email in committee.members]
    sizes: list[list[int]] = [[] for _ in members]
    for step in range(6):
        back = step % 2 == 0
        button(facilitator, "Point précédent" if back else "Point suivant").click()
        facilitator.wait_for_load_state("load")
        for n, member in enumerate(members):
            title = "Accueil et météo" if back else "Marché du samedi"
            expect(member.locator(".current-title")).to_have_text(title, timeout=12_000)
            _one_page(member)
            sizes[n].append(member.evaluate("document.getElementsByTagName('*').length"))
    for member in members:
        expect(member.locator(".current-title")).to_have_text("Marché du samedi", timeout=12_000)
    for counts in sizes:
        assert max(counts) - min(counts) < 120, counts  # the proposal panel comes and goes
    # The title comes with the status poll, the item's parts just after it: one poll more and
    # every page has its parts, then three more polls with nothing new change nothing.
    _polls(members[0], 1)
    flat = [m.evaluate("document.getElementsByTagName('*').length") for m in members]
    _polls(members[0], 3)
    assert [m.evaluate("document.getElementsByTagName('*').length") for m in members] == flat


def test_presence_only_in_the_room(phone: Any, live_app: Flask) -> None:
    """Members do not see the code on their pages, and a code typed from home before the
    meeting opens is refused with a plain explanation."""

    def later_today() -> tuple[int, str, str]:
        from datetime import UTC, datetime, timedelta

        group = factories.group()
        member = factories.person()
        factories.membership(member, group)
        starts = datetime.now(UTC) + timedelta(hours=3)
        meeting = factories.meeting(group, status=MeetingStatus.CONVENED, starts_at=starts)
        factories.item(meeting)
        return meeting.id, meeting.code, member.email

    meeting_id, code, email = seed(live_app, later_today)
    member = phone()
    log_in(member, email, factories.PASSWORD)
    visit(member, f"/seances/{meeting_id}")
    assert code not in member.content()
    visit(member, "/seances/presence")
    member.get_by_label("Code de la séance").fill(code)
    button(member, "Je suis là").click()
    expect(member.locator(".field-error, .error-summary").first).to_contain_text(
        "quand la séance commence"
    )
    check_a11y(member)
    assert seed(live_app, lambda: db.session.get(Meeting, meeting_id).status) is (
        MeetingStatus.CONVENED
    )
