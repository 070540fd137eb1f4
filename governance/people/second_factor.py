"""The second factor of admins and treasurers: a 6-digit code from an authenticator app (TOTP,
RFC 6238, through pyotp). People who hold the fund's money or everybody's accounts need more
than a password that could be guessed or reused."""

from __future__ import annotations

import time

import pyotp
import segno
from flask import current_app
from flask_babel import lazy_gettext as _l

from governance.errors import DomainError
from governance.extensions import db
from governance.people import services
from governance.people.models import Person

PROTECTED_ROLES = services.SECOND_FACTOR_ROLES
STEP_S = 30
# The demo caisse's admin and treasurer share this published secret (README), so that anyone
# can try the demo; `flask --app governance demo-code` shows its current code. Never in use
# outside the demo: a real account gets a fresh secret at enrolment.
DEMO_SECRET = "TABLEEDEMOTWOZEROTWOSIXTABLEEDEM"  # noqa: S105 — published on purpose


def needs_second_factor(person: Person) -> bool:
    return bool(services.current_roles(person) & PROTECTED_ROLES)


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(person: Person, secret: str) -> str:
    issuer = str(current_app.config["CAISSE_NAME"])
    return pyotp.TOTP(secret).provisioning_uri(name=person.username, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """The enrolment QR code as an image the page can show under a strict CSP (a standalone
    SVG, with its namespace, in a data URI)."""
    return str(
        segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")
    )


def _accepted_step(secret: str, code: str, after: int | None, now: float) -> int | None:
    """The time step this code belongs to (now, or one step either side for a slow clock or
    a slow typist), if it is later than the last one accepted."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(secret)
    current = int(now // STEP_S)
    for step in (current, current - 1, current + 1):
        if (after is None or step > after) and totp.at(step * STEP_S) == code:
            return step
    return None


def check_code(person: Person, code: str, address: str, secret: str | None = None) -> None:
    """Accept the code once, or refuse it plainly; wrong codes count toward the throttle."""
    key = f"totp:{person.id}"
    services.check_throttle(key, address)
    secret = secret or person.totp_secret
    step = _accepted_step(secret, code, person.totp_last_step, time.time()) if secret else None
    services.record_attempt(key, address, step is not None)
    if step is None:
        raise DomainError(
            _l("This code is not right, or was already used. Type the code your app shows now."),
            field="code",
        )
    person.totp_last_step = step
    db.session.flush()


def enrol(person: Person, secret: str, code: str, address: str) -> None:
    """The first code proves the app holds the secret; then it is the person's."""
    check_code(person, code, address, secret=secret)
    person.totp_secret = secret
    db.session.flush()


def reset(person: Person) -> None:
    """A lost phone: the person enrols a new app at their next login."""
    person.totp_secret = None
    person.totp_last_step = None
    services.end_all_login_sessions(person)
    db.session.flush()
