"""Hash chains over the closed months of the books and over the audit log.

Each row carries ``previous_hash`` and ``hash`` = SHA-256 of its meaningful fields and the
previous hash, in the order rows were added (the audit log by id; closed months by when they
were closed). ``flask verify`` recomputes them: an edited or removed row breaks the chain, and
a head noted earlier (``verify --expect-head``) shows a removed tail.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import select

from governance.db import lock_chain
from governance.extensions import db

GENESIS = "0" * 64


def _digest(body: dict[str, Any]) -> str:
    text = json.dumps(body, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


def moment(at: datetime) -> str:
    """A timestamp as hashed: UTC, to the second (what every database keeps alike)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.replace(microsecond=0).isoformat()


REDACTED = "redacted"  # {"redacted": "sha256:…"} stands where an erased person's name was


def _sha(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def fingerprint(value: Any) -> Any:
    """What the audit chain hashes of an event's details: every text by its SHA-256, so that
    erasing a person can replace their name by that hash (``redact``) and the chain holds,
    while any other edit breaks it."""
    if isinstance(value, str):
        return _sha(value)
    if isinstance(value, dict):
        if set(value) == {REDACTED} and isinstance(value[REDACTED], str):
            return value[REDACTED]
        return {key: fingerprint(item) for key, item in value.items()}
    if isinstance(value, list):
        return [fingerprint(item) for item in value]
    return value


def redacted(value: Any, names: set[str]) -> Any:
    if isinstance(value, str):
        return {REDACTED: _sha(value)} if value in names else value
    if isinstance(value, dict):
        return {key: redacted(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [redacted(item, names) for item in value]
    return value


def redact(event: Any, names: set[str]) -> None:
    """Erase these names from an audit event's details; the chain still verifies."""
    from sqlalchemy import update

    from governance.audit import AuditEvent

    db.session.execute(
        update(AuditEvent)
        .where(AuditEvent.id == event.id)
        .values(details=redacted(event.details, names))
    )


def audit_hash(event: Any, previous: str) -> str:
    return _digest(
        {
            "at": moment(event.at),
            "actor": event.actor_id,
            "endpoint": event.endpoint,
            "method": event.method,
            "path": event.path,
            "details": fingerprint(event.details),
            "previous": previous,
        }
    )


def month_hash(month: date, closed_at: datetime, previous: str) -> str:
    return _digest(
        {"month": month.isoformat(), "closed_at": moment(closed_at), "previous": previous}
    )


def audit_head() -> str:
    from governance.audit import AuditEvent

    latest = db.session.scalar(select(AuditEvent.hash).order_by(AuditEvent.id.desc()).limit(1))
    return latest or GENESIS


def _months() -> list[Any]:
    from governance.budget.models import ClosedMonth

    return list(
        db.session.scalars(select(ClosedMonth).order_by(ClosedMonth.closed_at, ClosedMonth.month))
    )


def chain_audit_event(event: Any) -> None:
    """Link a new audit event to the head (the caller adds it in the same transaction)."""
    lock_chain(db.session, "audit")
    with db.session.no_autoflush:
        event.previous_hash = audit_head()
    event.hash = audit_hash(event, event.previous_hash)


def chain_month(closed: Any) -> None:
    lock_chain(db.session, "ledger")
    with db.session.no_autoflush:
        months = [m for m in _months() if m is not closed]
    closed.previous_hash = months[-1].hash if months else GENESIS
    closed.hash = month_hash(closed.month, closed.closed_at, closed.previous_hash)


def verify_audit() -> tuple[int, str, list[str]]:
    from governance.audit import AuditEvent

    previous, count, wrong = GENESIS, 0, []
    for event in db.session.scalars(
        select(AuditEvent).order_by(AuditEvent.id).execution_options(yield_per=5_000)
    ):
        count += 1
        if event.previous_hash != previous or audit_hash(event, previous) != event.hash:
            wrong.append(f"audit event {event.id}")
        previous = event.hash or ""
    return count, previous, wrong


def verify_months() -> tuple[int, str, list[str]]:
    previous, wrong = GENESIS, []
    months = _months()
    for closed in months:
        if closed.previous_hash != previous or (
            month_hash(closed.month, closed.closed_at, previous) != closed.hash
        ):
            wrong.append(f"closed month {closed.month:%Y-%m}")
        previous = closed.hash or ""
    return len(months), previous, wrong


def verify_all() -> list[tuple[str, bool]]:
    """Lines for ``flask verify``, each with whether it is good: OK with the head and count,
    or each record that breaks its chain."""
    lines = []
    for name, (count, head, wrong) in (
        ("Closed months", verify_months()),
        ("Audit log", verify_audit()),
    ):
        lines += [(f"{name}: BROKEN at {w}", False) for w in wrong]
        if not wrong:
            lines.append((f"{name}: OK, {count} records, head {head}", True))
    return lines


def heads() -> dict[str, str]:
    return {"closed months": verify_months()[1], "audit log": verify_audit()[1]}


def holds(digest: str) -> bool:
    from governance.audit import AuditEvent
    from governance.budget.models import ClosedMonth

    return digest == GENESIS or any(
        db.session.scalar(select(model.hash).where(model.hash == digest)) is not None
        for model in (AuditEvent, ClosedMonth)
    )
