"""A member on a phone tells a few facts about themselves and agrees to research use, then
withdraws them; the public composition page and a facilitator's evaluation page read well."""

from __future__ import annotations

from flask import Flask
from playwright.sync_api import Page, expect

from governance.demo import DEMO_PASSWORD
from governance.extensions import db
from tests.e2e.conftest import check_a11y, seed, visit
from tests.e2e.test_foundation import log_in


def _member() -> tuple[str, int]:
    from tests import factories

    person = factories.person(display_name="Yasmine Ferhat")
    factories.membership(person, factories.group())
    return person.email, person.id


def _profile(person_id: int):  # type: ignore[no-untyped-def]
    from governance.evaluation.models import Profile

    found = db.session.get(Profile, person_id)
    if found is None:
        return None
    return (found.age_band, found.income_bracket, found.household_size, found.research_consent)


def test_a_member_tells_about_themselves_on_a_phone_and_withdraws(
    page: Page, live_app: Flask
) -> None:
    email, person_id = seed(live_app, _member)
    log_in(page, email, "mot de passe solide")
    visit(page, "/compte")
    page.get_by_role("link", name="Parler de moi").click()
    expect(page.get_by_role("heading", name="À propos de vous")).to_be_visible()
    check_a11y(page)
    page.get_by_role("group", name="Votre âge").get_by_label("40 à 54 ans").check()
    household = page.get_by_role("group", name="Combien de personnes vivent dans votre foyer")
    household.get_by_label("3 personnes").check()
    income = page.get_by_role("group", name="Revenu mensuel de votre foyer")
    income.get_by_label("600 € – 900 €").check()
    page.get_by_label("J'accepte que les chercheur·ses").check()
    button = page.get_by_role("button", name="Enregistrer mes réponses")
    box = button.bounding_box()
    assert box is not None and box["height"] >= 44  # thumb-sized
    button.click()
    expect(page.get_by_text("Merci : vos réponses sont enregistrées.")).to_be_visible()
    # what they said comes back to them, and only to them
    expect(page.get_by_label("40 à 54 ans")).to_be_checked()
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    from governance.evaluation.models import AgeBand

    assert seed(live_app, lambda: _profile(person_id)) == (AgeBand.FROM_40_TO_54, 1, 3, True)
    page.get_by_role("button", name="Retirer mes réponses et mon accord").click()
    expect(page.get_by_text("Vos réponses et votre accord sont retirés")).to_be_visible()
    expect(
        page.get_by_role("group", name="Votre âge").get_by_label("Je préfère ne pas le dire")
    ).to_be_checked()
    assert seed(live_app, lambda: _profile(person_id)) is None


def test_composition_and_evaluation_pages_on_a_phone(page: Page) -> None:
    visit(page, "/composition")
    expect(page.get_by_text("L'objectif est atteint")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    log_in(page, "animation@tablee.example", DEMO_PASSWORD)
    visit(page, "/evaluation")
    expect(page.locator("svg.chart")).to_have_count(8)
    page.get_by_text("Le tableau des chiffres").first.click()
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def _household_person() -> tuple[str, int]:
    from datetime import date

    from governance.budget import services as budget
    from governance.budget.models import HouseholdStatus
    from governance.evaluation import surveys
    from governance.evaluation.models import Audience
    from governance.evaluation.survey_defaults import FOOD_HABITS
    from tests import factories

    person = factories.person(display_name="Nadia Cherif")
    household = budget.save_household(
        None,
        reference=f"E2E-{person.id}",
        adults=1,
        teens=0,
        children=1,
        income_bracket=1,
        contribution_cents=100,
        starts_on=date(2026, 1, 1),
        status=HouseholdStatus.ACTIVE,
    )
    household.person_id = person.id
    campaign = surveys.create(
        f"Enquête {person.id}", Audience.HOUSEHOLDS, "one_off", date.today(), FOOD_HABITS, person
    )
    return person.email, campaign.waves[0].id


def test_a_household_answers_a_survey_on_a_phone(page: Page, live_app: Flask) -> None:
    email, wave_id = seed(live_app, _household_person)
    log_in(page, email, "mot de passe solide")
    visit(page, "/compte/enquetes")
    page.locator(f"a[href='/compte/enquetes/{wave_id}/1']").click()
    expect(page.get_by_role("heading", name="Vos repas")).to_be_visible()
    check_a11y(page)
    page.get_by_role("group", name="À quelle fréquence").get_by_label("Tous les jours").check()
    page.get_by_role("group", name="Cuisinez-vous").get_by_label("Parfois").check()
    page.get_by_role("group", name="Avez-vous assez").get_by_label("Pas toujours").check()
    page.get_by_role("button", name="Écran suivant").click()
    expect(page.get_by_role("heading", name="Vos achats")).to_be_visible()
    check_a11y(page)
    page.get_by_label("Dans des commerces de quartier ou au marché").check()
    page.get_by_role("button", name="Écran précédent").click()  # back: what was said is kept
    expect(page.get_by_label("Parfois")).to_be_checked()
    page.get_by_role("button", name="Écran suivant").click()
    expect(page.get_by_label("Dans des commerces de quartier ou au marché")).to_be_checked()
    page.get_by_role("button", name="Écran suivant").click()
    expect(page.get_by_role("heading", name="Envoyer mes réponses")).to_be_visible()
    check_a11y(page)
    page.get_by_role("button", name="Envoyer mes réponses").click()
    expect(page.get_by_text("Merci : vos réponses sont envoyées.")).to_be_visible()
    expect(page.locator(f"a[href='/compte/enquetes/{wave_id}/1']")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    check_a11y(page)


def _survey_answers(wave_id: int) -> dict[str, str]:
    from sqlalchemy import select

    from governance.evaluation.models import SurveyAnswer, SurveyResponse

    rows = db.session.execute(
        select(SurveyAnswer.question, SurveyAnswer.value)
        .join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)
        .where(SurveyResponse.wave_id == wave_id)
    ).all()
    return dict(rows)


def test_a_survey_answer_given_offline_arrives_once_back_online(
    page: Page, live_app: Flask
) -> None:
    email, wave_id = seed(live_app, _household_person)
    log_in(page, email, "mot de passe solide")
    visit(page, f"/compte/enquetes/{wave_id}/1")
    expect(page.get_by_role("heading", name="Vos repas")).to_be_visible()
    sent: list[str] = []
    page.on(
        "request",
        lambda r: sent.append(r.post_data or "") if r.url.endswith("/reponse") else None,
    )
    page.context.set_offline(True)
    page.get_by_role("group", name="À quelle fréquence").get_by_label("Tous les jours").check()
    status = page.locator("[data-status-for] >> nth=0")
    expect(status).to_have_text("Pas encore envoyé")
    expect(page.get_by_text("Pas de connexion")).to_be_visible()
    expect(page.get_by_text("1 chose pas encore envoyée")).to_be_visible()
    check_a11y(page)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert sent == []  # nothing tried while the phone knows it is offline
    warned: list[str] = []

    def dismiss(dialog) -> None:  # type: ignore[no-untyped-def]
        warned.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.get_by_role("button", name="Se déconnecter").click()  # warned first: stays
    assert warned and "pas encore envoyée" in warned[0], warned
    expect(status).to_have_text("Pas encore envoyé")
    assert seed(live_app, lambda: _survey_answers(wave_id)) == {}
    page.context.set_offline(False)
    expect(status).to_contain_text("Enregistré")
    expect(page.get_by_text("1 chose pas encore envoyée")).to_be_hidden()
    page.wait_for_timeout(500)
    assert len(sent) == 1
    stored = page.evaluate("Object.keys(localStorage).filter((k) => k.startsWith('tablee-'))")
    assert stored == []
    assert seed(live_app, lambda: _survey_answers(wave_id)) == {"fruits_veg": "daily"}
    page.reload()  # the server has it: the screen shows it from there
    expect(page.get_by_label("Tous les jours")).to_be_checked()
    assert len(sent) == 1
    check_a11y(page)
