"""Full-text search of the decision register, French-aware.

SQLite: the FTS5 table ``decision_search`` (tokenizer ``unicode61 remove_diacritics 2``) is kept
in sync with ``decision`` by triggers (see the migration), which index the *stems* of the words:
``fr_stems()``, a function registered on every connection, runs the Snowball French stemmer, so
"décisions", "décision" and "Decision" all index as "decis". A query goes through the same
stemmer, drops the small words that carry no meaning ("de", "la"…), and each stem matches as a
prefix, so a word typed in part still finds.

PostgreSQL: ``queries._register_postgresql`` matches ``to_tsvector('french', …)`` of the text,
lowercased and with its accents folded by ``translate``, against ``to_tsquery('french', …)`` of
the typed words folded the same way, each as a prefix (``pg_query``): PostgreSQL's French
configuration is the same Snowball stemmer. (A GIN index on that expression would make it fast
over a large register; not written yet.)
"""

from __future__ import annotations

import functools
import re
import sqlite3
import threading
from typing import Any

import snowballstemmer
from sqlalchemy import Engine, event

WORD = re.compile(r"\w+")
MAX_TERMS = 12
# Words too common to help a search (they are indexed, only dropped from queries).
STOPWORDS = frozenset(
    [
        "a",
        "au",
        "aux",
        "avec",
        "ce",
        "ces",
        "dans",
        "de",
        "des",
        "du",
        "elle",
        "en",
        "et",
        "eux",
        "il",
        "je",
        "l",
        "la",
        "le",
        "les",
        "leur",
        "lui",
        "ma",
        "mais",
        "me",
        "même",
        "mes",
        "moi",
        "mon",
        "ne",
        "nos",
        "notre",
        "nous",
        "on",
        "ou",
        "par",
        "pas",
        "pour",
        "qu",
        "que",
        "qui",
        "sa",
        "se",
        "ses",
        "son",
        "sur",
        "ta",
        "te",
        "tes",
        "toi",
        "ton",
        "tu",
        "un",
        "une",
        "vos",
        "votre",
        "vous",
        "d",
        "c",
        "j",
        "m",
        "n",
        "s",
        "t",
        "y",
        "à",
        "été",
        "être",
        "est",
        "sont",
    ]
)

_local = threading.local()


def _stemmer() -> Any:
    # Snowball's Python stemmers keep state while they work: one per thread.
    stemmer = getattr(_local, "stemmer", None)
    if stemmer is None:
        stemmer = _local.stemmer = snowballstemmer.stemmer("french")
    return stemmer


def words(text: str) -> list[str]:
    return WORD.findall(text.casefold())


@functools.lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """One word's stem; a language has far fewer words than a register has, so most are
    found here (Snowball's pure-Python stemmer is slow)."""
    return str(_stemmer().stemWord(word))


def stems(text: str | None) -> str:
    """The text as the index stores it: each word's French stem, in order."""
    if not text:
        return ""
    return " ".join(stem(word) for word in words(text))


def fts_query(text: str) -> str | None:
    """An FTS5 query for what someone typed: every meaningful word must match (as a stem
    prefix); None when nothing searchable is left. Only word characters reach FTS5, quoted,
    so no input can be a syntax error."""
    found = words(text)
    meaningful = [w for w in found if w not in STOPWORDS] or found
    terms = list(dict.fromkeys(stem(word) for word in meaningful[:MAX_TERMS]))
    if not terms:
        return None
    return " ".join(f'"{term}"*' for term in terms)


# Accents folded on PostgreSQL, by ``translate`` in SQL and by ``fold`` here (the same pairs).
ACCENTED = "àâäáãåéèêëíìîïóòôöõúùûüýÿçñœæ"
PLAIN = "aaaaaaeeeeiiiiooooouuuuyycnoa"


def fold(word: str) -> str:
    return word.translate(str.maketrans(ACCENTED, PLAIN))


def pg_query(text: str) -> str:
    """A ``to_tsquery`` for what someone typed: every meaningful word, accents folded, as a
    prefix; only letters and digits reach PostgreSQL, so no input is a syntax error."""
    found = [re.sub(r"[^a-z0-9]", "", fold(w)) for w in words(text)]
    found = [w for w in found if w]
    meaningful = [w for w in found if w not in STOPWORDS] or found
    terms = list(dict.fromkeys(meaningful[:MAX_TERMS])) or ["zzzzzz"]
    return " & ".join(f"{term}:*" for term in terms)


def register_functions(connection: sqlite3.Connection) -> None:
    """``fr_stems(text)`` for the triggers that keep the index in sync."""
    connection.create_function("fr_stems", 1, stems, deterministic=True)


def configure_engine(engine: Engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        register_functions(dbapi_connection)
