"""Generated bad input posted to every form of the app, on the demo caisse: never a 500, and a
refused request (4xx) leaves the database exactly as it was.

The walker holds every role in every demo group, so that each route reaches its form instead
of stopping at the door. Field names are those of every form class of the app; values are
what people and robots really send: nothing, too much, the wrong type, impossible dates,
invisible characters, markup.
"""

from __future__ import annotations

import contextlib
import inspect
from datetime import date
from io import BytesIO
from typing import Any

import pytest
from flask import Flask
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select, text

from governance.extensions import db
from governance.people.models import Group, Role
from tests import databases, factories
from tests.test_permissions import WORDS

# Routes that change the session the walk relies on, or whose refusals are rightly recorded
# (failed logins count toward the throttle): tested on their own.
SKIPPED = {
    "people.logout",
    "people.set_language",
    "people.login",
    "people.card_login",
    "people.second_factor",
    "people.second_factor_setup",
    "people.choose_pin",
    "people.change_password",
}
# Tables a refusal may legitimately write to (the throttle's attempts, the audit of nothing).
IGNORED_TABLES = {"login_attempt"}
ARG_TABLES = {
    "group_id": "group",
    "household_id": "household",
    "item_id": "agenda_item",
    "meeting_id": "meeting",
    "membership_id": "membership",
    "objection_id": "objection",
    "person_id": "person",
    "pos_id": "point_of_sale",
    "proposal_id": "proposal",
    "round_id": "round",
    "scale_id": "scale",
    "visit_id": "visit",
}
# Every test here starts from the same demo caisse (tests/conftest.py: demo_caisse).
pytestmark = pytest.mark.usefixtures("demo_caisse")
EXAMPLES = 4  # per route: enough to find a crash path, few enough for a 2-core CI

NASTY = st.one_of(
    st.just(""),
    st.just(" "),
    st.just("x" * 25_000),
    st.sampled_from(
        [
            "-1",
            "0",
            "1e309",
            "NaN",
            "-0.001",
            "99999999999999999999",
            "12,5",
            "2026-02-30",
            "0000-00-00",
            "31/12/2026",
            "2026-13",
            "\x00",
            "\u202e\u200b",
            "<script>alert(1)</script>",
            "'; DROP TABLE person; --",
            '{"broken": ',
            "[]",
            "on",
            "y",
            "objection",
            "consent",
            "admin",
            "reference,adults\nF-1,zéro\n",
            # Shapes that once gave a 500 (issue 16).
            "sNaN",
            "Infinity",
            "-Infinity",
            "1E+999999",
            "9999-12-31",
            "0001-01-01",
            "9999-12",
            "[" * 5_000 + "]" * 5_000,
            '{"kind": ' * 3_000,
        ]
    ),
    st.text(max_size=40),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)


def _form_fields() -> list[str]:
    """Every field name of every form class of the app."""
    import governance.budget.forms
    import governance.budget.ledger_forms
    import governance.conventionnement.forms
    import governance.people.forms
    import governance.sessions.forms
    import governance.votes.forms  # noqa: F401  (they define the FlaskForm subclasses)

    names: set[str] = set()
    stack = list(FlaskForm.__subclasses__())
    while stack:
        form = stack.pop()
        stack.extend(form.__subclasses__())
        if form.__module__.startswith("governance"):
            names.update(
                name
                for name, value in inspect.getmembers(form)
                if hasattr(value, "field_class") and not name.startswith("_")
            )
    return sorted(names)


def _fingerprint() -> str:
    return databases.fingerprint(skip=IGNORED_TABLES)


def _walker() -> Any:
    """Someone who is member, facilitator, treasurer and admin of every demo group."""
    walker = factories.person(display_name="Robot de test")
    for group in db.session.scalars(select(Group)):
        for role in Role:
            factories.membership(walker, group, role, starts_on=date(2020, 1, 1))
    return walker


def _ids() -> dict[str, Any]:
    found = {}
    for arg, table in ARG_TABLES.items():
        row = db.session.execute(text(f'SELECT max(id) FROM "{table}"')).scalar()  # noqa: S608
        found[arg] = row or 1
    return found


def _posts(app: Flask, ids: dict[str, Any]) -> list[tuple[str, str]]:
    posts = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.endpoint in SKIPPED:
            continue
        words = WORDS.get(rule.endpoint, {})
        values = {arg: words.get(arg, ids.get(arg, 1)) for arg in rule.arguments}
        posts.append((rule.endpoint, rule.build(values)[1]))
    return sorted(posts)


def _walk(client, token: str, fields: list[str], endpoint: str, path: str, seen: dict) -> None:  # type: ignore[no-untyped-def,type-arg]
    """Hypothesis posts to one route; a failure names the smallest input that breaks it.
    The database is fingerprinted once per example: after it, against what it was before
    (known since the route's first example, or the last one that was accepted)."""
    known = {"state": _fingerprint()}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        form=st.dictionaries(st.sampled_from(fields), NASTY, max_size=8),
        upload=st.one_of(
            st.none(),
            st.binary(max_size=300),
            st.just(b'"' + b"x" * (130 * 1024) + b'",b\n1,2\n'),  # a field over 128 KiB
        ),
    )
    def post(form: dict[str, str], upload: bytes | None) -> None:
        data: dict[str, Any] = {**form, "csrf_token": token}
        if upload is not None:
            data["upload"] = (BytesIO(upload), "bad.csv")
        response = client.post(path, data=data, headers={"X-CSRFToken": token})
        where = f"POST {path} ({endpoint}) with {form!r}"
        assert response.status_code < 500, where
        seen[response.status_code] = seen.get(response.status_code, 0) + 1
        after = _fingerprint()
        if response.status_code >= 400:
            assert after == known["state"], f"half-written by a refusal: {where}"
        known["state"] = after

    post()


PARTS = 4  # the walk in four parts, which the suite's workers share


@pytest.mark.parametrize("part", range(PARTS))
def test_generated_bad_input_never_breaks_anything(app: Flask, client, part: int) -> None:  # type: ignore[no-untyped-def]
    walker = _walker()
    db.session.commit()
    factories.login(client, walker)
    token = client.csrf_token()
    fields = _form_fields()
    every_post = _posts(app, _ids())
    # the walk covers the app, not a corner of it
    assert len(every_post) > 40 and len(fields) > 40
    posts = every_post[part::PARTS]
    seen: dict[int, int] = {}

    for endpoint, path in posts:
        _walk(client, token, fields, endpoint, path, seen)

    # The walk reached the forms: most answers are refusals with the form back (422).
    assert seen.get(422, 0) > len(posts), seen


HUGE_IDS = ("0", "2147483648", "9" * 30)


def _public_gets(app: Flask) -> list[tuple[str, str]]:
    """Every public GET route, its numbers huge (past PostgreSQL's integer, past 64 bits)."""
    from governance.permissions import PERMISSIONS, Access

    paths = []
    for rule in app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or PERMISSIONS.get(rule.endpoint) != Access.PUBLIC:
            continue
        if rule.endpoint == "static":
            continue
        words = WORDS.get(rule.endpoint, {})
        for huge in HUGE_IDS:
            values = {
                arg: words.get(arg, huge if "id" in arg or "number" in arg else "x")
                for arg in rule.arguments
            }
            with contextlib.suppress(ValueError):  # a converter refusing the value: no such URL
                paths.append((rule.endpoint, rule.build(values)[1]))
    return sorted(set(paths))


def test_public_pages_take_any_query_without_a_500(app: Flask, client) -> None:  # type: ignore[no-untyped-def]
    """Anonymous GETs of every public route, with huge ids and bad query values."""
    gets = _public_gets(app)
    assert len(gets) > 15
    seen: dict[int, int] = {}

    @settings(
        max_examples=2,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(
        query=st.dictionaries(
            st.sampled_from(
                ["page", "q", "mois", "month", "start", "end", "group", "year", "kind", "lang"]
            ),
            NASTY.filter(lambda v: len(v) < 2_000),
            max_size=3,
        )
    )
    def get(query: dict[str, str]) -> None:
        for endpoint, path in gets:
            response = client.get(path, query_string={**query, "page": query.get("page", "9" * 30)})
            assert response.status_code < 500, f"GET {path} ({endpoint}) with {query!r}"
            seen[response.status_code] = seen.get(response.status_code, 0) + 1

    get()
    assert seen.get(404, 0) > 0 and seen.get(200, 0) > 0, seen
