"""Production serving: compressed answers, static files cached for a year under a URL that
changes with their content, everything else revalidated."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import brotli

from governance.config import ROOT

STATIC = ROOT / "governance" / "static"


def _static_urls(html: str) -> list[str]:
    return re.findall(r'(?:href|src)="(/static/[^"]+)"', html)


def test_static_urls_carry_the_hash_of_their_file(client) -> None:  # type: ignore[no-untyped-def]
    urls = _static_urls(client.get("/").get_data(as_text=True))
    assert any("css/tablee.css" in url for url in urls)
    for url in urls:
        path, version = re.fullmatch(r"/static/([^?]+)\?v=([0-9a-f]{12})", url).groups()  # type: ignore[union-attr]
        assert hashlib.sha256((STATIC / path).read_bytes()).hexdigest()[:12] == version


def test_a_versioned_static_file_is_kept_a_year_others_are_revalidated(client) -> None:  # type: ignore[no-untyped-def]
    (url,) = [u for u in _static_urls(client.get("/").get_data(as_text=True)) if "tablee.css" in u]
    kept = client.get(url)
    assert kept.status_code == 200
    assert kept.cache_control.max_age == 365 * 24 * 3600
    assert kept.cache_control.public and kept.cache_control.immutable
    for other in ("/static/css/tablee.css", "/static/css/tablee.css?v=000000000000"):
        answer = client.get(other)
        assert answer.status_code == 200 and not answer.cache_control.immutable
        assert answer.cache_control.max_age is None
        answer.close()
    kept.close()


def test_pages_and_static_files_are_compressed_for_phones_that_accept_it(client) -> None:  # type: ignore[no-untyped-def]
    plain = client.get("/").get_data()
    squeezed = client.get("/", headers={"Accept-Encoding": "br"})
    assert squeezed.headers["Content-Encoding"] == "br"
    assert "Accept-Encoding" in squeezed.headers["Vary"]
    assert brotli.decompress(squeezed.get_data()) == plain
    assert len(squeezed.get_data()) < len(plain) / 2
    zipped = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.get_data()) == plain
    script = client.get("/static/vendor/htmx.min.js", headers={"Accept-Encoding": "br"})
    assert script.headers["Content-Encoding"] == "br"
    body = brotli.decompress(script.get_data())
    script.close()
    assert body == Path(STATIC / "vendor" / "htmx.min.js").read_bytes()


def test_behind_a_proxy_the_client_address_comes_from_its_headers(database_url: str) -> None:
    """With TABLEE_PROXY_HOPS=1 the login throttle counts the phone's address, not the proxy's;
    with 0 (no proxy) a forged header changes nothing."""
    import contextvars

    from flask_migrate import upgrade
    from sqlalchemy import select

    from governance import create_app
    from governance.extensions import db
    from governance.people.models import LoginAttempt
    from tests import databases
    from tests.conftest import Client

    def addresses(hops: int) -> list[str]:
        app = create_app(
            {"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "x", "PROXY_HOPS": hops}
        )
        app.test_client_class = Client

        def run() -> list[str]:
            with app.app_context():
                upgrade()
                client = app.test_client()
                client.post(
                    "/connexion",
                    data={
                        "csrf_token": client.csrf_token("/connexion"),
                        "identifier": "nobody",
                        "secret": "wrong",
                    },
                    headers={"X-Forwarded-For": "203.0.113.9"},
                )
                found = list(db.session.scalars(select(LoginAttempt.address)))
                databases.close_pool(db)
                return found

        return contextvars.Context().run(run)

    assert addresses(0) == ["127.0.0.1"]
    assert addresses(1) == ["127.0.0.1", "203.0.113.9"]
