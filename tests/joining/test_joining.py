"""Joining: a visitor applies (bad input 422, kept); a duplicate is recognised; the welcome
team moves applicants; enrolment makes one household, one card, one first assessment; the
capacity and the order of arrival are respected."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from governance.budget import rules
from governance.budget import services as budget
from governance.budget.models import ContributionAssessment, Household, ScaleStatus
from governance.errors import DomainError
from governance.extensions import db
from governance.joining import services
from governance.joining.models import Applicant, ApplicantStatus, HeardFrom, PlacesMode
from governance.people.models import LoginCard, Person, Role
from tests import factories

FORM = {
    "name": "Awa Ndiaye",
    "adults": "1",
    "teens": "0",
    "children": "2",
    "income_bracket": "1",
    "neighbourhood": "Mermoz",
    "heard_from": "social_services",
    "heard_detail": "Maison de la métropole",
    "email": "",
    "phone": "06 12 34 56 78",
}


def _status(applicant: Applicant) -> ApplicantStatus:
    return db.session.scalar(select(Applicant.status).where(Applicant.id == applicant.id))


def _count(model) -> int:  # type: ignore[no-untyped-def]
    return db.session.scalar(select(func.count()).select_from(model)) or 0


def test_the_page_says_how_it_works_and_a_visitor_applies(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/rejoindre")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "<script" not in html.split("<main")[1]
    assert "MonA" in html and 'name="heard_from"' in html
    sent = client.post_form("/rejoindre", FORM)
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/rejoindre/merci")
    (applicant,) = db.session.scalars(select(Applicant)).all()
    assert (
        applicant.status is ApplicantStatus.NEW
        and applicant.heard_from is HeardFrom.SOCIAL_SERVICES
    )
    assert (applicant.adults, applicant.children, applicant.phone) == (1, 2, "06 12 34 56 78")
    assert client.get("/rejoindre/merci").status_code == 200


def test_bad_input_comes_back_with_422_and_what_was_typed(client) -> None:  # type: ignore[no-untyped-def]
    bad = client.post_form(
        "/rejoindre",
        {**FORM, "adults": "zéro", "income_bracket": "", "email": "awa@", "name": ""},
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'value="zéro"' in html and 'value="awa@"' in html and 'value="Mermoz"' in html
    assert 'value="Maison de la métropole"' in html
    assert _count(Applicant) == 0


def test_a_duplicate_application_is_recognised(client) -> None:  # type: ignore[no-untyped-def]
    client.post_form("/rejoindre", FORM)
    again = client.post_form("/rejoindre", {**FORM, "name": "AWA  ndiaye", "phone": "+33612345678"})
    assert again.status_code == 302
    assert _count(Applicant) == 1
    assert db.session.scalar(select(Applicant.sent_again)) == 1
    # without any contact: the name and the neighbourhood, however written
    values = services.Application(
        "Jean Dupont", 1, 0, 0, 2, "États-Unis", HeardFrom.WORD_OF_MOUTH, "", None, None
    )
    first, new = services.apply(values)
    second, again_new = services.apply(
        services.Application("jean dupont", 2, 0, 0, 3, "Etats-Unis", HeardFrom.OTHER, "", None, "")
    )
    assert new and not again_new and first is second


def _scale() -> None:
    lyon = rules.PRESETS["lyon8"]
    scale = budget.save_scale(None, "Lyon", lyon["allocation"], lyon["contribution"], None)
    scale.status, scale.effective_month = ScaleStatus.ACTIVE, date(2026, 1, 1)


def _applicant(name: str, status: ApplicantStatus = ApplicantStatus.CAME) -> Applicant:
    applicant, _new = services.apply(
        services.Application(name, 1, 0, 1, 2, "Bachut", HeardFrom.ORGANISATION, "", None, None)
    )
    applicant.status = status
    db.session.flush()
    return applicant


ENROL = {
    "adults": "1",
    "teens": "0",
    "children": "1",
    "income_bracket": "2",
    "left": "400",
    "food": "250",
    "declared": "20",
}


def test_moving_then_enrolling_creates_one_household_and_one_card(client) -> None:  # type: ignore[no-untyped-def]
    _scale()
    applicant = _applicant("Nadia Benali", ApplicantStatus.NEW)
    factories.login(client, factories.with_role(Role.FACILITATOR))
    assert client.get("/accueil").status_code == 200
    base = f"/accueil/candidatures/{applicant.id}"
    assert client.post_form(f"{base}/etape/venue", {}).status_code == 302  # not from "new"
    assert _status(applicant) is ApplicantStatus.NEW
    early = client.post_form(f"{base}/inscrire", ENROL)
    assert early.status_code == 422 and _count(Household) == 0
    client.post_form(f"{base}/etape/invitee", {})
    client.post_form(f"{base}/etape/venue", {})
    assert _status(applicant) is ApplicantStatus.CAME
    bad = client.post_form(f"{base}/inscrire", {**ENROL, "food": "un peu"})
    assert bad.status_code == 422 and 'value="un peu"' in bad.get_data(as_text=True)
    people_before = _count(Person)
    done = client.post_form(f"{base}/inscrire", ENROL)
    assert done.status_code == 200 and "card-code" in done.get_data(as_text=True)
    again = client.post_form(f"{base}/inscrire", ENROL)  # a second tap, or a resent page
    assert again.status_code == 422
    assert (_count(Household), _count(LoginCard), _count(ContributionAssessment)) == (1, 1, 1)
    assert _count(Person) == people_before + 1
    household = db.session.scalar(select(Household))
    db.session.expire_all()
    assert applicant.status is ApplicantStatus.ENROLLED and applicant.household_id == household.id
    assert db.session.get(Person, household.person_id).display_name == "Nadia Benali"
    assessment = db.session.scalar(select(ContributionAssessment))
    # 1 adult + 1 child = 1.3 UC × 30 € = 39 €; a fifth of 400 € is 80 €; 250 € of food
    assert (assessment.suggested_cents, assessment.declared_cents) == (3900, 2000)


def test_the_capacity_is_respected() -> None:
    _scale()
    services.set_intake(1, PlacesMode.ORDER, "CCA-2026-001")
    first, second = _applicant("Un"), _applicant("Deux")
    answers = budget_answers()
    services.enrol(first, answers, 1000, None, date.today())
    assert services.places_left() == 0
    with pytest.raises(DomainError):
        services.enrol(second, answers, 1000, None, date.today())
    services.move(second, ApplicantStatus.WAITING, None)
    assert _count(Household) == 1


def test_in_order_of_arrival_the_waiting_list_comes_first() -> None:
    _scale()
    services.set_intake(10, PlacesMode.ORDER, "")
    earlier, later = _applicant("Tôt", ApplicantStatus.WAITING), _applicant("Tard")
    with pytest.raises(DomainError):
        services.enrol(later, budget_answers(), 1000, None, date.today())
    services.enrol(earlier, budget_answers(), 1000, None, date.today())
    services.enrol(later, budget_answers(), 1000, None, date.today())
    services.set_intake(10, PlacesMode.DRAW, "")  # by a draw, no order is imposed
    assert _count(Household) == 2


def budget_answers():  # type: ignore[no-untyped-def]
    from governance.budget.assessments import Answers

    return Answers(1, 0, 1, 2, 40000, 25000)


def test_only_admins_change_the_settings_and_members_see_no_applicant(client) -> None:  # type: ignore[no-untyped-def]
    applicant = _applicant("Secret")
    factories.login(client, factories.with_role(Role.MEMBER))
    for path in ("/accueil", f"/accueil/candidatures/{applicant.id}"):
        assert client.get(path).status_code == 403
    assert (
        client.post_form(f"/accueil/candidatures/{applicant.id}/etape/attente", {}).status_code
        == 403
    )
    assert (
        client.post_form(f"/accueil/candidatures/{applicant.id}/inscrire", ENROL).status_code == 403
    )
    client.post_form("/deconnexion", {})
    factories.login(client, factories.with_role(Role.TREASURER))
    assert (
        client.post_form("/accueil/reglages", {"capacity": "200", "mode": "order"}).status_code
        == 403
    )
    client.post_form("/deconnexion", {})
    factories.login(client, factories.with_role(Role.ADMIN))
    bad = client.post_form("/accueil/reglages", {"capacity": "beaucoup", "mode": "order"})
    assert bad.status_code == 422 and 'value="beaucoup"' in bad.get_data(as_text=True)
    ok = client.post_form("/accueil/reglages", {"capacity": "200", "mode": "draw"})
    assert ok.status_code == 302
    assert (services.intake().capacity, services.intake().mode) == (200, PlacesMode.DRAW)
    anonymous = client.application.test_client()
    assert anonymous.get("/accueil").status_code == 302  # to the login page


def test_when_the_caisse_is_full_the_page_says_so_and_still_takes_the_application(client) -> None:  # type: ignore[no-untyped-def]
    from governance.joining.models import Intake

    assert "complète en ce moment" not in client.get("/rejoindre").get_data(as_text=True)
    assert _count(Intake) == 0  # reading the settings wrote nothing
    services.set_intake(0, PlacesMode.ORDER, "")
    assert "complète en ce moment" in client.get("/rejoindre").get_data(as_text=True)
    assert client.post_form("/rejoindre", FORM).status_code == 302
    assert _count(Applicant) == 1
