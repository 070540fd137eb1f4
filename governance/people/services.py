"""The rules about people: accounts, secrets, login cards, login sessions, groups, memberships."""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy import Date, bindparam, func, select, true, update

from governance.db import end_reading, utcnow
from governance.errors import DomainError, TooManyAttempts
from governance.extensions import db
from governance.people.models import (
    Group,
    GroupKind,
    LoginAttempt,
    LoginCard,
    LoginSession,
    Membership,
    Person,
    QuorumKind,
    Role,
    SecretKind,
)

_HASHERS: dict[tuple[int, int, int], tuple[PasswordHasher, str]] = {}


def _hashing() -> tuple[PasswordHasher, str]:
    """Argon2id with the app's parameters (OWASP's minimum by default: 19 MiB, 2 passes, 1 lane,
    about 25 ms of one core, so that a room of 61 logging in at once is served within seconds),
    and a hash to verify against when the account does not exist, so that timing does not tell."""
    config = current_app.config
    key = (
        int(config["PASSWORD_HASH_TIME_COST"]),
        int(config["PASSWORD_HASH_MEMORY_KIB"]),
        int(config["PASSWORD_HASH_PARALLELISM"]),
    )
    if key not in _HASHERS:
        made = PasswordHasher(time_cost=key[0], memory_cost=key[1], parallelism=key[2])
        _HASHERS[key] = (made, made.hash("tablee-no-such-account"))
    return _HASHERS[key]


def hash_secret(secret: str) -> str:
    return _hashing()[0].hash(secret)


# No 0/O, 1/I/L: a card is read aloud and typed on a phone by people not used to codes.
CARD_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CARD_CODE_LENGTH = 8
PIN_PATTERN = re.compile(r"^\d{6}$")
MIN_PASSWORD_LENGTH = 10


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


# --- people -------------------------------------------------------------------------------


def normalize_email(email: str | None) -> str | None:
    email = (email or "").strip().lower()
    return email or None


def suggest_username(display_name: str) -> str:
    """``Aïcha Benali`` → ``aicha.benali``, made unique with a number when needed."""
    ascii_name = unicodedata.normalize("NFKD", display_name).encode("ascii", "ignore").decode()
    base = re.sub(r"[^a-z0-9]+", ".", ascii_name.lower()).strip(".")[:30] or "membre"
    candidate, n = base, 1
    while db.session.scalar(select(Person.id).where(Person.username == candidate)):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def _check_unique(person: Person | None, username: str, email: str | None) -> None:
    others = Person.id != person.id if person is not None else true()
    if db.session.scalar(select(Person.id).where(Person.username == username, others)):
        raise DomainError(_l("This username is already taken."), field="username")
    if email and db.session.scalar(select(Person.id).where(Person.email == email, others)):
        raise DomainError(_l("This e-mail address is already used by someone else."), "email")


def create_person(
    display_name: str,
    email: str | None = None,
    username: str | None = None,
    password: str | None = None,
) -> Person:
    email = normalize_email(email)
    username = (username or "").strip().lower() or suggest_username(display_name)
    _check_unique(None, username, email)
    person = Person(display_name=display_name.strip(), email=email, username=username)
    if password:
        set_password(person, password)
    db.session.add(person)
    db.session.flush()
    return person


def update_person(person: Person, display_name: str, username: str, email: str | None) -> None:
    email = normalize_email(email)
    username = username.strip().lower()
    _check_unique(person, username, email)
    person.display_name = display_name.strip()
    person.username = username
    person.email = email
    db.session.flush()


def _password_hash(password: str) -> str:
    """The hash of an acceptable new password (a refusal names the field)."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise DomainError(
            lazy_ngettext(
                "The password must have at least %(num)d character.",
                "The password must have at least %(num)d characters.",
                MIN_PASSWORD_LENGTH,
            ),
            field="password",
        )
    return hash_secret(password)


def _store_secret(person: Person, secret_hash: str, kind: SecretKind) -> None:
    """Where a request that read first (hashing is slow) takes the write lock: after the hash,
    for the write alone (``db.end_reading``; elsewhere nothing changes)."""
    end_reading(db.session)
    person.secret_hash, person.secret_kind, person.must_choose_pin = secret_hash, kind, False


def set_password(person: Person, password: str) -> None:
    _store_secret(person, _password_hash(password), SecretKind.PASSWORD)


def _date_shaped(pin: str) -> bool:
    """A day and a month in any usual order with a year (240617, 061724, 170624)."""
    pairs = [int(pin[i : i + 2]) for i in (0, 2, 4)]
    shapes = ((0, 1), (1, 0), (1, 2), (2, 1))  # DDMMYY, MMDDYY, YYMMDD, YYDDMM
    return any(1 <= pairs[d] <= 31 and 1 <= pairs[m] <= 12 for d, m in shapes)


def weak_pin(pin: str) -> bool:
    """Codes tried first by whoever guesses: few different digits (111111, 121212), a run
    (123456, 876543), a repeated half (147147), or a date (birthdays, the day of the card)."""
    runs = "01234567890123" + "98765432109876"
    return len(set(pin)) <= 2 or pin in runs or pin[:3] == pin[3:] or _date_shaped(pin)


def set_pin(person: Person, pin: str) -> Person:
    if not PIN_PATTERN.match(pin):
        raise DomainError(_l("The code must be exactly 6 digits."), field="pin")
    if weak_pin(pin):
        raise DomainError(
            _l("This code is too easy to guess (a date, a run, a repeated digit): choose another."),
            field="pin",
        )
    _store_secret(person, hash_secret(pin), SecretKind.PIN)
    db.session.flush()
    return person


def check_secret(person: Person | None, secret: str) -> tuple[bool, str | None]:
    """Whether the password or PIN matches, and its new hash when the hashing parameters have
    changed since it was stored; changes nothing (all the hashing, none of the writing)."""
    hasher, dummy = _hashing()
    if person is None or not person.secret_hash:
        with contextlib.suppress(VerificationError):
            hasher.verify(dummy, secret)
        return False, None
    try:
        hasher.verify(person.secret_hash, secret)
    except (VerificationError, InvalidHashError):
        return False, None
    if hasher.check_needs_rehash(person.secret_hash):
        return True, hasher.hash(secret)
    return True, None


def verify_secret(person: Person | None, secret: str, key: str | None = None) -> bool:
    """Check a password or PIN, then take the write lock (see ``_store_secret``) and rehash it
    when the hashing parameters have changed. With the ``key`` that failures count against, the
    write waits only for writes of that same account (see ``db.begin_writing``)."""
    ok, new_hash = check_secret(person, secret)
    end_reading(db.session, scope=("account", key) if key is not None else None)
    if person is not None and new_hash:
        person.secret_hash = new_hash
    return ok


def set_active(person: Person, active: bool, by: Person | None = None) -> None:
    """Deactivating an account ends every login session it has, on every device; an admin
    (``by``) never deactivates their own, which would lock them out."""
    if by is not None and by.id == person.id and not active:
        raise DomainError(_l("You cannot deactivate your own account."))
    person.active = active
    person.deactivated_at = None if active else utcnow()
    if not active:
        end_all_login_sessions(person)
    db.session.flush()


# --- logging in ---------------------------------------------------------------------------


def find_account(identifier: str) -> Person | None:
    key = identifier.strip().lower()
    return db.session.scalar(select(Person).where((Person.email == key) | (Person.username == key)))


def _failures_since(column: object, value: str, since: datetime) -> int:
    query = select(func.count()).where(
        column == value, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False)
    )
    if column is LoginAttempt.account_key:
        # A successful login wipes the slate for the account (not for the address).
        last_ok = select(func.max(LoginAttempt.at)).where(
            LoginAttempt.account_key == value, LoginAttempt.succeeded.is_(True)
        )
        query = query.where(LoginAttempt.at > func.coalesce(last_ok.scalar_subquery(), since))
    return db.session.scalar(query) or 0


def account_key(person: Person | None, typed: str) -> str:
    """What failures count against: the account, whichever identifier was typed (e-mail or
    username); for an identifier that names no one, the identifier itself."""
    return f"person:{person.id}" if person is not None else typed.strip().lower()


def check_throttle(account_key: str | None, address: str, known_device: bool = False) -> None:
    """Refuse before checking a secret when there were too many failures: for the account,
    in the window and over a day (a 6-digit PIN must not get hundreds of tries a day); for the
    address, only loosely, and not at all for a device this account already logged in from
    (a room of honest members on one Wi-Fi where someone is guessing)."""
    config = current_app.config
    window = int(config["THROTTLE_WINDOW_MINUTES"])
    now = utcnow()
    since = now - timedelta(minutes=window)
    too_many = not known_device and _failures_since(LoginAttempt.address, address, since) >= int(
        config["THROTTLE_MAX_FAILURES_PER_ADDRESS"]
    )
    if account_key and not too_many:
        too_many = _failures_since(LoginAttempt.account_key, account_key, since) >= int(
            config["THROTTLE_MAX_FAILURES_PER_ACCOUNT"]
        ) or _failures_since(LoginAttempt.account_key, account_key, now - timedelta(days=1)) >= int(
            config["THROTTLE_MAX_FAILURES_PER_ACCOUNT_PER_DAY"]
        )
    if too_many:
        raise TooManyAttempts(
            lazy_ngettext(
                "Too many wrong attempts. For your safety, wait %(num)d minute and try again.",
                "Too many wrong attempts. For your safety, wait %(num)d minutes and try again.",
                window,
            )
        )


def record_attempt(account_key: str, address: str, succeeded: bool) -> None:
    db.session.add(LoginAttempt(account_key=account_key, address=address, succeeded=succeeded))
    db.session.flush()


def authenticate(
    identifier: str, secret: str, address: str, known_ids: frozenset[int] = frozenset()
) -> Person:
    """The person whose identifier and password (or PIN) these are, or a plain refusal.
    ``known_ids``: the accounts this device has logged in before (its signed cookie)."""
    person = find_account(identifier)
    key = account_key(person, identifier)
    check_throttle(key, address, known_device=person is not None and person.id in known_ids)
    # The hashing is done before the write lock is taken (a login reads first).
    ok = verify_secret(person, secret, key) and person is not None and person.active
    record_attempt(key, address, ok)
    if not ok or person is None:
        raise DomainError(
            _l("This identifier and password do not match. Check them and try again."),
            field="secret",
        )
    return person


def change_own_password(person: Person, current: str, new: str, address: str) -> bool:
    """A new password, given with the current password or PIN typed again in an open session:
    that check is counted and throttled like a login on the same account. Both hashes are
    computed before the write lock is taken. False when the current secret is wrong."""
    key = account_key(person, "")
    check_throttle(key, address, known_device=True)
    ok, _rehash = check_secret(person, current)  # the new password replaces it anyway
    new_hash = _password_hash(new) if ok else None
    end_reading(db.session)
    record_attempt(key, address, ok)
    if new_hash is not None:
        _store_secret(person, new_hash, SecretKind.PASSWORD)
    return ok


def start_login_session(person: Person, user_agent: str = "") -> str:
    """A new login session; the returned token goes in the cookie, only its hash in the base."""
    token = secrets.token_urlsafe(32)
    hours = int(
        current_app.config[
            "LOGIN_SESSION_MAX_AGE_HOURS"
            if holds_sensitive_role(person)
            else "MEMBER_LOGIN_SESSION_MAX_AGE_HOURS"
        ]
    )
    db.session.add(
        LoginSession(
            person=person,
            token_hash=_sha256(token),
            expires_at=utcnow() + timedelta(hours=hours),
            user_agent=user_agent[:255],
        )
    )
    db.session.flush()
    person.login_token = token
    return token


# Roles that need the second factor (the second factor's module names them too).
SECOND_FACTOR_ROLES = frozenset({Role.ADMIN, Role.TREASURER})
# Whether the person holds one of them today: read with the person, in the same query, so that
# the second factor is required from the moment such a role is granted without a query more
# on every request of every phone.
_HOLDS_SECOND_FACTOR_ROLE = (
    select(Membership.id)
    .where(
        Membership.person_id == Person.id,
        Membership.role.in_(SECOND_FACTOR_ROLES),
        Membership.is_current(bindparam("today", type_=Date())),
    )
    .exists()
)
# Built once: every signed-in request runs it.
_PERSON_FOR_TOKEN = (
    select(Person, _HOLDS_SECOND_FACTOR_ROLE)
    .join(LoginSession, LoginSession.person_id == Person.id)
    .where(
        LoginSession.token_hash == bindparam("token_hash"),
        LoginSession.ended_at.is_(None),
        LoginSession.expires_at > bindparam("now", type_=LoginSession.expires_at.type),
        Person.active.is_(True),
    )
)


def person_for_token(token: str) -> Person | None:
    """The person of a live login session, or None when it ended, expired or was deactivated."""
    row = db.session.execute(
        _PERSON_FOR_TOKEN,
        {"token_hash": _sha256(token), "now": utcnow(), "today": date.today()},
    ).one_or_none()
    if row is None:
        return None
    person, protected = row
    person.login_token = token
    person.needs_second_factor = bool(protected)
    return person


def end_login_session(token: str) -> None:
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _sha256(token), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_all_login_sessions(person: Person) -> None:
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.person_id == person.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


# --- login cards --------------------------------------------------------------------------


def normalize_card_code(code: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", code.upper())


def format_card_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


# Roles whose accounts a login card never opens (they log in with a password and a code).
NO_CARD_ROLES = {Role.ADMIN, Role.TREASURER, Role.EVALUATOR}


def card_refusal(person: Person) -> str | None:
    """Why no login card may open this account, or None: a card only ever logs in a member
    who has no password and no second factor, and never an admin or a treasurer."""
    if not person.active:
        return _l("This account is deactivated: reactivate it before printing a card.")
    if person.secret_kind is SecretKind.PASSWORD or person.totp_secret:
        return _l("This person logs in with a password: a login card is not for them.")
    if current_roles(person) & NO_CARD_ROLES:
        return _l("Admins and treasurers log in with a password and a code, never with a card.")
    return None


def issue_login_card(person: Person, issued_by: Person | None, code: str | None = None) -> str:
    """A new card for ``person``; earlier unused cards stop working. Returns the code, once."""
    refusal = card_refusal(person)
    if refusal:
        raise DomainError(refusal)
    now = utcnow()
    db.session.execute(
        update(LoginCard)
        .where(
            LoginCard.person_id == person.id,
            LoginCard.used_at.is_(None),
            LoginCard.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    code = (
        normalize_card_code(code)
        if code
        else "".join(secrets.choice(CARD_ALPHABET) for _ in range(CARD_CODE_LENGTH))
    )
    days = int(current_app.config["LOGIN_CARD_VALID_DAYS"])
    db.session.add(
        LoginCard(
            person_id=person.id,
            code_hash=_sha256(code),
            issued_by_id=issued_by.id if issued_by else None,
            expires_at=now + timedelta(days=days),
        )
    )
    db.session.flush()
    return code


def redeem_login_card(code: str, address: str) -> Person:
    """Use a card once: the person it was printed for, who must then choose a PIN."""
    check_throttle(None, address)
    normalized = normalize_card_code(code)
    card = db.session.scalar(select(LoginCard).where(LoginCard.code_hash == _sha256(normalized)))
    now = utcnow()
    usable = (
        card is not None
        and card.used_at is None
        and card.revoked_at is None
        and card.expires_at > now
        # Still an account a card may open: it may have got a password or a role since.
        and card_refusal(card.person) is None
    )
    record_attempt("card", address, usable)
    if not usable or card is None:
        raise DomainError(
            _l(
                "This code does not work: it may be mistyped, already used or expired. "
                "Ask a facilitator for a new card."
            ),
            field="code",
        )
    card.used_at = now
    card.person.must_choose_pin = True
    db.session.flush()
    return card.person


# --- groups and memberships ---------------------------------------------------------------


@dataclass(frozen=True)
class DecisionRule:
    """How a group decides: consent, with these positions and this fallback."""

    allow_concern: bool = True
    allow_abstention: bool = True
    rounds_before_fallback: int = 2
    fallback: tuple[int, int] | None = None  # (2, 3): two thirds of the votes cast
    decide_without_quorum: bool = False  # else, without quorum, nothing is decided
    allow_online_consent: bool = False  # consent rounds online, with a deadline, between sessions
    check_in_minutes_before: int = 30  # members check in from this long before the start


SMALL_WORDS = {"de", "du", "des", "la", "le", "les", "et", "l", "d", "en", "pour"}


def suggest_group_code(name: str) -> str:
    """``Comité citoyen de l'alimentation`` → ``CCA``; unique among groups."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    words = [
        w for w in re.split(r"[^A-Za-z0-9]+", ascii_name) if w and w.lower() not in SMALL_WORDS
    ]
    base = "".join(w[0] if not w.isdigit() else w for w in words).upper()[:8] or "G"
    candidate, n = base, 1
    while db.session.scalar(select(Group.id).where(Group.code == candidate)):
        n += 1
        candidate = f"{base}{n}"
    return candidate


def save_group(
    group: Group | None,
    name: str,
    kind: GroupKind,
    description: str,
    quorum_kind: QuorumKind,
    quorum_value: int,
    code: str | None = None,
    rule: DecisionRule | None = None,
) -> Group:
    name = name.strip()
    others = Group.id != group.id if group is not None else true()
    if db.session.scalar(select(Group.id).where(Group.name == name, others)):
        raise DomainError(_l("A group already has this name."), field="name")
    if quorum_kind is QuorumKind.PERCENT and not 0 <= quorum_value <= 100:
        raise DomainError(_l("A percentage is between 0 and 100."), field="quorum_value")
    code = (code or "").strip().upper() or (group.code if group else suggest_group_code(name))
    if db.session.scalar(select(Group.id).where(Group.code == code, others)):
        raise DomainError(_l("Another group already uses this code."), field="code")
    if group is None:
        group = Group(name=name, kind=kind, code=code)
        db.session.add(group)
    group.name, group.kind, group.description = name, kind, description.strip()
    group.quorum_kind, group.quorum_value, group.code = quorum_kind, quorum_value, code
    if rule is not None:
        group.allow_concern, group.allow_abstention = rule.allow_concern, rule.allow_abstention
        group.rounds_before_fallback = rule.rounds_before_fallback
        group.fallback_numerator, group.fallback_denominator = rule.fallback or (None, None)
        group.decide_without_quorum = rule.decide_without_quorum
        group.allow_online_consent = rule.allow_online_consent
        group.check_in_minutes_before = rule.check_in_minutes_before
    db.session.flush()
    return group


def add_membership(
    person: Person, group: Group, role: Role, starts_on: date, ends_on: date | None = None
) -> Membership:
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_l("The end date cannot be before the start date."), field="ends_on")
    overlapping = db.session.scalar(
        select(Membership.id).where(
            Membership.person_id == person.id,
            Membership.group_id == group.id,
            Membership.role == role,
            (Membership.ends_on.is_(None)) | (Membership.ends_on >= starts_on),
            Membership.starts_on <= (ends_on or date.max),
        )
    )
    if overlapping:
        raise DomainError(
            _l(
                "%(name)s already has this role in this group for these dates.",
                name=person.display_name,
            ),
            field="role",
        )
    membership = Membership(
        person=person, group=group, role=role, starts_on=starts_on, ends_on=ends_on
    )
    db.session.add(membership)
    db.session.flush()
    return membership


def end_membership(membership: Membership, on: date) -> Membership:
    if on < membership.starts_on:
        raise DomainError(_l("The end date cannot be before the start date."), field="ends_on")
    membership.ends_on = on
    db.session.flush()
    return membership


# Roles that reach other people's data or the money: their holders keep short login limits.
SENSITIVE_ROLES = {Role.FACILITATOR, Role.TREASURER, Role.ADMIN, Role.EVALUATOR}


def holds_sensitive_role(person: Person) -> bool:
    return bool(current_roles(person) & SENSITIVE_ROLES)


def current_roles(person: Person, on: date | None = None) -> set[Role]:
    """Every role the person holds today in any group."""
    on = on or date.today()
    rows = db.session.scalars(
        select(Membership.role).where(
            Membership.person_id == person.id,
            Membership.is_current(on),
        )
    )
    return set(rows)
