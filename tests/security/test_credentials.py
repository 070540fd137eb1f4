"""What the security review tried: a promotion during a session, login cards on accounts that
have a password (or a role that needs a code), throttling with both identifiers, a room on one
Wi-Fi with someone guessing, the current-password check, weak PINs."""

from __future__ import annotations

import re
import time

import pyotp
import pytest
from sqlalchemy import select

from governance.errors import DomainError, TooManyAttempts
from governance.extensions import db
from governance.people import services
from governance.people.models import LoginCard, Role, SecretKind
from tests import factories
from tests.factories import PASSWORD


def _signed_in(client) -> bool:  # type: ignore[no-untyped-def]
    return client.get("/compte").status_code == 200


# --- the second factor from the moment a role needs it -----------------------------------


def test_a_member_made_treasurer_sets_up_the_app_in_the_same_session(client) -> None:  # type: ignore[no-untyped-def]
    member = factories.person()
    factories.login(client, member)
    assert client.get("/compte").status_code == 200
    factories.membership(member, role=Role.TREASURER)
    db.session.commit()
    for path in ("/budget/comptes", "/compte", "/seances/"):
        sent = client.get(path)
        assert sent.status_code == 302, path
        assert "/compte/double-verification" in sent.headers["Location"], path
    grant = client.post_form("/budget/comptes/subvention", {"amount": "1000", "label": "x"})
    assert grant.status_code == 302 and "/compte/double-verification" in grant.headers["Location"]
    page = client.get("/compte/double-verification").get_data(as_text=True)
    key = re.search(r'<code class="key">([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    code = pyotp.TOTP(key).at(time.time())
    assert client.post_form("/compte/double-verification", {"code": code}).status_code == 302
    assert client.get("/budget/comptes").status_code == 200


def test_a_promoted_member_who_has_an_app_logs_in_again_with_its_code(client) -> None:  # type: ignore[no-untyped-def]
    member = factories.person()
    factories.login(client, member)
    member.totp_secret = pyotp.random_base32()
    factories.membership(member, role=Role.ADMIN)
    db.session.commit()
    sent = client.get("/admin/personnes")
    assert sent.status_code == 302 and sent.headers["Location"].startswith("/connexion")
    assert not _signed_in(client)


# --- login cards ---------------------------------------------------------------------------


def test_no_card_for_a_member_who_has_a_password(client) -> None:  # type: ignore[no-untyped-def]
    group = factories.group()
    facilitator, member = factories.person(), factories.person()
    factories.membership(facilitator, group, Role.FACILITATOR)
    factories.membership(member, group)
    factories.login(client, facilitator)
    page = client.get(f"/admin/personnes/{member.id}").get_data(as_text=True)
    assert f"/admin/personnes/{member.id}/carte" not in page
    assert client.post_form(f"/admin/personnes/{member.id}/carte", {}).status_code == 403
    with pytest.raises(DomainError):
        services.issue_login_card(member, facilitator)


def test_a_card_printed_before_a_password_no_longer_opens_the_account() -> None:
    member = factories.person(password=None)
    code = services.issue_login_card(member, None)
    services.set_password(member, "un mot de passe assez long")
    before = member.secret_hash
    with pytest.raises(DomainError):
        services.redeem_login_card(code, "10.0.0.1")
    assert member.secret_hash == before and member.secret_kind is SecretKind.PASSWORD
    assert not member.must_choose_pin


@pytest.mark.parametrize("role", [Role.ADMIN, Role.TREASURER])
def test_never_a_card_for_an_admin_or_a_treasurer(app, client, role) -> None:  # type: ignore[no-untyped-def]
    person = factories.person(password=None)
    code = services.issue_login_card(person, None)  # printed while a plain member
    factories.membership(person, role=role)
    db.session.commit()
    with pytest.raises(DomainError):
        services.issue_login_card(person, None)
    used = client.post_form("/carte", {"code": code})
    assert used.status_code == 422 and not _signed_in(client)
    db.session.refresh(person)
    assert not person.must_choose_pin  # her next login is not turned into a PIN choice
    card = db.session.scalar(select(LoginCard).where(LoginCard.person_id == person.id))
    assert card.used_at is None


def test_a_treasurer_whose_app_was_reset_is_never_sent_round_in_circles(client) -> None:  # type: ignore[no-untyped-def]
    treasurer = factories.with_role(Role.TREASURER)
    treasurer.totp_secret = None
    db.session.commit()
    location = client.post_form(
        "/connexion", {"identifier": treasurer.username, "secret": PASSWORD}
    ).headers["Location"]
    seen = []
    for _ in range(4):  # the set-up page answers; it does not send anywhere else
        assert "/compte/double-verification" in location
        response = client.get(location)
        seen.append(response.status_code)
        location = response.headers.get("Location", location)
    assert seen[-1] == 200


def test_the_pin_page_is_only_for_a_card_just_used(client) -> None:  # type: ignore[no-untyped-def]
    member = factories.person()
    factories.login(client, member)
    sent = client.post_form("/compte/code", {"pin": "583946", "pin_again": "583946"})
    assert sent.status_code == 302 and sent.headers["Location"] == "/compte/mot-de-passe"
    db.session.refresh(member)
    assert member.secret_kind is SecretKind.PASSWORD


# --- throttling ----------------------------------------------------------------------------


def test_the_account_counts_whichever_identifier_is_typed() -> None:
    factories.person(username="cible", email="cible@exemple.org")
    for typed in ("cible", "cible@exemple.org", "CIBLE", "cible@exemple.org", "cible"):
        with pytest.raises(DomainError) as refused:
            services.authenticate(typed, "mauvais", "10.0.0.9")
        assert not isinstance(refused.value, TooManyAttempts)
    for typed in ("cible", "cible@exemple.org"):
        with pytest.raises(TooManyAttempts):
            services.authenticate(typed, PASSWORD, "10.0.0.10")


def test_a_pin_gets_a_few_tries_a_day_not_hundreds(app) -> None:  # type: ignore[no-untyped-def]
    person = factories.person(username="code")
    key = services.account_key(person, "")
    for _ in range(app.config["THROTTLE_MAX_FAILURES_PER_ACCOUNT_PER_DAY"]):
        services.record_attempt(key, "10.0.0.1", succeeded=False)
    # the window's count would let them in again; the day's does not
    app.config["THROTTLE_WINDOW_MINUTES"], window = 0, app.config["THROTTLE_WINDOW_MINUTES"]
    try:
        with pytest.raises(TooManyAttempts):
            services.authenticate("code", PASSWORD, "10.0.0.1")
    finally:
        app.config["THROTTLE_WINDOW_MINUTES"] = window


def test_a_room_of_61_on_one_wifi_with_one_attacker(app) -> None:  # type: ignore[no-untyped-def]
    """The attacker's failures lock the address for strangers; the 60 members who logged in on
    their phones before still get in (their devices are known), the attacker does not."""
    members = [factories.person(username=f"salle{n}") for n in range(60)]
    room = "192.0.2.61"
    for n in range(app.config["THROTTLE_MAX_FAILURES_PER_ADDRESS"]):
        services.record_attempt(f"devine{n}", room, succeeded=False)
    with pytest.raises(TooManyAttempts):
        services.authenticate("salle0", PASSWORD, room)  # an unknown device: locked
    for member in members:
        known = frozenset({member.id})
        assert services.authenticate(member.username, PASSWORD, room, known) is member
    with pytest.raises(TooManyAttempts):
        services.authenticate("devine-encore", "x", room)


def test_a_known_device_cookie_lets_a_member_through_a_locked_address(app, client) -> None:  # type: ignore[no-untyped-def]
    member = factories.person()
    factories.login(client, member)  # the phone is now known for this account
    client.post_form("/deconnexion", {})
    for n in range(app.config["THROTTLE_MAX_FAILURES_PER_ADDRESS"]):
        services.record_attempt(f"devine{n}", "127.0.0.1", succeeded=False)
    db.session.commit()
    again = client.post_form("/connexion", {"identifier": member.username, "secret": PASSWORD})
    assert again.status_code == 302
    stranger = app.test_client()
    other = factories.person()
    db.session.commit()
    locked = stranger.post_form("/connexion", {"identifier": other.username, "secret": PASSWORD})
    assert locked.status_code == 429


def test_the_current_password_check_is_throttled(client) -> None:  # type: ignore[no-untyped-def]
    member = factories.person()
    factories.login(client, member)
    statuses = [
        client.post_form(
            "/compte/mot-de-passe",
            {
                "current": f"devine{n}",
                "new": "nouveau mot de passe",
                "new_again": "nouveau mot de passe",
            },
        ).status_code
        for n in range(6)
    ]
    assert statuses[:5] == [422] * 5 and statuses[5] == 429


@pytest.mark.parametrize(
    "pin", ["111111", "121212", "123456", "654321", "147147", "240617", "170624", "061724"]
)
def test_weak_pins_are_refused(pin: str) -> None:
    person = factories.person(password=None)
    with pytest.raises(DomainError):
        services.set_pin(person, pin)


def test_a_good_pin_is_accepted() -> None:
    person = factories.person(password=None)
    services.set_pin(person, "583946")
    assert person.secret_kind is SecretKind.PIN
    assert services.verify_secret(person, "583946")


def test_a_facilitator_lists_and_opens_only_the_groups_they_run(client) -> None:  # type: ignore[no-untyped-def]
    mine, theirs = factories.group(name="Le mien"), factories.group(name="Le leur")
    facilitator = factories.person()
    factories.membership(facilitator, mine, Role.FACILITATOR)
    factories.login(client, facilitator)
    listed = client.get("/admin/groupes").get_data(as_text=True)
    assert "Le mien" in listed and "Le leur" not in listed
    assert client.get(f"/admin/groupes/{mine.id}").status_code == 200
    assert client.get(f"/admin/groupes/{theirs.id}").status_code == 404
