"""Logging in and out, login cards, the account page and the language switch, over HTTP."""

from __future__ import annotations

import re

from sqlalchemy import select

from governance.extensions import db
from governance.people import services
from governance.people.models import Person, Role
from tests import factories


def test_login_with_password_then_account_page(client) -> None:  # type: ignore[no-untyped-def]
    person = factories.person(display_name="Awa Traoré", username="awa")
    db.session.commit()
    response = client.post_form("/connexion", {"identifier": "awa", "secret": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/pour-moi"
    page = client.get("/compte").get_data(as_text=True)
    assert "Awa Traoré" in page and "Mon compte" in page
    assert person.display_name in page


def test_login_follows_only_local_next(client) -> None:  # type: ignore[no-untyped-def]
    factories.person(username="awa")
    db.session.commit()
    response = client.post_form(
        "/connexion?next=/admin",
        {"identifier": "awa", "secret": factories.PASSWORD, "next": "https://evil.example/"},
    )
    assert response.headers["Location"] == "/pour-moi"
    client.post_form("/deconnexion", {})
    response = client.post_form(
        "/connexion",
        {"identifier": "awa", "secret": factories.PASSWORD, "next": "/compte/mot-de-passe"},
    )
    assert response.headers["Location"] == "/compte/mot-de-passe"


def test_wrong_password_gives_the_form_back_with_422(client) -> None:  # type: ignore[no-untyped-def]
    factories.person(username="awa")
    db.session.commit()
    response = client.post_form("/connexion", {"identifier": "awa", "secret": "mauvais"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'value="awa"' in html  # what was typed is kept…
    assert "mauvais" not in html  # …but never the password
    assert "ne correspondent pas" in html
    assert 'aria-invalid="true"' in html


def test_empty_and_oversized_login_forms_are_422(client) -> None:  # type: ignore[no-untyped-def]
    empty = client.post_form("/connexion", {"identifier": "", "secret": ""})
    assert empty.status_code == 422
    assert "Merci de remplir ce champ" in empty.get_data(as_text=True)
    huge = client.post_form("/connexion", {"identifier": "x" * 5000, "secret": "y"})
    assert huge.status_code == 422
    assert "x" * 300 in huge.get_data(as_text=True)


def test_too_many_attempts_answer_429_with_the_form(client) -> None:  # type: ignore[no-untyped-def]
    factories.person(username="cible")
    db.session.commit()
    for _ in range(5):
        client.post_form("/connexion", {"identifier": "cible", "secret": "essai"})
    blocked = client.post_form("/connexion", {"identifier": "cible", "secret": factories.PASSWORD})
    assert blocked.status_code == 429
    assert "Trop d" in blocked.get_data(as_text=True)
    assert 'value="cible"' in blocked.get_data(as_text=True)


def test_post_without_csrf_token_is_refused(client) -> None:  # type: ignore[no-untyped-def]
    factories.person(username="awa")
    db.session.commit()
    response = client.post("/connexion", data={"identifier": "awa", "secret": factories.PASSWORD})
    assert response.status_code == 400
    assert "a expiré" in response.get_data(as_text=True)


def test_htmx_post_carries_the_csrf_header(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.person(username="awa"))
    html = client.get("/").get_data(as_text=True)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)
    response = client.post(
        "/langue", data={"lang": "en"}, headers={"X-CSRFToken": token, "HX-Request": "true"}
    )
    assert response.status_code == 302


def test_logout_ends_the_session_on_the_server(app, client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.person(username="awa"))
    cookie = client.get_cookie("tablee_session", domain="tablee.test")
    thief = app.test_client()
    thief.set_cookie("tablee_session", cookie.value, domain=cookie.domain)
    assert thief.get("/compte").status_code == 200
    client.post_form("/deconnexion", {})
    assert client.get("/compte").status_code == 302
    stolen = thief.get("/compte")
    assert stolen.status_code == 302 and "/connexion" in stolen.headers["Location"]


def test_login_issues_a_new_session_identifier(client) -> None:  # type: ignore[no-untyped-def]
    client.get("/connexion")
    before = client.get_cookie("tablee_session", domain="tablee.test").value
    factories.login(client, factories.person())
    assert client.get_cookie("tablee_session", domain="tablee.test").value != before


def test_deactivation_logs_the_person_out_everywhere(app, client) -> None:  # type: ignore[no-untyped-def]
    member = factories.person(username="membre")
    admin = factories.with_role(Role.ADMIN, username="admin")
    member_client = app.test_client()
    factories.login(member_client, member)
    factories.login(client, admin)
    response = client.post_form(f"/admin/personnes/{member.id}/actif", {})
    assert response.status_code == 302
    assert member_client.get("/compte").status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, member.id).active is False


def test_login_card_flow_with_pin(app, client) -> None:  # type: ignore[no-untyped-def]
    facilitator = factories.person(username="anim")
    josiane = factories.person(
        display_name="Josiane Petit", username="josiane", email=None, password=None
    )
    group = factories.group()
    factories.membership(facilitator, group, Role.FACILITATOR)
    factories.membership(josiane, group)
    factories.login(client, facilitator)
    card = client.post_form(f"/admin/personnes/{josiane.id}/carte", {})
    html = card.get_data(as_text=True)
    assert card.status_code == 200
    code = re.search(r'class="card-code">([A-Z0-9-]+)<', html).group(1)
    assert "<svg" in html and "Josiane Petit" in html and "josiane" in html

    phone = app.test_client()
    scanned = phone.get(f"/c/{code.replace('-', '')}")
    assert scanned.status_code == 200 and code.replace("-", "") in scanned.get_data(as_text=True)
    response = phone.post(
        "/carte", data={"csrf_token": phone.csrf_token(f"/c/{code}"), "code": code}
    )
    assert response.headers["Location"] == "/compte/code"
    assert phone.get("/compte").headers["Location"] == "/compte/code"  # PIN first

    mismatch = phone.post_form("/compte/code", {"pin": "482915", "pin_again": "482916"})
    assert mismatch.status_code == 422
    weak = phone.post_form("/compte/code", {"pin": "111111", "pin_again": "111111"})
    assert weak.status_code == 422 and "trop facile" in weak.get_data(as_text=True)
    saved = phone.post_form("/compte/code", {"pin": "482915", "pin_again": "482915"})
    assert saved.headers["Location"] == "/pour-moi"
    assert "Josiane Petit" in phone.get("/compte").get_data(as_text=True)

    phone.post_form("/deconnexion", {})
    again = phone.post_form("/carte", {"code": code})
    assert again.status_code == 422  # a card works once
    assert (
        phone.post_form("/connexion", {"identifier": "josiane", "secret": "482915"}).status_code
        == 302
    )


def test_facilitator_cannot_print_a_card_outside_their_groups(client) -> None:  # type: ignore[no-untyped-def]
    facilitator = factories.with_role(Role.FACILITATOR)
    stranger = factories.person()
    factories.membership(stranger)  # in another group
    factories.login(client, facilitator)
    assert client.post_form(f"/admin/personnes/{stranger.id}/carte", {}).status_code == 404


def test_language_switch_is_remembered(app, client) -> None:  # type: ignore[no-untyped-def]
    assert '<html lang="fr">' in client.get("/").get_data(as_text=True)
    response = client.post_form("/langue", {"lang": "en", "next": "/connexion"})
    assert response.headers["Location"] == "/connexion"
    page = client.get("/connexion").get_data(as_text=True)
    assert '<html lang="en">' in page and "Log in" in page
    # A new browser session with only the long-lived cookie still speaks English.
    later = app.test_client()
    later.set_cookie("lang", "en", domain="tablee.test")
    assert '<html lang="en">' in later.get("/").get_data(as_text=True)


def test_language_choice_is_kept_on_the_account(client) -> None:  # type: ignore[no-untyped-def]
    person = factories.person()
    factories.login(client, person)
    client.post_form("/langue", {"lang": "en"})
    db.session.expire_all()
    assert db.session.get(Person, person.id).locale == "en"


def test_unknown_language_is_refused_plainly(client) -> None:  # type: ignore[no-untyped-def]
    response = client.post_form("/langue", {"lang": "xx"})
    assert response.status_code == 422
    assert "langue" in response.get_data(as_text=True)


def test_change_password_logs_out_other_devices(app, client) -> None:  # type: ignore[no-untyped-def]
    person = factories.person(username="awa")
    other_device = app.test_client()
    factories.login(other_device, person)
    factories.login(client, person)
    wrong = client.post_form(
        "/compte/mot-de-passe",
        {"current": "pas le bon", "new": "une nouvelle phrase", "new_again": "une nouvelle phrase"},
    )
    assert wrong.status_code == 422
    ok = client.post_form(
        "/compte/mot-de-passe",
        {
            "current": factories.PASSWORD,
            "new": "une nouvelle phrase",
            "new_again": "une nouvelle phrase",
        },
    )
    assert ok.status_code == 302
    assert client.get("/compte").status_code == 200
    assert other_device.get("/compte").status_code == 302
    db.session.expire_all()
    assert services.verify_secret(db.session.get(Person, person.id), "une nouvelle phrase")


def test_admin_sets_a_groups_decision_rule(client) -> None:  # type: ignore[no-untyped-def]
    from governance.people.models import Group

    factories.login(client, factories.with_role(Role.ADMIN))
    response = client.post_form(
        "/admin/groupes/nouveau",
        {
            "name": "Comité citoyen du Couserans",
            "kind": "committee",
            "quorum_kind": "percent",
            "quorum_value": "50",
            "code": "",
            "allow_concern": "y",
            "rounds_before_fallback": "3",
            "fallback": "2/3",
        },
    )
    assert response.status_code == 302
    group = db.session.scalar(db.select(Group).where(Group.name.like("%Couserans")))
    assert group.code == "CCC" and group.allow_concern and not group.allow_abstention
    assert (group.rounds_before_fallback, group.fallback_numerator, group.fallback_denominator) == (
        3,
        2,
        3,
    )
    page = client.get(f"/admin/groupes/{group.id}").get_data(as_text=True)
    assert "2/3" in page
    taken = client.post_form(
        "/admin/groupes/nouveau",
        {
            "name": "Autre",
            "kind": "committee",
            "quorum_kind": "percent",
            "quorum_value": "50",
            "code": "ccc",
            "rounds_before_fallback": "2",
            "fallback": "",
        },
    )
    assert taken.status_code == 422 and "ccc" in taken.get_data(as_text=True)
    bad = client.post_form(
        "/admin/groupes/nouveau",
        {
            "name": "Autre",
            "kind": "committee",
            "quorum_kind": "percent",
            "quorum_value": "50",
            "code": "a b",
            "rounds_before_fallback": "0",
            "fallback": "9/10",
        },
    )
    assert bad.status_code == 422


def test_a_login_hashes_before_taking_the_write_lock(client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """61 members logging in at once must not hash one after the other inside the write lock:
    the password is checked while the request only reads, then the attempt is written."""
    from flask import g

    from governance.people import services as people_services
    from governance.people.models import LoginAttempt, LoginSession

    seen: list[str | None] = []
    check = people_services.check_secret

    def watched(person, secret):  # type: ignore[no-untyped-def]
        seen.append(g.get("tablee_tx"))
        return check(person, secret)

    monkeypatch.setattr(people_services, "check_secret", watched)
    person = factories.person(email="storm@exemple.org")
    db.session.commit()
    response = client.post_form(
        "/connexion", {"identifier": "storm@exemple.org", "secret": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert seen == ["read"]
    assert db.session.scalar(
        select(LoginAttempt.succeeded).where(LoginAttempt.account_key == f"person:{person.id}")
    )
    assert db.session.scalar(select(LoginSession.id).where(LoginSession.person_id == person.id))


def test_changing_a_secret_hashes_before_taking_the_write_lock(app, client, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """The password change checks the current one and hashes the new one while the request
    only reads; so does a PIN chosen after a login card. Only the writes hold the lock."""
    from flask import g

    from governance.people import services as people_services

    seen: list[str | None] = []
    real_hash, real_check = people_services.hash_secret, people_services.check_secret

    def hashing(secret):  # type: ignore[no-untyped-def]
        seen.append(g.get("tablee_tx"))
        return real_hash(secret)

    def checking(person, secret):  # type: ignore[no-untyped-def]
        seen.append(g.get("tablee_tx"))
        return real_check(person, secret)

    person = factories.person()
    carded = factories.person(email=None, password=None)
    code = people_services.issue_login_card(carded, None)
    db.session.commit()
    monkeypatch.setattr(people_services, "hash_secret", hashing)
    monkeypatch.setattr(people_services, "check_secret", checking)

    factories.login(client, person)
    seen.clear()
    changed = client.post_form(
        "/compte/mot-de-passe",
        {
            "current": factories.PASSWORD,
            "new": "une toute nouvelle phrase",
            "new_again": "une toute nouvelle phrase",
        },
    )
    assert changed.status_code == 302, changed.get_data(as_text=True)
    assert seen == ["read", "read"]  # the current one checked, the new one hashed
    db.session.expire_all()
    assert real_check(db.session.get(Person, person.id), "une toute nouvelle phrase")[0]

    phone = app.test_client()
    assert phone.post_form("/carte", {"code": code}).headers["Location"] == "/compte/code"
    seen.clear()
    chosen = phone.post_form("/compte/code", {"pin": "482915", "pin_again": "482915"})
    assert chosen.status_code == 302 and seen == ["read"]
    db.session.expire_all()
    assert real_check(db.session.get(Person, carded.id), "482915")[0]
