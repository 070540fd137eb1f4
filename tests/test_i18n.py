"""French is complete and the catalogs follow the code; English is available."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def _catalog(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def _ids(catalog: Catalog) -> set[str]:
    return {m.id if isinstance(m.id, str) else m.id[0] for m in catalog if m.id}


@pytest.fixture(scope="module")
def fresh_template(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """What `make i18n` would extract from the code as it is now."""
    out = tmp_path_factory.mktemp("i18n") / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "lazy_ngettext:1,2",
            "-o",
            str(out),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    return _catalog(out)


def test_template_is_up_to_date(fresh_template: Catalog) -> None:
    committed = _catalog(TRANSLATIONS / "messages.pot")
    missing = _ids(fresh_template) - _ids(committed)
    stale = _ids(committed) - _ids(fresh_template)
    assert not missing, f"run `make i18n`: strings not in messages.pot: {sorted(missing)[:10]}"
    assert not stale, f"run `make i18n`: strings no longer in the code: {sorted(stale)[:10]}"


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_catalog_follows_the_template(lang: str) -> None:
    template = _catalog(TRANSLATIONS / "messages.pot")
    catalog = _catalog(TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po")
    assert _ids(catalog) == _ids(template), f"run `make i18n` to update {lang}"


def test_french_is_complete_with_the_same_placeholders() -> None:
    catalog = _catalog(TRANSLATIONS / "fr" / "LC_MESSAGES" / "messages.po")
    problems = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated or fuzzy: {ids[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ: {ids[0]!r} → {string!r}")
    assert problems == []


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_catalog_compiles_without_error(lang: str, tmp_path: Path) -> None:
    """pybabel refuses a translation whose placeholders differ in kind (%s vs %d)."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "compile",
            "-d",
            str(TRANSLATIONS),
            "-l",
            lang,
            "-o",
            str(tmp_path / "messages.mo"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "error" not in result.stderr.lower(), result.stderr
