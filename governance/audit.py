"""The audit log: who did which administrative or financial action, when, with what.

Every request that changes something on a page reserved to admins or treasurers (its rule in
``permissions.PERMISSIONS`` names one of those roles) leaves one event, written in the same
transaction as the change itself: an action that was refused or rolled back leaves none, an
action that was committed always has its event. Events are never updated nor deleted (the
database refuses it). Secrets (passwords, codes, tokens) are never recorded.
"""

from __future__ import annotations

import hashlib
from typing import Any

from flask import Flask, current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import JSON, ForeignKey, String, event, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from governance.db import Base, created_at, intpk
from governance.extensions import db
from governance.people.models import Person, Role

AUDITED_ROLES = {Role.ADMIN, Role.TREASURER, Role.EVALUATOR}
SECRET_FIELDS = {"csrf_token", "password", "secret", "pin", "new_password", "current", "code"}
MAX_VALUE = 200  # characters kept of each field: enough to read, never a whole document


class AuditEvent(Base):
    __tablename__ = "audit_event"

    id: Mapped[intpk]
    at: Mapped[created_at]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    endpoint: Mapped[str] = mapped_column(String(80), index=True)
    method: Mapped[str] = mapped_column(String(8))
    path: Mapped[str] = mapped_column(String(300))
    # The URL's parameters, the form's fields (secrets left out) and the uploaded files' names,
    # sizes and SHA-256.
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The log is a hash chain (governance.chains): an edited or removed event is seen.
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)

    actor: Mapped[Person | None] = relationship()


def audited_endpoints() -> set[str]:
    from governance.permissions import PERMISSIONS

    return {
        endpoint
        for endpoint, rule in PERMISSIONS.items()
        if isinstance(rule, frozenset) and rule & AUDITED_ROLES
    }


def _clip(value: str) -> str:
    return value if len(value) <= MAX_VALUE else value[: MAX_VALUE - 1] + "…"


def request_details() -> dict[str, Any]:
    form = {
        key: [_clip(v) for v in request.form.getlist(key)]
        for key in request.form
        if key.lower() not in SECRET_FIELDS
    }
    files = []
    for key in request.files:
        for upload in request.files.getlist(key):
            content = upload.stream.read()
            upload.stream.seek(0)
            files.append(
                {
                    "field": key,
                    "name": _clip(upload.filename or ""),
                    "bytes": len(content),
                    "sha256": hashlib.sha256(content).hexdigest(),
                }
            )
    details: dict[str, Any] = {"args": dict(request.view_args or {}), "form": form}
    if files:
        details["files"] = files
    return details


def _should_record() -> bool:
    if not has_request_context() or g.get("tablee_audited"):
        return False
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return False
    return request.endpoint in current_app.extensions["tablee_audited"]


def _before_commit(session: Session) -> None:
    """One event per audited request, added to the transaction that commits its change."""
    if not _should_record():
        return
    if not (session.new or session.dirty or session.deleted or g.get("tablee_wrote")):
        return
    g.tablee_audited = True
    actor = current_user.id if current_user and current_user.is_authenticated else None
    from governance.chains import chain_audit_event
    from governance.db import utcnow

    audit_event = AuditEvent(
        at=utcnow(),
        actor_id=actor,
        endpoint=request.endpoint or "",
        method=request.method,
        path=_clip(request.path),
        details=request_details(),
    )
    chain_audit_event(audit_event)
    session.add(audit_event)


def _after_execute(conn: Any, clauseelement: Any, *_args: Any) -> None:
    """Writes that bypass the ORM's unit of work (bulk inserts, updates) count as changes."""
    if has_request_context() and getattr(clauseelement, "is_dml", False):
        g.tablee_wrote = True


def events(page: int, size: int) -> tuple[list[AuditEvent], int]:
    total = db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0
    rows = db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id.desc()).limit(size).offset((page - 1) * size)
    )
    return list(rows), total


def init_app(app: Flask) -> None:
    with app.app_context():
        app.extensions["tablee_audited"] = frozenset(audited_endpoints())
        engine = db.engine
    if not event.contains(Session, "before_commit", _before_commit):
        event.listen(Session, "before_commit", _before_commit)
    if not event.contains(engine, "after_execute", _after_execute):
        event.listen(engine, "after_execute", _after_execute)
