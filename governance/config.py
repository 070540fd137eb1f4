"""Configuration: defaults, then environment variables prefixed with ``TABLEE_``."""

from __future__ import annotations

import json
import os
import secrets
from datetime import timedelta
from pathlib import Path
from typing import Any

PREFIX = "TABLEE_"
ROOT = Path(__file__).resolve().parent.parent


def defaults(instance_path: str) -> dict[str, Any]:
    """The settings a development machine runs with when nothing is set."""
    return {
        "SECRET_KEY": None,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(instance_path) / 'tablee.db'}",
        "SQLITE_BUSY_TIMEOUT_MS": 5000,
        "BABEL_DEFAULT_LOCALE": "fr",
        "BABEL_DEFAULT_TIMEZONE": "Europe/Paris",
        "BABEL_TRANSLATION_DIRECTORIES": str(ROOT / "translations"),
        "LANGUAGES": ["fr", "en"],
        # A committee session lasts a Saturday morning: a form opened at 9 must still post at 13.
        "WTF_CSRF_TIME_LIMIT": int(timedelta(hours=12).total_seconds()),
        "WTF_I18N_ENABLED": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Secure cookies: a deployment is served over HTTPS. Only `make run` (plain HTTP on
        # 127.0.0.1, for trying the demo) and the tests turn it off.
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_NAME": "tablee_session",
        "LOGIN_SESSION_MAX_AGE_HOURS": 24 * 14,  # absolute: then log in again, whatever happens
        "IDLE_TIMEOUT_MINUTES": 4 * 60,  # a morning's meeting keeps a phone active
        # A plain member on their own phone stays logged in from one monthly meeting to the
        # next (no login storm at the start of each); whoever holds a role that reaches other
        # people's data or the money (facilitator, treasurer, admin) keeps the short limits.
        "MEMBER_IDLE_TIMEOUT_MINUTES": 30 * 24 * 60,
        "MEMBER_LOGIN_SESSION_MAX_AGE_HOURS": 24 * 90,
        "LOGIN_CARD_VALID_DAYS": 30,
        # Seconds between two polls of the live room's status by each phone.
        "LIVE_POLL_SECONDS": 3,
        # And of the facilitator's console (the room's screen too).
        "CONSOLE_POLL_SECONDS": 5,
        # Argon2id at OWASP's minimum (19 MiB, 2 passes, 1 lane): 61 members logging in at the
        # start of a meeting fit a 2-core server. Older, costlier hashes are redone at login.
        "PASSWORD_HASH_TIME_COST": 2,
        "PASSWORD_HASH_MEMORY_KIB": 19 * 1024,
        "PASSWORD_HASH_PARALLELISM": 1,
        # Throttling: a person's account is protected tightly; an address (one Wi-Fi for a whole
        # room) only loosely, so that 61 people logging in together are never locked out.
        "THROTTLE_WINDOW_MINUTES": 15,
        "THROTTLE_MAX_FAILURES_PER_ACCOUNT": 5,
        "THROTTLE_MAX_FAILURES_PER_ACCOUNT_PER_DAY": 20,
        "THROTTLE_MAX_FAILURES_PER_ADDRESS": 300,
        "CAISSE_NAME": "Caisse alimentaire commune",
        # A household that left is forgotten (composition, income bracket, link to a person)
        # after this many months; its reference and its accounts stay in the books.
        "HOUSEHOLD_RETENTION_MONTHS": 24,
        # Login attempts (the typed identifier, the address) serve the throttle for minutes;
        # they are deleted after this many days by `flask retention`.
        "LOGIN_ATTEMPT_RETENTION_DAYS": 30,
        "PAGE_SIZE": 50,
        # Uploads (CSV imports, JSON questionnaires): a larger request is refused (413) before
        # it is read; a CSV may hold at most this many lines.
        "MAX_CONTENT_LENGTH": 25 * 1024 * 1024,
        "MAX_CSV_LINES": 200_000,
        # A document or photo attached to a visit, an agenda item, a proposal or minutes; the
        # phone reduces photos before sending, so this is for PDFs and spreadsheets.
        "ATTACHMENT_MAX_BYTES": 8 * 1024 * 1024,
        "VISIT_PHOTOS_MAX": 8,
        # Serving: pages and static files compressed (zstd, brotli or gzip, whichever the phone
        # takes); static URLs carry a hash of the file, so browsers may keep them a year.
        "COMPRESS_MIN_SIZE": 500,
        "STATIC_MAX_AGE_SECONDS": 365 * 24 * 3600,
        # The address the public reaches the site at: links in feeds, open data and e-mails are
        # built from it, never from a request's Host header (which anyone can set).
        "BASE_URL": "http://127.0.0.1:5000",
        # Behind a reverse proxy: how many proxies set X-Forwarded-* (0: none is trusted).
        "PROXY_HOPS": 0,
        # Mail: without a server, messages stay in the outbox (readable by admins).
        "MAIL_SERVER": "",
        "MAIL_PORT": 25,
        "MAIL_USE_TLS": False,
        "MAIL_USERNAME": "",
        "MAIL_PASSWORD": "",
        "MAIL_SENDER": "Tablée <tablee@localhost>",
        # The task queue (governance/jobs): empty for a SQLite file beside the database
        # (instance/queue.db), or redis://host:6379/0 for a deployment with several workers.
        "QUEUE_URL": "",
        # A running job whose worker has not shown a sign of life for this long was interrupted
        # (killed, machine restarted): it is sent again, at most JOB_MAX_ATTEMPTS times in all.
        "JOB_STALE_SECONDS": 300,
        "JOB_MAX_ATTEMPTS": 3,
        # A job still queued after this long (the queue was down when it was sent) is sent again.
        "JOB_QUEUED_RESEND_SECONDS": 60,
        "JOB_POLL_SECONDS": 2,
        # Rows written per statement by an import or a monthly run (one transaction in all).
        "LEDGER_BATCH": 5000,
        # The quota check of a draw: past this many seconds, the exact maximin stops and the
        # chances are those of the best distribution over the panels found (the page says so).
        "LOTTERY_BUDGET_SECONDS": 45,
        # Where `flask backup` and the scheduled backups write (empty: instance/backups).
        "BACKUP_DIR": "",
    }


def _coerce(raw: str, like: Any) -> Any:
    """Read an environment value with the type of its default."""
    if isinstance(like, bool):
        return raw.strip().lower() in {"1", "true", "yes", "on", "oui"}
    if isinstance(like, int):
        return int(raw)
    if isinstance(like, list):
        return json.loads(raw) if raw.startswith("[") else [p.strip() for p in raw.split(",")]
    return raw


def load(instance_path: str, overrides: dict[str, Any] | None = None) -> dict[str, Any]:
    """Defaults, then ``TABLEE_*`` variables (``DATABASE_URL`` too), then explicit overrides."""
    settings = defaults(instance_path)
    if os.environ.get("DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ["DATABASE_URL"]
    for key, value in list(settings.items()):
        raw = os.environ.get(PREFIX + key)
        if raw is not None:
            settings[key] = _coerce(raw, value)
    if os.environ.get(PREFIX + "DATABASE_URL"):
        settings["SQLALCHEMY_DATABASE_URI"] = os.environ[PREFIX + "DATABASE_URL"]
    settings.update(overrides or {})
    settings["SQLALCHEMY_DATABASE_URI"] = database_url(settings["SQLALCHEMY_DATABASE_URI"])
    if settings["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        # A server may close idle connections (restart, proxy): test them before use.
        settings.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True})
    if not settings["SECRET_KEY"]:
        settings["SECRET_KEY"] = _instance_secret(Path(instance_path))
    return settings


def database_url(url: str) -> str:
    """``postgres://`` and ``postgresql://`` (as hosts hand them out) use psycopg 3."""
    for scheme in ("postgres://", "postgresql://"):
        if url.startswith(scheme):
            return "postgresql+psycopg://" + url[len(scheme) :]
    return url


def _instance_secret(instance: Path) -> str:
    """A development secret kept in the instance folder, so restarts keep people logged in."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
