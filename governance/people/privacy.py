"""Personal data (GDPR): a person's copy of their data, erasure, and retention after leaving.

The copy is built from the schema itself: every row of every table that points to the person
(so a table added later is never forgotten), secrets left out. Erasure pseudonymises: the
person's row stays, so that the ledger, the decision register and the audit log keep their
links and their hash chains, but it no longer says who they were.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Table, delete, select, update

from governance.db import utcnow
from governance.errors import DomainError
from governance.extensions import db
from governance.people import services
from governance.people.models import LoginAttempt, LoginCard, Person

SECRET_COLUMNS = {"secret_hash", "token_hash", "code_hash", "totp_secret", "totp_last_step"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _rows(table: Table, where: Any) -> list[dict[str, Any]]:
    columns = [c for c in table.columns if c.name not in SECRET_COLUMNS]
    return [
        {c.name: _plain(v) for c, v in zip(columns, row, strict=True)}
        for row in db.session.execute(select(*columns).where(where))
    ]


def _person_links() -> list[tuple[Table, Any]]:
    """Every (table, column) that holds a person's id."""
    person = Person.__table__
    return [
        (table, column)
        for table in db.metadata.sorted_tables
        if table is not person
        for column in table.columns
        for key in column.foreign_keys
        if key.column.table is person
    ]


def _attempt_keys(person: Person) -> list[str]:
    """What the login throttle wrote for this person: the identifiers typed, the code key."""
    keys = [person.username.lower(), f"totp:{person.id}"]
    if person.email:
        keys.append(person.email.lower())
    return keys


def _audit_about(person: Person) -> list[Any]:
    """Audit events about this person: the page was theirs (its address names them) or the
    form sent named them (their name, username or e-mail)."""
    from governance.audit import AuditEvent

    names = {v for v in (person.display_name, person.username, person.email) if v}
    found = []
    for event in db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.endpoint.like("people.%"))
        .order_by(AuditEvent.id)
        .execution_options(yield_per=2_000)
    ):
        args = (event.details or {}).get("args") or {}
        if args.get("person_id") == person.id or names & set(_strings(event.details)):
            found.append(event)
    return found


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def _decisions_naming(person: Person) -> list[dict[str, Any]]:
    """Decision records where this person's name appears (presenter, present, positions,
    objections): the reference and the parts that name them."""
    from governance.votes.models import Decision

    name = person.display_name
    found = []
    for reference, record in db.session.execute(select(Decision.reference, Decision.record)):
        if name not in _strings(record):
            continue
        rounds = record.get("rounds") or []
        found.append(
            {
                "reference": reference,
                "presenter": record.get("presenter") == name,
                "positions": [
                    {"round": r.get("number"), **p}
                    for r in rounds
                    for p in r.get("positions") or []
                    if p.get("name") == name
                ],
                "eligible_in_rounds": [
                    r.get("number") for r in rounds if name in (r.get("eligible_names") or [])
                ],
                "objections": [o for o in record.get("objections") or [] if o.get("by") == name],
            }
        )
    return found


def export(person: Person) -> dict[str, Any]:
    """Everything the platform holds about this person, as plain JSON values."""
    from governance.budget.models import Household
    from governance.budget.purchases import contributions_paid, household_statement

    data: dict[str, Any] = {
        "exported_at": utcnow().isoformat(),
        "person": _rows(Person.__table__, Person.__table__.c.id == person.id)[0],
    }
    for table, column in _person_links():
        rows = _rows(table, column == person.id)
        if rows:
            data.setdefault(table.name, {})[column.name] = rows
    data["login_attempts"] = _rows(
        LoginAttempt.__table__, LoginAttempt.__table__.c.account_key.in_(_attempt_keys(person))
    )
    data["audit_events_about_you"] = [
        {"id": e.id, "at": _plain(e.at), "endpoint": e.endpoint, "path": e.path}
        | {"details": e.details}
        for e in _audit_about(person)
    ]
    data["decisions_naming_you"] = _decisions_naming(person)
    households = list(db.session.scalars(select(Household).where(Household.person_id == person.id)))
    data["mona_wallet"] = {
        h.reference: [
            {"date": _plain(on), "what": str(what), "mona_cents": cents}
            for on, what, cents in household_statement(h)
        ]
        for h in households
    }
    data["contributions_paid"] = {
        h.reference: [
            {"date": _plain(on), "euro_cents": cents} for on, cents in contributions_paid(h)
        ]
        for h in households
    }
    return data


def erase(person: Person, by: Person) -> Person:
    """Pseudonymise: no name, no contact, no way to log in, no link to a household."""
    from governance.budget.models import Household

    if person.id == by.id:
        raise DomainError(_l("You cannot erase your own account: ask another administrator."))
    if person.erased_at is not None:
        raise DomainError(_l("This person was already erased."))
    if person.active:
        services.set_active(person, False)  # logged out everywhere, the date kept
    db.session.execute(
        delete(LoginAttempt).where(LoginAttempt.account_key.in_(_attempt_keys(person)))
    )
    from governance.chains import redact

    for event in _audit_about(person):
        redact(event, {v for v in (person.display_name, person.username, person.email) if v})
    person.display_name = str(_l("Erased person %(number)d", number=person.id))
    person.username = f"efface-{person.id}"
    person.email = None
    person.search_text = ""
    person.secret_hash = None
    person.secret_kind = None
    person.must_choose_pin = False
    person.totp_secret = None
    person.totp_last_step = None
    person.locale = None
    person.erased_at = utcnow()
    db.session.execute(
        update(LoginCard).where(LoginCard.person_id == person.id).values(revoked_at=utcnow())
    )
    db.session.execute(
        update(Household).where(Household.person_id == person.id).values(person_id=None)
    )
    # What they told about themselves and their survey answers go: nothing but counts kept.
    from governance.evaluation.models import Profile, SurveyResponse

    db.session.execute(delete(Profile).where(Profile.person_id == person.id))
    db.session.execute(delete(SurveyResponse).where(SurveyResponse.person_id == person.id))
    db.session.flush()
    return person


@dataclass(frozen=True)
class Retention:
    households: int  # left long enough ago: their composition and income bracket forgotten
    login_attempts: int = 0  # older than LOGIN_ATTEMPT_RETENTION_DAYS: deleted


def apply_retention(today: date | None = None) -> Retention:
    """Households that left more than the retention period ago keep their reference and their
    accounts (the books need them), and lose what described them."""
    from governance.budget.models import Household, HouseholdStatus

    today = today or date.today()
    months = int(current_app.config["HOUSEHOLD_RETENTION_MONTHS"])
    limit = today - timedelta(days=round(months * 30.44))
    result = db.session.execute(
        update(Household)
        .where(
            Household.status == HouseholdStatus.LEFT,
            Household.left_on.is_not(None),
            Household.left_on < limit,
            Household.forgotten_at.is_(None),
        )
        .values(
            adults=1,
            teens=0,
            children=0,
            income_bracket=0,
            contribution_cents=0,
            person_id=None,
            forgotten_at=utcnow(),
        )
    )
    from governance import once

    once.purge()
    kept_days = int(current_app.config["LOGIN_ATTEMPT_RETENTION_DAYS"])
    attempts = db.session.execute(
        delete(LoginAttempt).where(
            LoginAttempt.at < datetime.combine(today - timedelta(days=kept_days), time.min, UTC)
        )
    )
    db.session.flush()
    return Retention(result.rowcount, attempts.rowcount)  # type: ignore[attr-defined]
