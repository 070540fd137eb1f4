"""Every page each demo role can reach, on a 390×844 phone, in French and in English.

Each role gets one browser context and follows the site's links from its home page. Each kind
of page (one URL per pattern of path) is checked once per language, by the first role that
reaches it (the widest rights first; the visitor again for public pages), for:

- the document is no wider than the viewport (no sideways scrolling);
- every control a finger must hit is at least 44×44 px (links inside running text aside);
- nothing was logged to the console as an error (a refused inline style, a failed request…);
- axe-core finds no serious or critical violation (in French; English is the same markup);
- chart text is at least 12 px;
- a French page writes no number with an English decimal point.

With ``TABLEE_SCREENSHOTS=1`` (``make screenshots`` runs only this crawl so), a screenshot of
each page is saved as ``screenshots/<lang>/<page>--<role>.png`` (git-ignored) for a person to
look through; the suite itself takes none.
"""

from __future__ import annotations

import os
import re
import time
from collections import deque
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pyotp
import pytest
from playwright.sync_api import Browser, Page

from governance.demo import DEMO_PASSWORD
from governance.people.second_factor import DEMO_SECRET
from tests.e2e.conftest import AXE_SOURCE, PHONE, ROOT, forget_used_codes

SHOTS = ROOT / "screenshots"
SCREENSHOTS = os.environ.get("TABLEE_SCREENSHOTS") == "1"
# The widest rights first: a page is checked by the first role that reaches it, with the most
# controls on it; the visitor sees the public pages again, as the public does.
ROLES = {
    "admin": "admin@tablee.example",
    "facilitator": "animation@tablee.example",
    "treasurer": "tresorerie@tablee.example",
    "local-facilitator": "calim@tablee.example",
    "member": "membre@tablee.example",
    "visitor": None,
}
# Links the crawl does not follow: files for machines, the language switch (each language is
# crawled on its own), one-time codes, and leaving.
SKIP = re.compile(
    r"\.(csv|json|ics|xlsx|atom|beancount)$|^/api/|^/langue/|^/c/|^/carte|^/seances/presence/"
    r"|^/deconnexion|^/static/"
)
MAX_PAGES = 200  # a bound, far above what a role can reach today (the admin: 90)

CHECK_PAGE = """(french) => {
  const vw = document.documentElement.clientWidth;
  const problems = [];
  const wide = document.documentElement.scrollWidth;
  if (wide > vw + 1) {
    const culprits = [...document.querySelectorAll('body *')]
      .filter(e => e.getBoundingClientRect().right > vw + 1 && e.getClientRects().length)
      .filter(e => !e.closest('.table-scroll, [data-scroll]'))
      .slice(-3).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''));
    problems.push(`the page is ${wide} px wide on a ${vw} px screen (${culprits.join(', ')})`);
  }
  const visible = (e) => {
    const s = getComputedStyle(e);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0;
  };
  // A link is part of running text when the block around it holds other words too.
  const inText = (a) => {
    const block = a.closest('p, li, dd, td, th, figcaption, caption, label, .muted, .hint, small');
    if (!block) return false;
    const own = a.textContent.trim().length;
    return block.textContent.trim().length > own + 2;
  };
  const controls = document.querySelectorAll(
    'a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]');
  for (const c of controls) {
    if (!visible(c) || c.closest('.visually-hidden, svg')) continue;
    if (c.tagName !== 'SUMMARY' && c.closest('details:not([open])')) continue;
    if (c.tagName === 'A' && inText(c)) continue;
    let box = c.getBoundingClientRect();
    if (c.matches('input[type=checkbox], input[type=radio]')) {
      const label = c.closest('label') || (c.id && document.querySelector(`label[for="${c.id}"]`));
      const holder = label ? (label.contains(c) ? label : label.parentElement) : null;
      if (holder) box = holder.getBoundingClientRect();
    }
    if (box.width < 43.5 || box.height < 43.5) {
      const name = (c.textContent || c.value || c.name || c.getAttribute('aria-label') || '')
        .trim().replace(/\\s+/g, ' ').slice(0, 40);
      problems.push(`a ${c.tagName.toLowerCase()} "${name}" is ` +
                    `${Math.round(box.width)}×${Math.round(box.height)} px`);
    }
  }
  for (const svg of document.querySelectorAll('main svg[viewBox]')) {
    const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    const small = [...svg.querySelectorAll('text')]
      .map(t => parseFloat(getComputedStyle(t).fontSize) * scale).filter(px => px < 11.95);
    if (small.length) problems.push(`chart text of ${small[0].toFixed(1)} px (12 at least)`);
  }
  if (french) {
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const skip = 'code, pre, kbd, samp, script, style, textarea, .hash, .small-url, [translate=no]';
    const english = /(^|[^\\d.,])\\d{1,3}(,\\d{3})*\\.\\d+(?![\\d.])/;
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent;
      if (!/\\d\\.\\d/.test(text) || !n.parentElement || n.parentElement.closest(skip)) continue;
      const bare = text.replace(/https?:\\/\\/\\S+/g, '').replace(/\\d+(\\.\\d+){2,}/g, '');
      if (english.test(bare)) problems.push(`English decimal point: "${text.trim().slice(0, 60)}"`);
    }
  }
  return problems;
}"""

AXE_RUN = """async () => (await axe.run(document, {resultTypes: ['violations']})).violations
  .filter(v => ['serious', 'critical'].includes(v.impact))
  .map(v => `axe ${v.id} (${v.impact}): ${v.help} — ` + v.nodes.map(n => n.target).join(', '))"""


def _pattern(path: str) -> str:
    """One visit per kind of page: /seances/3 and /seances/4 are the same page."""
    return re.sub(r"\d+", "N", path.rstrip("/") or "/")


def _slug(path: str) -> str:
    return re.sub(r"[^\w-]+", "_", path.strip("/")) or "home"


def _log_in(page: Page, identifier: str) -> None:
    page.goto("/connexion")
    page.locator("input[name=identifier]").fill(identifier)
    page.locator("input[name=secret]").fill(DEMO_PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state("load")
    if urlsplit(page.url).path != "/connexion/code":
        return
    forget_used_codes(identifier)  # a code is taken once: no waiting for the next one
    page.locator("input[name=code]").fill(pyotp.TOTP(DEMO_SECRET).now())
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state("load")
    assert urlsplit(page.url).path != "/connexion/code", "the demo code was refused"


class _Anchors(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "a" and found.get("href") and "download" not in found:
            self.hrefs.append(str(found["href"]))


def _links(html: str, here: str, origin: str) -> list[str]:
    """The site's pages this one links to (not its files, not the language switch…)."""
    anchors = _Anchors()
    anchors.feed(html)
    found = []
    for href in anchors.hrefs:
        parts = urlsplit(urljoin(here, href))
        if f"{parts.scheme}://{parts.netloc}" != origin or SKIP.search(parts.path):
            continue
        if "format=" in parts.query:
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def crawl(
    browser: Browser, base: str, role: str, lang: str, checked: set[str]
) -> tuple[list[str], int]:
    """Visit what ``role`` can reach that no role before it reached in this language (pages
    for members once for them all, public pages once more as a visitor sees them); axe-core
    runs on the French pages (the English ones are the same markup with other words: axe
    took half of each language's crawl)."""
    context = browser.new_context(
        viewport=PHONE,
        is_mobile=True,
        has_touch=True,
        locale="fr-FR" if lang == "fr" else "en-GB",
        base_url=base,
    )
    context.add_cookies([{"name": "lang", "value": lang, "url": base}])
    context.set_default_timeout(10_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    identifier = ROLES[role]
    if identifier:
        _log_in(page, identifier)
    folder = SHOTS / lang
    folder.mkdir(parents=True, exist_ok=True)
    problems: list[str] = []
    queue: deque[str] = deque(["/"])
    seen: set[str] = set()
    try:
        while queue and len(seen) < MAX_PAGES:
            path = queue.popleft()
            pattern = _pattern(urlsplit(path).path)
            if pattern in seen:
                continue
            seen.add(pattern)
            key = f"{pattern} {'member' if identifier else 'visitor'}"
            if key in checked:  # checked as another role: only its links are wanted
                known = context.request.get(base + path)
                if known.ok and "text/html" in known.headers.get("content-type", ""):
                    queue.extend(_links(known.text(), base + path, base))
                continue
            checked.add(key)
            errors.clear()
            response = page.goto(path)
            status = response.status if response else 0
            where = f"[{lang} {role}] {path}"
            if status >= 400 and status != 403:  # a link to nothing, or a failing page
                problems.append(f"{where}: status {status}")
            if status >= 400:
                continue
            found = page.evaluate(CHECK_PAGE, lang == "fr")
            if lang == "fr":
                page.evaluate(AXE_SOURCE)
                found += page.evaluate(AXE_RUN)
            if SCREENSHOTS:
                shot = folder / f"{_slug(pattern)}--{role}.png"
                page.screenshot(path=str(shot), full_page=True)
            problems += [f"{where}: {p}" for p in dict.fromkeys(found)]
            problems += [f"{where}: console: {e}" for e in errors]
            queue.extend(_links(page.content(), page.url, base))
            if re.fullmatch(r"/seances/\d+", path):  # the room and the console, open or not
                queue.extend((f"{path}/salle", f"{path}/console"))
    finally:
        context.close()
    return problems, len(seen)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_page_fits_a_phone(browser: Browser, live_server: str, lang: str) -> None:
    checked: set[str] = set()
    problems: list[str] = []
    for role in ROLES:
        started = time.perf_counter()
        found, reached = crawl(browser, live_server, role, lang, checked)
        print(f"CRAWL {lang} {role}: {reached} pages in {time.perf_counter() - started:.1f} s")
        assert reached >= 3, f"the {role} reached only {reached} pages"
        assert reached < MAX_PAGES, f"the {role} reached the bound: pages were left unchecked"
        problems += found
    assert problems == [], f"{len(problems)} problems:\n" + "\n".join(problems)


def test_screenshots_are_not_committed() -> None:
    ignored = (ROOT / ".gitignore").read_text().split()
    assert "screenshots/" in ignored and Path(SHOTS).name == "screenshots"
