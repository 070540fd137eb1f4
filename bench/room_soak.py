"""Room soak: three phones keep the live room open for ten minutes in Chromium, with the
browser's normal cache, while the facilitator moves through the agenda and opens and closes
rounds. Each phone must keep exactly one page, no wider than the screen, whose DOM does not
grow: the figure is each phone's node count at the end, and its ratio to the count measured
right after the page loaded (the baseline of the same run). Target: the largest ratio seen
stays ≤ 1.5 (a nested page would double it), one header, never wider than the phone.

    .venv/bin/python bench/room_soak.py [--seconds 600]

The app is served in-process by werkzeug on loopback, on a throw-away SQLite file."""

from __future__ import annotations

import argparse
import contextvars
import logging
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `import governance` without relying on the editable install

from flask_migrate import upgrade  # noqa: E402
from playwright.sync_api import Page, sync_playwright  # noqa: E402
from werkzeug.serving import make_server  # noqa: E402

from governance import create_app  # noqa: E402
from governance.extensions import db  # noqa: E402
from governance.people import services as people  # noqa: E402
from governance.people.models import GroupKind, QuorumKind, Role  # noqa: E402
from governance.sessions import services as meetings  # noqa: E402
from governance.sessions.models import ItemKind, Meeting, MeetingStatus  # noqa: E402
from governance.votes import services as votes  # noqa: E402
from governance.votes.models import DecisionKind, Proposal  # noqa: E402

PASSWORD = "un mot de passe pour le banc"  # noqa: S105 — a throw-away bench account
PHONE = {"width": 390, "height": 844}
# A round's panel is a third larger than a presentation's; a page nested in the page would be
# at least twice the size. Above this, something piles up.
TARGET_RATIO = 1.5


def seed() -> tuple[int, str, list[str]]:
    """A committee of three with a facilitator; today's meeting, open, three decisions."""
    group = people.save_group(None, "Comité du banc", GroupKind.COMMITTEE, "", QuorumKind.COUNT, 2)
    since = date(2025, 1, 1)
    facilitator = people.create_person("Animatrice", "anim@banc.example", password=PASSWORD)
    people.add_membership(facilitator, group, Role.FACILITATOR, since)
    members = []
    for n in range(1, 4):
        person = people.create_person(f"Membre {n}", f"membre{n}@banc.example", password=PASSWORD)
        people.add_membership(person, group, Role.MEMBER, since)
        members.append(person)
    meeting = meetings.create_meeting(group, "Séance", datetime.now(UTC), 180, "", facilitator)
    for n in range(1, 4):
        item = meetings.add_item(
            meeting, meeting.agenda_version, ItemKind.DECISION, f"Décision {n}", "", None, 10
        )
        votes.attach_proposal(item, f"Proposition {n}", "Un texte.", None, DecisionKind.GENERAL)
    meetings.transition(meeting, MeetingStatus.CONVENED, facilitator)
    meetings.transition(meeting, MeetingStatus.OPEN, facilitator)
    return meeting.id, meeting.code, [m.email for m in members]


def facilitate(app: Any, meeting_id: int, step: int) -> None:
    """One move of the facilitator, as the console does it: a round, a close, the next item."""
    with app.app_context():
        meeting = db.session.get_one(Meeting, meeting_id)
        proposal = db.session.scalar(
            db.select(Proposal).where(Proposal.item_id == meeting.current_item_id)
        )
        if proposal is not None and proposal.open_round is not None:
            votes.close_round(proposal.open_round)
        elif proposal is not None and proposal.outcome is None and step % 3 == 0:
            votes.open_round(proposal)
        else:
            position = next(i.position for i in meeting.items if i.id == meeting.current_item_id)
            meetings.go_to(meeting, 1 if position < len(meeting.items) else -2)
        db.session.commit()


def phone_in(browser: Any, base: str, email: str, code: str) -> Page:
    context = browser.new_context(viewport=PHONE, is_mobile=True, locale="fr-FR", base_url=base)
    page = context.new_page()
    page.goto("/connexion")
    page.get_by_label("Adresse e-mail ou identifiant").fill(email)
    page.get_by_label("Mot de passe ou code à 6 chiffres").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_load_state("load")
    page.goto(f"/seances/presence/{code}")
    page.get_by_role("button", name="Je suis là").click()
    page.wait_for_load_state("load")
    return page


def measure(page: Page) -> tuple[int, int, int]:
    return page.evaluate(
        """() => [document.getElementsByTagName('*').length,
                  document.querySelectorAll('body > header, header.site-header').length,
                  document.documentElement.scrollWidth]"""
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=600)
    seconds = parser.parse_args().seconds
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="tablee-soak-") as folder:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/soak.db",
                "SECRET_KEY": "soak-only",
                "SESSION_COOKIE_SECURE": False,
            }
        )

        def prepare() -> tuple[int, str, list[str]]:
            with app.app_context():
                upgrade()
                made = seed()
                db.session.commit()
                return made

        meeting_id, code, emails = contextvars.Context().run(prepare)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(
            target=contextvars.Context().run, args=(server.serve_forever,), daemon=True
        ).start()
        base = f"http://127.0.0.1:{server.server_port}"
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
            )
            phones = [phone_in(browser, base, email, code) for email in emails]
            baseline = [measure(p)[0] for p in phones]
            started, step, worst = time.monotonic(), 0, 0.0
            while time.monotonic() - started < seconds:
                time.sleep(5)
                step += 1
                contextvars.Context().run(facilitate, app, meeting_id, step)
                for n, page in enumerate(phones):
                    nodes, headers, width = measure(page)
                    worst = max(worst, nodes / baseline[n])
                    if headers != 1 or width > PHONE["width"]:
                        print(f"FAIL phone {n + 1}: {headers} headers, {width} px wide")
                        return 1
            final = [measure(p)[0] for p in phones]
            browser.close()
        server.shutdown()
    ratios = [f / b for f, b in zip(final, baseline, strict=True)]
    print(f"soak        {seconds} s, {step} facilitator moves, 3 phones, cache on")
    print(f"dom nodes   baseline {baseline}  end {final}")
    print(f"ratio       end/baseline {[round(r, 2) for r in ratios]}  worst {worst:.2f}")
    print(f"target      ≤ {TARGET_RATIO}: {'met' if worst <= TARGET_RATIO else 'MISSED'}")
    return 0 if worst <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
