"""Writing a person's profile facts and consent, withdrawing them, recording an export."""

from __future__ import annotations

import secrets
from typing import Any

from sqlalchemy import delete

from governance.db import utcnow
from governance.evaluation.models import Profile, ResearchExport
from governance.extensions import db
from governance.people.models import Person

PSEUDONYM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud safely


def new_pseudonym() -> str:
    return "R-" + "".join(secrets.choice(PSEUDONYM_ALPHABET) for _ in range(10))


def profile_of(person: Person) -> Profile | None:
    return db.session.get(Profile, person.id)


def save_profile(
    person: Person, facts: dict[str, Any], research_consent: bool, keyed_by: Person | None = None
) -> Profile:
    """Keep what the person chose to tell (None: not said) and their consent. A facilitator
    who keys it in with them is recorded as such."""
    profile = profile_of(person)
    if profile is None:
        profile = Profile(person_id=person.id, pseudonym=new_pseudonym(), research_consent=False)
        db.session.add(profile)
    for fact in Profile.FACTS:
        setattr(profile, fact, facts.get(fact))
    if bool(profile.research_consent) != research_consent:
        profile.consent_changed_at = utcnow()
    profile.research_consent = research_consent
    profile.keyed_by_id = keyed_by.id if keyed_by is not None and keyed_by.id != person.id else None
    profile.updated_at = utcnow()
    db.session.flush()
    return profile


def withdraw(person: Person) -> bool:
    """Forget every fact and the consent: the person leaves the aggregates and the next export
    (the pseudonym goes with them; a later profile gets a new one)."""
    done = db.session.execute(delete(Profile).where(Profile.person_id == person.id))
    db.session.flush()
    return bool(done.rowcount)


def record_export(by: Person, people: int, sha256: str) -> ResearchExport:
    export = ResearchExport(by_id=by.id, people=people, sha256=sha256)
    db.session.add(export)
    db.session.flush()
    return export
