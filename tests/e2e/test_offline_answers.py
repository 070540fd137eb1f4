"""A binôme answers on a farm without network; their session ends meanwhile (a short idle limit
in this test's own app). Back online the phone keeps the answers and says to log in again; after
logging in they arrive. Logging out with answers waiting warns first, and the next person on the
same phone neither sees nor sends them."""

from __future__ import annotations

import contextvars
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask_migrate import upgrade
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select
from werkzeug.serving import make_server

from governance import create_app
from governance.conventionnement.models import Answer
from governance.demo import DEMO_PASSWORD, DEMO_PIN, DEMO_PIN_USER, load_demo
from governance.extensions import db
from tests import databases
from tests.e2e.conftest import PHONE, check_a11y
from tests.e2e.test_conventionnement import FARM, choose

IDLE_S = 6


@pytest.fixture(scope="module")
def short_idle(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Any]]:
    """The demo served by an app whose idle limit is a few seconds."""
    with databases.database(tmp_path_factory.mktemp("idle"), "idle") as url:
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": url,
                "SECRET_KEY": "e2e-idle-secret",
                "IDLE_TIMEOUT_MINUTES": IDLE_S / 60,
                # The binôme are plain members, whose phones stay logged in longer.
                "MEMBER_IDLE_TIMEOUT_MINUTES": IDLE_S / 60,
            }
        )

        def prepare() -> None:
            with app.app_context():
                upgrade()
                load_demo()
                db.session.commit()

        contextvars.Context().run(prepare)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(
            target=contextvars.Context().run, args=(server.serve_forever,), daemon=True
        )
        thread.start()
        yield f"http://127.0.0.1:{server.server_port}", app
        server.shutdown()
        thread.join(timeout=5)

        def close() -> None:
            with app.app_context():
                databases.close_pool(db)

        contextvars.Context().run(close)


def answers(app: Any, visit_id: int) -> dict[str, str]:
    def read() -> dict[str, str]:
        with app.app_context():
            rows = db.session.execute(
                select(Answer.question, Answer.value).where(Answer.visit_id == visit_id)
            ).all()
            db.session.remove()
            return {question: value for question, value in rows}

    return contextvars.Context().run(read)


def log_in(page: Page, identifier: str, secret: str) -> None:
    page.get_by_label(re.compile("Adresse e-mail ou identifiant|E-mail address or username")).fill(
        identifier
    )
    page.get_by_label(re.compile("Mot de passe|Password")).fill(secret)
    page.get_by_role("button", name=re.compile("Se connecter|Log in")).click()
    page.wait_for_load_state("load")


def test_answers_given_offline_survive_the_end_of_the_session(
    browser: Browser, short_idle: tuple[str, Any], tmp_path: Path
) -> None:
    base, app = short_idle
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="fr-FR", base_url=base
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        page.goto("/connexion")
        log_in(page, "membre@tablee.example", DEMO_PASSWORD)
        page.goto("/conventionnement/")
        page.get_by_role("link", name=FARM).first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("La ferme")
        screen = page.url
        visit_id = int(screen.rstrip("/").split("/")[-2])
        assert answers(app, visit_id) == {}
        context.set_offline(True)
        choose(page, "exploitation industrielle", "Non")
        choose(page, "taille de la ferme", "Petite ferme ou collectif paysan")
        choose(page, "conditions de travail", "Oui")
        expect(page.locator('[data-status-for="staff"]')).to_contain_text("Pas encore envoyé")
        time.sleep(IDLE_S + 2)  # a long morning on the farm: the session ends meanwhile
        context.set_offline(False)
        note = page.locator("[data-login-note]")
        expect(note).to_be_visible()
        expect(note).to_contain_text("reconnectez-vous pour envoyer vos 3 réponses")
        expect(page.locator('[data-status-for="staff"]')).to_contain_text("Pas encore envoyé")
        check_a11y(page)
        page.screenshot(path=str(tmp_path / "offline-401-fr.png"), full_page=True)
        assert answers(app, visit_id) == {}
        note.get_by_role("link").click()
        log_in(page, "membre@tablee.example", DEMO_PASSWORD)
        assert page.url == screen
        for code in ("chain", "independent", "staff"):
            expect(page.locator(f'[data-status-for="{code}"]')).to_contain_text("Enregistré")
        expect(note).to_be_hidden()
        saved = answers(app, visit_id)
        assert saved["staff"] == "good" and len(saved) == 3, saved

        # Logging out with an answer still waiting: a warning first; the answer stays hers.
        context.set_offline(True)
        choose(page, "conditions de travail", "Non")
        expect(page.locator('[data-status-for="staff"]')).to_contain_text("Pas encore envoyé")
        page.route("**/reponse", lambda route: route.abort())  # the network fails again
        context.set_offline(False)
        page.wait_for_timeout(300)
        warned: list[str] = []

        def dismiss(dialog: Any) -> None:
            warned.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", dismiss)
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_timeout(300)
        assert warned and "pas encore envoyée" in warned[0], warned
        assert page.url == screen  # she stayed
        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="Se déconnecter").click()
        page.wait_for_load_state("load")
        page.unroute("**/reponse")

        # Ahmed, the other half of the binôme, on the same phone: Fatou's answer is not his.
        page.goto("/connexion")
        log_in(page, DEMO_PIN_USER, DEMO_PIN)
        page.goto(screen)
        staff = page.get_by_role("group", name=re.compile("conditions de travail"))
        expect(staff.get_by_label("Oui")).to_be_checked()
        expect(page.locator('[data-status-for="staff"]')).not_to_contain_text("Pas encore envoyé")
        page.wait_for_timeout(500)
        assert answers(app, visit_id)["staff"] == "good"
        stored = page.evaluate("Object.keys(localStorage)")
        assert any(key.endswith("-p" + page.locator("[data-visit-offline]").get_attribute(
            "data-person"
        )) for key in stored) is False
    finally:
        context.close()
