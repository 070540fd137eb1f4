"""The public API against its OpenAPI document: schemathesis generates requests from the
document and sends them to the demo app served on loopback; every answer must be one the
document describes (status, content type, body schema), and never a server error."""

from __future__ import annotations

import contextvars
from typing import Any

import requests
import schemathesis
from hypothesis import HealthCheck, settings

from governance import create_app
from governance.public.openapi import document


def _document() -> dict[str, Any]:
    """The document as the app builds it (collection time: no server yet; the test below
    checks that the running app serves this same document)."""
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "schema-only"})

    def build() -> dict[str, Any]:
        with app.test_request_context():
            return document()

    return contextvars.Context().run(build)


DOCUMENT = _document()
schema = schemathesis.openapi.from_dict(DOCUMENT)


def test_the_running_app_serves_this_document(demo_server: str) -> None:
    served = requests.get(f"{demo_server}/api/openapi.json", timeout=10)
    assert served.status_code == 200 and served.json() == DOCUMENT


@schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_document_says(case: Any, demo_server: str) -> None:
    case.call_and_validate(base_url=demo_server)


def test_a_real_reference_answers_the_whole_decision(demo_server: str) -> None:
    listing = requests.get(f"{demo_server}/api/decisions", timeout=10).json()
    assert listing["total"] >= 2
    reference = listing["decisions"][0]["reference"]
    decision = requests.get(f"{demo_server}/api/decisions/{reference}", timeout=10).json()
    assert decision["reference"] == reference and decision["rounds"]
