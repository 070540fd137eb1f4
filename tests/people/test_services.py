"""The rules about accounts, secrets, cards, login sessions and memberships."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from governance.db import utcnow
from governance.errors import DomainError, TooManyAttempts
from governance.extensions import db
from governance.people import services
from governance.people.models import LoginCard, LoginSession, Role, SecretKind
from tests import factories


def test_passwords_are_hashed_with_argon2id() -> None:
    person = factories.person(password="une phrase assez longue")
    assert person.secret_hash.startswith("$argon2id$")
    assert "une phrase" not in person.secret_hash
    assert services.verify_secret(person, "une phrase assez longue")
    assert not services.verify_secret(person, "une phrase assez longuE")


def test_short_password_is_refused() -> None:
    person = factories.person()
    with pytest.raises(DomainError) as refused:
        services.set_password(person, "court")
    assert refused.value.field == "password"


@pytest.mark.parametrize("pin", ["12345", "1234567", "abcdef", "000000", "123456", "654321"])
def test_weak_or_malformed_pins_are_refused(pin: str) -> None:
    with pytest.raises(DomainError):
        services.set_pin(factories.person(), pin)


def test_authenticate_by_email_or_username_case_insensitively() -> None:
    person = factories.person(username="awa.traore", email="awa@exemple.org")
    assert services.authenticate("AWA@exemple.org ", factories.PASSWORD, "10.0.0.1") is person
    assert services.authenticate("Awa.Traore", factories.PASSWORD, "10.0.0.1") is person


def test_wrong_password_and_unknown_account_get_the_same_refusal() -> None:
    factories.person(username="awa")
    with pytest.raises(DomainError) as wrong:
        services.authenticate("awa", "pas le bon mot de passe", "10.0.0.1")
    with pytest.raises(DomainError) as unknown:
        services.authenticate("personne.inconnue", "pas le bon mot de passe", "10.0.0.1")
    assert str(wrong.value) == str(unknown.value)


def test_deactivated_account_cannot_log_in() -> None:
    person = factories.person(username="parti")
    services.set_active(person, False)
    with pytest.raises(DomainError):
        services.authenticate("parti", factories.PASSWORD, "10.0.0.1")


def test_account_is_throttled_after_five_failures_even_with_the_right_password() -> None:
    factories.person(username="cible")
    for _ in range(5):
        with pytest.raises(DomainError):
            services.authenticate("cible", "mauvais essai", "10.0.0.9")
    with pytest.raises(TooManyAttempts):
        services.authenticate("cible", factories.PASSWORD, "10.0.0.10")


def _failed_attempts(account_key: str, address: str, count: int) -> None:
    """Failures as the login form records them (without paying Argon2's price for each)."""
    for _ in range(count):
        services.record_attempt(account_key, address, succeeded=False)


def test_a_shared_wifi_does_not_lock_out_the_room() -> None:
    """61 people behind one address, each mistyping twice, can all still log in."""
    people = [factories.person(username=f"membre{n}") for n in range(61)]
    for person in people:
        _failed_attempts(person.username, "192.0.2.1", 2)
    for person in people[:3]:
        assert services.authenticate(person.username, factories.PASSWORD, "192.0.2.1") is person


def test_an_address_guessing_many_accounts_is_throttled(app) -> None:  # type: ignore[no-untyped-def]
    limit = app.config["THROTTLE_MAX_FAILURES_PER_ADDRESS"]
    for n in range(limit - 1):
        _failed_attempts(f"inconnu{n}", "198.51.100.7", 1)
    with pytest.raises(DomainError) as last_allowed:
        services.authenticate("inconnu-avant-dernier", "devine", "198.51.100.7")
    assert not isinstance(last_allowed.value, TooManyAttempts)
    with pytest.raises(TooManyAttempts):
        services.authenticate("inconnu-suivant", "devine", "198.51.100.7")
    factories.person(username="ailleurs")
    assert services.authenticate("ailleurs", factories.PASSWORD, "198.51.100.8")


def test_success_resets_the_account_counter() -> None:
    factories.person(username="distrait")
    for _ in range(4):
        with pytest.raises(DomainError):
            services.authenticate("distrait", "oups", "10.0.0.2")
    services.authenticate("distrait", factories.PASSWORD, "10.0.0.2")
    for _ in range(4):
        with pytest.raises(DomainError):
            services.authenticate("distrait", "oups", "10.0.0.2")
    assert services.authenticate("distrait", factories.PASSWORD, "10.0.0.2")


def test_login_session_ends_on_logout_and_on_deactivation() -> None:
    person = factories.person()
    first = services.start_login_session(person)
    second = services.start_login_session(person)
    assert first != second
    assert services.person_for_token(first) is person
    services.end_login_session(first)
    assert services.person_for_token(first) is None
    assert services.person_for_token(second) is person
    services.set_active(person, False)
    assert services.person_for_token(second) is None


def test_expired_login_session_is_refused() -> None:
    person = factories.person()
    token = services.start_login_session(person)
    session = db.session.scalar(select(LoginSession).where(LoginSession.person_id == person.id))
    session.expires_at = utcnow() - timedelta(seconds=1)
    db.session.flush()
    assert services.person_for_token(token) is None


def test_only_the_hash_of_a_token_is_stored() -> None:
    person = factories.person()
    token = services.start_login_session(person)
    stored = db.session.scalar(select(LoginSession.token_hash))
    assert token not in stored and len(stored) == 64


def test_login_card_works_once_and_asks_for_a_pin() -> None:
    person = factories.person(email=None, password=None)
    code = services.issue_login_card(person, None)
    assert len(code) == 8 and set(code) <= set(services.CARD_ALPHABET)
    typed = f" {code[:4].lower()}-{code[4:]} "  # as read from the card, sloppily
    assert services.redeem_login_card(typed, "10.0.0.3") is person
    assert person.must_choose_pin
    with pytest.raises(DomainError):
        services.redeem_login_card(code, "10.0.0.3")
    services.set_pin(person, "482915")
    assert person.secret_kind is SecretKind.PIN and not person.must_choose_pin
    assert services.authenticate(person.username, "482915", "10.0.0.3") is person


def test_a_new_card_revokes_the_previous_one() -> None:
    person = factories.person(email=None, password=None)
    old = services.issue_login_card(person, None)
    new = services.issue_login_card(person, None)
    with pytest.raises(DomainError):
        services.redeem_login_card(old, "10.0.0.4")
    assert services.redeem_login_card(new, "10.0.0.4") is person


def test_expired_card_is_refused() -> None:
    person = factories.person(email=None, password=None)
    code = services.issue_login_card(person, None)
    card = db.session.scalar(select(LoginCard).where(LoginCard.person_id == person.id))
    card.expires_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(DomainError):
        services.redeem_login_card(code, "10.0.0.5")


def test_card_code_guessing_is_throttled_per_address(app) -> None:  # type: ignore[no-untyped-def]
    _failed_attempts("card", "203.0.113.5", app.config["THROTTLE_MAX_FAILURES_PER_ADDRESS"] - 1)
    with pytest.raises(DomainError) as last_allowed:
        services.redeem_login_card("AAAA-AAAA", "203.0.113.5")
    assert not isinstance(last_allowed.value, TooManyAttempts)
    with pytest.raises(TooManyAttempts):
        services.redeem_login_card("BBBB-BBBB", "203.0.113.5")


def test_usernames_are_suggested_from_names_and_kept_unique() -> None:
    assert services.suggest_username("Aïcha Ben Ali") == "aicha.ben.ali"
    services.create_person("Aïcha Ben Ali")
    assert services.suggest_username("Aïcha Ben-Ali") == "aicha.ben.ali2"


def test_duplicate_email_or_username_is_refused() -> None:
    factories.person(username="unique", email="unique@exemple.org")
    with pytest.raises(DomainError) as same_email:
        services.create_person("Autre", email="UNIQUE@exemple.org")
    assert same_email.value.field == "email"
    with pytest.raises(DomainError) as same_username:
        services.create_person("Autre", username="unique")
    assert same_username.value.field == "username"


def test_memberships_have_dates_and_roles_held_today() -> None:
    person, group = factories.person(), factories.group()
    today = date.today()
    services.add_membership(person, group, Role.MEMBER, today - timedelta(days=30))
    services.add_membership(
        person, group, Role.FACILITATOR, today - timedelta(days=60), today - timedelta(days=1)
    )
    assert services.current_roles(person) == {Role.MEMBER}
    assert services.current_roles(person, today - timedelta(days=40)) == {Role.FACILITATOR}


def test_membership_dates_are_checked() -> None:
    person, group = factories.person(), factories.group()
    with pytest.raises(DomainError):
        services.add_membership(person, group, Role.MEMBER, date(2026, 5, 1), date(2026, 4, 1))
    services.add_membership(person, group, Role.MEMBER, date(2026, 1, 1), date(2026, 6, 30))
    with pytest.raises(DomainError):  # overlaps the first one
        services.add_membership(person, group, Role.MEMBER, date(2026, 6, 1))
    services.add_membership(person, group, Role.MEMBER, date(2026, 7, 1))  # follows it: fine


def test_percent_quorum_is_bounded() -> None:
    with pytest.raises(DomainError):
        services.save_group(
            None, "Trop", services.GroupKind.COMMITTEE, "", services.QuorumKind.PERCENT, 150
        )
