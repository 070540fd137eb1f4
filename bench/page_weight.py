"""Page weight: what a phone downloads on its first visit to each page a member uses.

A member opens Tablée on a phone over a weak mobile connection (a farm's yard, a community
hall's basement): the first load, with an empty cache, is the one that counts. This benchmark
fills a throw-away SQLite database with the demo caisse, serves the real app with the project's
``gunicorn.conf.py``, logs in once as Fatou Diallo (a member of the binôme visiting the Ferme des
Garrigues) through the login form, then opens each page in a new phone-sized Chromium context
that has her cookies but an empty HTTP cache, and records every request until the network is
idle (the live room's first poll, 3 s later, is not part of the load). The public portal's
pages are opened the same way by a visitor without an account (no cookie at all), against
their own target: at most 50 KB compressed and 5 requests on the first load.

The app compresses its responses itself (Flask-Compress: zstd, brotli or gzip, whichever
Chromium takes): those count with their encoded size as they came over the wire. A body the app
left uncompressed (under its 500-byte threshold) is gzipped here at level 6, as a reverse proxy
would send it; only text types are, as a proxy's ``gzip_types`` would do. The
response headers are counted as they came over HTTP/1.1 (an approximation: HTTP/2 would compress
them); the requests' own headers go up, not down, and are not counted.

The app declares no icon, so Chromium asks ``/favicon.ico`` by itself, once per browser and
outside the page: Playwright does not report that request, and it is left out of the counts (any
favicon request a page does report is left out too, and shown apart). What it costs a phone is
probed separately and printed on its own line.

Run: ``.venv/bin/python bench/page_weight.py [--top 3] [--workers N] [--threads N]``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import secrets
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from flask_migrate import upgrade
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Request,
    StorageState,
    ViewportSize,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `import governance` without relying on the editable install

from ceiling import (  # noqa: E402
    BenchError,
    ServerConfig,
    gunicorn,
    server_config,
    status_of,
)

from governance import create_app  # noqa: E402
from governance.conventionnement.models import PointOfSale, Visit  # noqa: E402
from governance.demo import DEMO_PASSWORD, load_demo  # noqa: E402
from governance.extensions import db  # noqa: E402
from governance.sessions.models import Meeting  # noqa: E402

MEMBER = "membre@tablee.example"  # Fatou Diallo, in the binôme of the Ferme des Garrigues
FARM = "Ferme des Garrigues"
DECEMBER = "Séance mensuelle de décembre"  # the committee's; CALIM's December one is not hers
CHROMIUM = "/usr/bin/chromium"
# As in tests/e2e/conftest.py (not imported: it pulls pytest in): what runs on this machine.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = ViewportSize(width=390, height=844)
GZIP_LEVEL = 6  # nginx's and most proxies' usual level
COMPRESSIBLE = ("text/", "javascript", "json", "xml", "svg")  # a proxy's gzip_types
FAVICON = "/favicon.ico"
TARGET_BYTES = 60 * 1024
TARGET_REQUESTS = 6
PUBLIC_TARGET_BYTES = 50 * 1024
PUBLIC_TARGET_REQUESTS = 5
# The public portal, as a visitor without an account opens it.
PUBLIC_PAGES = [
    ("pub_home", "/"),
    ("pub_register", "/decisions"),
    ("pub_search", "/decisions?q=march%C3%A9"),
    ("pub_decision", "/decisions/CCA-2026-001"),
    ("pub_verify", "/decisions/verifier"),
    ("pub_points", "/points-de-vente"),
    ("pub_open_data", "/api"),
    ("pub_minutes", "/seances/comptes-rendus"),
]
ANONYMOUS = {"login"} | {name for name, _ in PUBLIC_PAGES}
LOAD_TIMEOUT_MS = 30_000
READY_TIMEOUT_S = 20.0
KB = 1024


# --- the data -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    visit_id: int
    meeting_id: int


def configure_env(db_path: Path) -> dict[str, str]:
    """The settings for the setup here, exported too for gunicorn, which inherits them."""
    settings = {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{db_path}",
        "SECRET_KEY": secrets.token_urlsafe(32),
    }
    for key, value in settings.items():
        os.environ[f"TABLEE_{key}"] = value
    return settings


def prepare(settings: dict[str, str]) -> Targets:
    """Migrate, load the demo and commit; the ids of the farm's visit and December's meeting."""
    app = create_app(dict(settings))
    with app.app_context():
        upgrade()
        load_demo()
        db.session.commit()
        visit_id = db.session.scalar(
            select(Visit.id)
            .join(PointOfSale, Visit.pos_id == PointOfSale.id)
            .where(PointOfSale.name == FARM)
        )
        meeting_id = db.session.scalar(select(Meeting.id).where(Meeting.title == DECEMBER))
        db.session.remove()  # nothing left open while gunicorn's workers write
    if visit_id is None or meeting_id is None:
        raise BenchError(f"the demo has no visit to {FARM!r} or no meeting {DECEMBER!r}")
    return Targets(visit_id, meeting_id)


def pages(targets: Targets) -> list[tuple[str, str]]:
    """The pages a member's phone uses, by short name; the login page is seen logged out."""
    return [
        ("questionnaire", f"/conventionnement/visites/{targets.visit_id}/1"),
        ("login", "/connexion"),
        ("home", "/"),
        ("meetings", "/seances/"),
        ("room", f"/seances/{targets.meeting_id}/salle"),
        ("points_of_sale", "/conventionnement/"),
        ("decisions", "/decisions"),
        *PUBLIC_PAGES,
    ]


# --- the server ---------------------------------------------------------------------------


@contextmanager
def serve(config: ServerConfig, log: Path) -> Iterator[str]:
    """Run gunicorn for the block's duration and yield its base URL; stopped even on error."""
    with gunicorn(config, log, lambda port: status_of(port, "/connexion")) as (port, _process):
        yield f"http://127.0.0.1:{port}"


# --- the measure --------------------------------------------------------------------------


@dataclass(frozen=True)
class Resource:
    path: str
    kind: str  # Playwright's resource type: document, script, stylesheet…
    status: int  # 0: no response
    body: int  # as the app sent it, uncompressed
    compressed: int  # gzip level 6 for text types, else as sent
    headers: int  # the response's header bytes

    @property
    def raw(self) -> int:
        return self.body + self.headers

    @property
    def gzipped(self) -> int:
        return self.compressed + self.headers


@dataclass
class PageWeight:
    name: str
    path: str
    status: int  # the document's, after redirects; 0: no response
    resources: list[Resource] = field(default_factory=list)
    favicon: int = 0  # requests for /favicon.ico, left out of the counts
    failed: list[str] = field(default_factory=list)  # requests without an answer

    @property
    def requests(self) -> int:
        return len(self.resources)

    @property
    def raw(self) -> int:
        return sum(r.raw for r in self.resources)

    @property
    def gzipped(self) -> int:
        return sum(r.gzipped for r in self.resources)

    @property
    def loaded(self) -> bool:
        """The document and every resource answered below 400."""
        return (
            0 < self.status < 400
            and not self.failed
            and all(0 < r.status < 400 for r in self.resources)
        )


def compressed_size(body: bytes, content_type: str) -> int:
    """What a reverse proxy would send: gzip for text types, images and fonts untouched."""
    if not body or not any(marker in content_type for marker in COMPRESSIBLE):
        return len(body)
    return len(gzip.compress(body, compresslevel=GZIP_LEVEL, mtime=0))


def body_of(request: Request) -> bytes:
    response = request.response()
    if response is None:
        return b""
    try:
        return response.body()
    except PlaywrightError:  # a redirect has no body to read
        return b""


def resource_of(request: Request) -> Resource:
    """One finished request: its body, compressed here unless the app already did."""
    response = request.response()
    headers = response.headers if response is not None else {}
    sizes = request.sizes()
    body = body_of(request)
    if headers.get("content-encoding"):
        compressed = max(0, sizes["responseBodySize"])  # as it came over the wire
    else:
        compressed = compressed_size(body, headers.get("content-type", ""))
    return Resource(
        path=urlsplit(request.url).path,
        kind=request.resource_type,
        status=response.status if response is not None else 0,
        body=len(body),
        compressed=compressed,
        headers=max(0, sizes["responseHeadersSize"]),
    )


def measure_page(context: BrowserContext, base_url: str, name: str, path: str) -> PageWeight:
    """A new page in a context with an empty cache; every request until the network is idle."""
    finished: list[Request] = []
    failed: list[Request] = []
    page = context.new_page()
    # Playwright tags each handler with an attribute: a bound builtin like list.append refuses it.
    page.on("requestfinished", lambda request: finished.append(request))
    page.on("requestfailed", lambda request: failed.append(request))
    response = page.goto(base_url + path, wait_until="networkidle", timeout=LOAD_TIMEOUT_MS)
    weight = PageWeight(name, path, response.status if response is not None else 0)
    for request in finished:
        if urlsplit(request.url).path == FAVICON:
            weight.favicon += 1
        else:
            weight.resources.append(resource_of(request))
    weight.failed = [r.url for r in failed if urlsplit(r.url).path != FAVICON]
    page.close()
    return weight


def new_phone(browser: Browser, base_url: str, state: StorageState | None) -> BrowserContext:
    """A fresh context is a fresh profile: empty HTTP cache, only the cookies given."""
    context = browser.new_context(
        base_url=base_url,
        storage_state=state,
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale="fr-FR",
    )
    context.set_default_timeout(LOAD_TIMEOUT_MS)
    return context


def probe_favicon(context: BrowserContext) -> Resource:
    """``/favicon.ico`` as a phone's browser gets it by itself; headers approximated."""
    response = context.request.get(FAVICON)
    body = response.body()
    headers = response.headers_array
    # Status line, "name: value" lines with CRLF, and the blank line that ends them.
    head = len(f"HTTP/1.1 {response.status} {response.status_text}") + 4
    head += sum(len(h["name"]) + len(h["value"]) + 4 for h in headers)
    return Resource(
        path=FAVICON,
        kind="favicon",
        status=response.status,
        body=len(body),
        compressed=compressed_size(body, response.headers.get("content-type", "")),
        headers=head,
    )


def log_in(browser: Browser, base_url: str) -> StorageState:
    """Through the login form, as a member does; the cookies the other phones start with."""
    context = new_phone(browser, base_url, None)
    try:
        page = context.new_page()
        page.goto("/connexion")
        page.fill("#identifier", MEMBER)
        page.fill("#secret", DEMO_PASSWORD)
        with page.expect_navigation():
            page.press("#secret", "Enter")
        # A refused login answers the form again (422 or 429) on /connexion.
        if urlsplit(page.url).path == "/connexion":
            raise BenchError(f"the login as {MEMBER} was refused")
        return context.storage_state()
    finally:
        context.close()


def measure_all(base_url: str, targets: Targets) -> tuple[list[PageWeight], Resource]:
    """Log in once, then every page on its own phone (logged out for the login page only);
    the favicon probe last."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            state = log_in(browser, base_url)
            weights = []
            for name, path in pages(targets):
                context = new_phone(browser, base_url, None if name in ANONYMOUS else state)
                try:
                    weights.append(measure_page(context, base_url, name, path))
                finally:
                    context.close()
            context = new_phone(browser, base_url, state)
            try:
                return weights, probe_favicon(context)
            finally:
                context.close()
        finally:
            browser.close()


# --- the figures --------------------------------------------------------------------------


def kb(size: int) -> str:
    return f"{size / KB:.1f} KB"


def verdict(met: bool) -> str:
    return "ok" if met else "MISSED"


def print_page(weight: PageWeight, top: int) -> None:
    status = "ok" if weight.loaded else "FAILED"
    favicon = f", +{weight.favicon} favicon left out" if weight.favicon else ""
    print(f"{weight.name:<15} {weight.path}  (document {weight.status}, {status})")
    print(
        f"  {weight.requests} requests{favicon}   raw {kb(weight.raw)}   gzip {kb(weight.gzipped)}"
    )
    biggest = sorted(weight.resources, key=lambda r: r.gzipped, reverse=True)[:top]
    for resource in biggest:
        print(
            f"    {resource.kind:<10} {resource.status:>3} {kb(resource.raw):>9} raw "
            f"{kb(resource.gzipped):>9} gzip  {resource.path}"
        )
    for url in weight.failed:
        print(f"    no answer: {url}")


def print_table(weights: list[PageWeight]) -> None:
    print(f"{'page':<15} {'requests':>8} {'raw':>10} {'gzip':>10}")
    for weight in weights:
        print(
            f"{weight.name:<15} {weight.requests:>8} {kb(weight.raw):>10} {kb(weight.gzipped):>10}"
        )


def report(weights: list[PageWeight], favicon: Resource, top: int) -> str:
    """Print the figures; return the one-line summary."""
    for weight in weights:
        print_page(weight, top)
    print()
    print_table(weights)
    print(
        f"favicon     {FAVICON} answers {favicon.status}: {kb(favicon.raw)} raw, "
        f"{kb(favicon.gzipped)} gzip, once per browser; in none of the figures above"
    )
    questionnaire = next(w for w in weights if w.name == "questionnaire")
    print(
        f"target      questionnaire <= {kb(TARGET_BYTES)} gzip: "
        f"{verdict(questionnaire.gzipped <= TARGET_BYTES)} ({kb(questionnaire.gzipped)}); "
        f"<= {TARGET_REQUESTS} requests: "
        f"{verdict(questionnaire.requests <= TARGET_REQUESTS)} ({questionnaire.requests})"
    )
    public = [w for w in weights if w.name in {name for name, _ in PUBLIC_PAGES}]
    heaviest = max(public, key=lambda w: w.gzipped)
    busiest = max(public, key=lambda w: w.requests)
    print(
        f"target      public pages <= {kb(PUBLIC_TARGET_BYTES)} gzip: "
        f"{verdict(heaviest.gzipped <= PUBLIC_TARGET_BYTES)} "
        f"(heaviest {heaviest.name} {kb(heaviest.gzipped)}); "
        f"<= {PUBLIC_TARGET_REQUESTS} requests: "
        f"{verdict(busiest.requests <= PUBLIC_TARGET_REQUESTS)} "
        f"(most {busiest.name} {busiest.requests})"
    )
    worst = max(weights, key=lambda w: w.gzipped)
    return (
        f"page_weight: questionnaire_kb={questionnaire.gzipped / KB:.1f} "
        f"questionnaire_requests={questionnaire.requests} worst_page={worst.name} "
        f"worst_kb={worst.gzipped / KB:.1f} public_worst_kb={heaviest.gzipped / KB:.1f} "
        f"public_max_requests={busiest.requests}"
    )


# --- the run ------------------------------------------------------------------------------


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=3, help="biggest resources shown per page")
    parser.add_argument("--workers", type=int, help="default: gunicorn.conf.py")
    parser.add_argument("--threads", type=int, help="default: gunicorn.conf.py")
    args = parser.parse_args()
    if args.top < 0 or (args.workers or 1) < 1 or (args.threads or 1) < 1:
        parser.error("--top must be >= 0, --workers and --threads >= 1")
    return args


def measure(config: ServerConfig, tmp: Path) -> tuple[list[PageWeight], Resource]:
    """Set up, serve, load every page; the server's log is attached to any failure."""
    targets = prepare(configure_env(tmp / "tablee.db"))
    log = tmp / "gunicorn.log"
    try:
        with serve(config, log) as base_url:
            return measure_all(base_url, targets)
    except (BenchError, PlaywrightError) as error:
        server_log = log.read_text(errors="replace") if log.exists() else ""
        raise BenchError(f"{error}\n{server_log}") from error


def main() -> int:
    args = parse_args()
    config = server_config(args.workers, args.threads)
    with tempfile.TemporaryDirectory(prefix="tablee-page-weight-") as tmp:
        try:
            weights, favicon = measure(config, Path(tmp))
        except BenchError as error:
            print(f"page_weight: failed: {error}", file=sys.stderr)
            return 2
    summary = report(weights, favicon, args.top)
    failed = [w.name for w in weights if not w.loaded]
    if failed:
        print(f"failed      {', '.join(failed)} did not load (status >= 400 or no answer)")
    print(summary)  # last, so that `tail -n 1` finds it
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
