"""A form that creates something is recorded once, however many times it is sent.

Each showing of such a form carries a nonce of its own (``governance.forms.OnceForm``), so
the nonce names that showing: the same nonce, endpoint, person and fields sent again (a double
tap, a resent page) find their first use here and go back to the page, with a message, instead
of creating a second meeting, visit or person. A form shown again (to add another one) carries
a new nonce and creates again, however soon. The use is written in the transaction that creates
the thing: a refused form leaves none, and shown back with its nonce it can be corrected and
sent. A post that comes from no shown form (a script) is keyed on its CSRF token instead.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, flash, g, has_request_context, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import String, event, text
from sqlalchemy.orm import Mapped, Session, mapped_column
from werkzeug.wrappers import Response

from governance.db import Base, utc, utcnow
from governance.extensions import db
from governance.web import is_htmx

# Forms that create something and carry no idempotency key or uniqueness rule of their own.
ONCE = frozenset(
    {
        "budget.costs",
        "budget.funder",
        "budget.household_new",
        "budget.scales",
        "conventionnement.propose",
        "conventionnement.assign",
        "joining.apply",
        "lottery.index",
        "people.group_new",
        "people.membership_add",
        "people.person_new",
        "sessions.item_add",
        "sessions.meeting_new",
        "votes.proposal_new",
    }
)
KEPT_HOURS = 24  # past the CSRF token's own limit (12 h): the token could not be sent again


class FormUse(Base):
    __tablename__ = "form_use"

    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    used_at: Mapped[utc]


def _digest() -> str | None:
    token = (
        request.form.get("once")
        or request.form.get("csrf_token")
        or request.headers.get("X-CSRFToken")
    )
    if not token:
        return None
    fields = sorted(
        (key, value)
        for key in request.form
        if key not in ("csrf_token", "once")
        for value in request.form.getlist(key)
    )
    who = current_user.get_id() if current_user.is_authenticated else None
    body = json.dumps([token, request.endpoint, request.path, who, fields], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def _back() -> str:
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc == request.host and referrer.path.startswith("/"):
        return referrer.path + (f"?{referrer.query}" if referrer.query else "")
    return url_for("public.home")


def _before() -> Response | None:
    if request.method != "POST" or request.endpoint not in ONCE:
        return None
    digest = _digest()
    if digest is None:
        return None
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":  # two taps at once: the second waits, then sees
        key = int(digest[:15], 16)
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
    if db.session.get(FormUse, digest) is not None:
        flash(_l("This form was already sent: what it creates is recorded once."), "info")
        if is_htmx():
            # A fragment was asked for: a redirect would swap a whole page into it. The
            # browser goes back to the page instead, where the message is shown.
            response = Response(status=204)
            response.headers["HX-Redirect"] = _back()
            return response
        return redirect(_back(), code=303)
    g.tablee_once = digest
    return None


def _before_commit(session: Session) -> None:
    if not has_request_context() or not g.get("tablee_once"):
        return
    if not (session.new or session.dirty or session.deleted or g.get("tablee_wrote")):
        return
    session.add(FormUse(digest=g.pop("tablee_once"), used_at=utcnow()))


def purge(now: datetime | None = None) -> int:
    from datetime import timedelta

    from sqlalchemy import delete

    limit = (now or utcnow()) - timedelta(hours=KEPT_HOURS)
    return db.session.execute(delete(FormUse).where(FormUse.used_at < limit)).rowcount  # type: ignore[attr-defined]


def init_app(app: Flask) -> None:
    app.before_request(_before)
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
