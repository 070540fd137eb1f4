"""A binôme opens a visit with signal, then the farm has none: every screen answered, a photo
taken, the questionnaire sent, the page reloaded — all without network. Back online, the server
holds every answer and the photo exactly once, and the report is there."""

from __future__ import annotations

import re
import struct
import zlib
from datetime import date
from pathlib import Path
from typing import Any

from flask import Flask
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from governance.attachments import Attachment
from governance.conventionnement import services
from governance.conventionnement.models import Answer, PosKind, Visit
from governance.extensions import db
from governance.people.models import GroupKind, Role
from tests import factories
from tests.e2e.conftest import check_a11y, seed, visit
from tests.e2e.test_foundation import log_in


def png(width: int = 400, height: int = 300) -> bytes:
    """A real photo-sized PNG (a gradient), which the phone reduces before sending."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + bytes(v for x in range(width) for v in (x * 255 // width, y * 255 // height, 120))
        for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _binome(app: Flask) -> tuple[int, str]:
    def build() -> tuple[int, str]:
        services.ensure_defaults()
        group = factories.group(kind=GroupKind.COMMITTEE)
        facilitator = factories.person()
        factories.membership(facilitator, group, Role.FACILITATOR)
        people = [factories.person(display_name=f"Binôme {n}") for n in (1, 2)]
        for person in people:
            factories.membership(person, group)
        pos = services.propose(group, people[0], "Ferme sans réseau", PosKind.PRODUCER, why="x")
        made = services.assign_visit(pos, people, date.today(), facilitator)
        return made.id, people[0].email

    return seed(app, build)


def _held(app: Flask, visit_id: int) -> tuple[int, int, bool]:
    def read() -> tuple[int, int, bool]:
        answers = db.session.scalar(
            select(func.count()).select_from(Answer).where(Answer.visit_id == visit_id)
        )
        photos = db.session.scalar(
            select(func.count())
            .select_from(Attachment)
            .where(Attachment.owner_kind == "visit", Attachment.owner_id == visit_id)
        )
        sent = db.session.get_one(Visit, visit_id).submitted_at is not None
        return answers or 0, photos or 0, sent

    return seed(app, read)


def _answer_screen(page: Page) -> int:
    """Answer every question of the screen as a person would: the first choice, or a word."""
    questions = page.locator("fieldset.question")
    for n in range(questions.count()):
        question = questions.nth(n)
        if question.locator("input[type=radio]").count():
            question.locator("label.big-choice").first.click()
        else:
            question.locator("textarea").fill("Oui, vu sur place")
    return questions.count()


def test_a_visit_goes_through_without_network(phone: Any, live_app: Flask, tmp_path: Path) -> None:
    visit_id, email = _binome(live_app)
    page = phone()
    log_in(page, email, factories.PASSWORD)
    visit(page, f"/conventionnement/visites/{visit_id}/1")
    expect(page.locator("[data-offline-ready]")).to_be_visible()  # every screen is on the phone

    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")  # the phone itself knows it is offline
    answered = 0
    while True:
        answered += _answer_screen(page)
        expect(page.locator("[data-pending]")).to_contain_text("pas encore envoy")
        title = page.get_by_role("heading", level=1).inner_text()
        finish = page.get_by_role("button", name="Terminer")
        if finish.count():
            finish.click()
            break
        page.get_by_role("button", name="Écran suivant").click()
        expect(page.get_by_role("heading", level=1)).not_to_have_text(title)
    expect(page.get_by_role("heading", name="Envoyer le questionnaire")).to_be_visible()
    photo = tmp_path / "etal.png"
    photo.write_bytes(png())
    page.get_by_label("Prendre une photo ou choisir un fichier").set_input_files(str(photo))
    expect(page.locator("[data-photo-list] li img")).to_have_count(1)
    page.get_by_label("favorable", exact=True).check()
    page.get_by_role("button", name="Envoyer au comité").click()
    pending = page.locator("[data-pending]")
    expect(pending).to_contain_text(f"{answered + 2} choses pas encore envoyées")
    check_a11y(page)
    page.screenshot(path=str(tmp_path / "offline-visit-fr.png"), full_page=True)
    assert _held(live_app, visit_id) == (0, 0, False)

    page.reload()  # still no network: the page, the photo and the sending are kept
    expect(page.get_by_role("heading", name="Envoyer le questionnaire")).to_be_visible()
    expect(pending).to_contain_text(f"{answered + 2} choses pas encore envoyées")
    expect(page.locator("[data-photo-list] li img")).to_have_count(1)
    expect(page.get_by_label("favorable", exact=True)).to_be_checked()

    page.context.set_offline(False)
    expect(page.locator(".total")).to_contain_text("/ 100")
    assert re.search(r"/rapport$", page.url)
    assert _held(live_app, visit_id) == (answered, 1, True)
    left = page.evaluate(f"Object.keys(localStorage).filter(k => k.includes('-{visit_id}-'))")
    assert left == []
