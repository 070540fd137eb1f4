"""Browser tests: the real app served on loopback, Debian's Chromium driven by Playwright,
a phone-sized viewport, and axe-core run on every page visited."""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import pytest
from flask import Flask
from flask_migrate import upgrade
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
from playwright.sync_api import Error as PlaywrightError
from werkzeug.serving import make_server

from governance import create_app
from governance.demo import load_demo
from governance.extensions import db
from tests import databases

T = TypeVar("T")
ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_SOURCE = AXE.read_text()
CHROMIUM = "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)
            item.add_marker(pytest.mark.xdist_group("e2e"))


@pytest.fixture(scope="session")
def live_server(live_site: tuple[Flask, str]) -> str:
    return live_site[1]


@pytest.fixture(scope="session")
def live_app(live_site: tuple[Flask, str]) -> Flask:
    """The served app, for a test that puts its own data in before a person acts on it."""
    return live_site[0]


SERVED: list[Flask] = []  # the app the browser tests' server runs, once it is up


def forget_used_codes(identifier: str) -> None:
    """The demo's admin and treasurer share one authenticator secret across the whole run, and
    a code is accepted only once: the browser tests forget which step this account used last
    (on their own database), instead of waiting up to 30 s for a fresh code. The replay rule
    itself is tested in tests/security/test_second_factor.py."""
    from sqlalchemy import select

    from governance.people.models import Person

    def forget() -> None:
        key = identifier.strip().lower()
        person = db.session.scalar(
            select(Person).where((Person.email == key) | (Person.username == key))
        )
        if person is not None:
            person.totp_last_step = None

    seed(SERVED[0], forget)


def seed(app: Flask, build: Callable[[], T]) -> T:
    """Run ``build`` in the served app (its own context and session) and commit: a test's own
    group, people and meeting, independent of the demo and of the other tests."""

    def run() -> T:
        with app.app_context():
            made = build()
            db.session.commit()
            return made

    return contextvars.Context().run(run)


def committee_in_the_room(app: Flask, meeting_id: int, count: int = 30) -> None:
    """``count`` members of the meeting's group checked in, as a full room would (the demo
    committee's quorum is 31 of 61): for a test about what a few phones do."""
    from governance.people.models import Person
    from governance.sessions import services as meetings
    from governance.sessions.models import AttendanceStatus, Meeting

    def mark() -> None:
        meeting = db.session.get_one(Meeting, meeting_id)
        for person_id in meetings.member_ids(meeting.group_id, date.today())[:count]:
            person = db.session.get_one(Person, person_id)
            meetings.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)

    seed(app, mark)


@pytest.fixture(scope="session")
def live_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Flask, str]]:
    """The app with the demo caisse on its own database, served by a thread on loopback."""
    with databases.database(tmp_path_factory.mktemp("e2e"), "e2e") as url:
        # Jobs (imports, draws' checks, mails) run at once in the request that sends them.
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "e2e-only-secret",
                # Tests wait for polls, not for time: polls come every second here.
                "LIVE_POLL_SECONDS": 1,
                "CONSOLE_POLL_SECONDS": 1,
                "QUEUE_URL": "immediate",
            }
        )

        def prepare() -> None:  # outside any test's app context
            with app.app_context():
                upgrade()
                load_demo()
                db.session.commit()

        contextvars.Context().run(prepare)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        # Links made for outside (the check-in QR code, e-mails) point at this server.
        app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
        SERVED.append(app)
        thread = threading.Thread(
            target=contextvars.Context().run, args=(server.serve_forever,), daemon=True
        )
        thread.start()
        yield app, f"http://127.0.0.1:{server.server_port}"
        server.shutdown()
        thread.join(timeout=5)

        def close() -> None:
            with app.app_context():
                databases.close_pool(db)

        contextvars.Context().run(close)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def phone(browser: Browser, live_server: str) -> Iterator[Any]:
    """A factory of phone-sized browser contexts (a member's phone, a facilitator's…)."""
    contexts: list[BrowserContext] = []
    blocked: list[str] = []  # what the Content Security Policy refused on any page

    def watch(message: Any) -> None:
        if "Content Security Policy" in message.text:
            blocked.append(message.text)

    def new_phone() -> Page:
        context = browser.new_context(
            viewport=PHONE,
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            locale="fr-FR",
            base_url=live_server,
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.on("console", watch)
        return page

    yield new_phone
    for context in contexts:
        context.close()
    assert blocked == [], f"the Content Security Policy blocked: {blocked}"


@pytest.fixture
def no_js(browser: Browser, live_server: str) -> Iterator[Page]:
    """A phone whose browser runs no JavaScript at all (this test's phone only)."""
    context: BrowserContext = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR",
        base_url=live_server,
        java_script_enabled=False,
    )
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def page(phone: Any) -> Page:
    return phone()


def check_a11y(page: Page) -> None:
    """axe-core on the page as it is now: no serious or critical violation."""
    page.wait_for_load_state("load")
    # Evaluated by the driver, not added as an inline script the page's CSP would refuse.
    try:
        page.evaluate(AXE_SOURCE)
    except PlaywrightError:  # the page was being replaced (a redirect): once it has loaded
        page.wait_for_load_state("load")
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
             .filter(v => ['serious', 'critical'].includes(v.impact))
             .map(v => `${v.id} (${v.impact}): ${v.help} — ` +
                       v.nodes.map(n => n.target).join(', '))"""
    )
    assert violations == [], f"{page.url}: {violations}"


def visit(page: Page, path: str) -> Page:
    response = page.goto(path)
    assert response is not None and response.status < 500
    check_a11y(page)
    return page
