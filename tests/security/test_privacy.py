"""Personal data: a person's own copy, erasure that keeps the books whole, retention."""

from __future__ import annotations

import contextvars
import json
from datetime import UTC, date, datetime, timedelta

from flask_migrate import upgrade
from sqlalchemy import select

from governance import create_app
from governance.budget import checks, ledger, services
from governance.budget.models import Household, HouseholdStatus
from governance.extensions import db
from governance.people import privacy
from governance.people.models import Person, Role
from tests import factories
from tests.budget.test_ledger import _household
from tests.factories import PASSWORD


def test_a_person_downloads_their_data_and_nobody_elses(client) -> None:  # type: ignore[no-untyped-def]
    fatou = factories.person(display_name="Fatou Diallo")
    factories.membership(fatou, role=Role.MEMBER)
    household = _household("F-77")
    household.person_id = fatou.id
    ledger.record_contribution(household, 500, date(2026, 3, 2), "c-77")
    other = factories.person(display_name="Quelqu'un d'autre")
    mine = _household("F-78")
    mine.person_id = other.id
    factories.login(client, fatou)
    response = client.get("/compte/mes-donnees.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["display_name"] == "Fatou Diallo"
    assert "secret_hash" not in data["person"] and "totp_secret" not in data["person"]
    assert [m["person_id"] for m in data["membership"]["person_id"]] == [fatou.id]
    assert [h["reference"] for h in data["household"]["person_id"]] == ["F-77"]
    assert data["contributions_paid"]["F-77"] == [{"date": "2026-03-02", "euro_cents": 500}]
    assert data["mona_wallet"]["F-77"] == []  # no allocation yet
    assert all("token_hash" not in row for row in data["login_session"]["person_id"])
    text = response.get_data(as_text=True)
    assert "F-78" not in text and "Quelqu'un d'autre" not in text


def test_an_admin_erases_a_person_and_the_books_stay_whole(app, client) -> None:  # type: ignore[no-untyped-def]
    admin = factories.with_role(Role.ADMIN)
    fatou = factories.person(display_name="Fatou Diallo", email="fatou@example.org")
    household = _household("F-90")
    household.person_id = fatou.id
    ledger.record_contribution(household, 500, date(2026, 3, 2), "c-90")
    theirs = app.test_client()
    factories.login(theirs, fatou)
    factories.login(client, admin)
    fatou_id, username = fatou.id, fatou.username

    unconfirmed = client.post_form(f"/admin/personnes/{fatou_id}/effacer", {})
    assert unconfirmed.status_code == 422 and "Cochez la case" in unconfirmed.get_data(as_text=True)
    db.session.refresh(fatou)
    assert fatou.display_name == "Fatou Diallo"  # nothing written

    erased = client.post_form(f"/admin/personnes/{fatou_id}/effacer", {"confirm": "y"})
    assert erased.status_code == 302
    db.session.expire_all()
    fatou = db.session.get(Person, fatou_id)
    assert fatou.erased_at is not None and fatou.email is None and not fatou.active
    assert "Fatou" not in fatou.display_name and fatou.secret_hash is None
    assert db.session.get(Household, household.id).person_id is None
    assert theirs.get("/compte").status_code == 302  # logged out everywhere
    again = app.test_client()
    refused = again.post_form("/connexion", {"identifier": username, "secret": PASSWORD})
    assert refused.status_code == 422
    check = checks.verify()  # the hash chain and the balances do not move
    assert check.broken is None and check.unbalanced == [] and check.wrong_balances == []


def test_an_admin_cannot_erase_themself() -> None:
    admin = factories.with_role(Role.ADMIN)
    try:
        privacy.erase(admin, admin)
    except privacy.DomainError as error:
        assert "propre compte" in str(error.message)
    else:
        raise AssertionError("erasing oneself must be refused")
    assert admin.erased_at is None


def test_households_that_left_long_ago_are_forgotten(app) -> None:  # type: ignore[no-untyped-def]
    old = _household("F-OLD", adults=2, children=3)
    recent = _household("F-NEW", adults=2)
    active = _household("F-ACT", adults=2)
    for household in (old, recent):
        services.save_household(
            household,
            adults=household.adults,
            teens=0,
            children=household.children,
            income_bracket=3,
            contribution_cents=800,
            status=HouseholdStatus.LEFT,
        )
    assert recent.left_on == date.today()  # set with the status
    old.left_on = date.today() - timedelta(days=800)
    months = app.config["HOUSEHOLD_RETENTION_MONTHS"]
    assert months == 24
    done = privacy.apply_retention()
    assert done.households == 1
    db.session.expire_all()
    forgotten = db.session.scalar(select(Household).where(Household.reference == "F-OLD"))
    assert forgotten.forgotten_at is not None
    assert (forgotten.adults, forgotten.children, forgotten.income_bracket) == (1, 0, 0)
    kept = db.session.scalar(select(Household).where(Household.reference == "F-NEW"))
    assert kept.forgotten_at is None and kept.income_bracket == 3
    assert db.session.get(Household, active.id).adults == 2
    assert privacy.apply_retention().households == 0  # once only


def test_the_retention_command_forgets_on_its_own_database(tmp_path) -> None:  # type: ignore[no-untyped-def]
    other = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'r.db'}", "SECRET_KEY": "x"}
    )

    def prepare() -> None:
        with other.app_context():
            upgrade()
            gone = _household("F-GONE", adults=2)
            gone.status, gone.left_on = HouseholdStatus.LEFT, date(2020, 1, 31)
            db.session.commit()

    contextvars.Context().run(prepare)
    runner = other.test_cli_runner()
    first = contextvars.Context().run(runner.invoke, args=["retention"])
    assert first.exit_code == 0 and first.output.startswith("1 household(s)"), first.output
    second = contextvars.Context().run(runner.invoke, args=["retention"])
    assert second.output.startswith("0 household(s)")
    with other.app_context():
        assert db.session.scalar(select(Household.forgotten_at)) is not None
        db.engine.dispose()


def test_the_copy_and_the_erasure_reach_attempts_audit_and_decisions(app, client) -> None:  # type: ignore[no-untyped-def]
    from governance import chains
    from governance.audit import AuditEvent
    from governance.db import utcnow
    from governance.people.models import LoginAttempt
    from tests.public.helpers import decided

    decision = decided("Marché du samedi", "Le marché ouvre.")
    named = decision.record["rounds"][0]["eligible_names"][0]
    person = db.session.scalar(select(Person).where(Person.display_name == named))
    person.email = "nom@exemple.org"
    db.session.add(LoginAttempt(account_key="nom@exemple.org", address="10.0.0.1", succeeded=False))
    event = AuditEvent(
        at=utcnow(),
        endpoint="people.person_edit",
        method="POST",
        path=f"/admin/personnes/{person.id}",
        details={"args": {"person_id": person.id}, "form": {"email": ["nom@exemple.org"]}},
    )
    chains.chain_audit_event(event)
    db.session.add(event)
    db.session.commit()

    data = privacy.export(person)
    assert [a["address"] for a in data["login_attempts"]] == ["10.0.0.1"]
    assert [e["id"] for e in data["audit_events_about_you"]] == [event.id]
    assert [d["reference"] for d in data["decisions_naming_you"]] == [decision.reference]
    assert data["decisions_naming_you"][0]["positions"]  # how they voted, in the record

    privacy.erase(person, factories.with_role(Role.ADMIN))
    db.session.commit()
    db.session.expire_all()
    assert db.session.scalar(select(LoginAttempt.id)) is None
    details = json.dumps(db.session.get(AuditEvent, event.id).details)
    assert "nom@exemple.org" not in details and "redacted" in details
    assert [line for line, good in chains.verify_all() if not good] == []  # the chain holds


def test_login_attempts_are_purged_after_the_stated_period(app) -> None:  # type: ignore[no-untyped-def]
    from governance.people.models import LoginAttempt

    old = LoginAttempt(account_key="x", address="a", succeeded=False)
    old.at = datetime(2026, 1, 1, tzinfo=UTC)
    db.session.add_all([old, LoginAttempt(account_key="y", address="a", succeeded=True)])
    db.session.flush()
    done = privacy.apply_retention(date.today())
    assert done.login_attempts == 1
    assert db.session.scalars(select(LoginAttempt.account_key)).all() == ["y"]
