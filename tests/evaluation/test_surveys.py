"""A survey answered by three households across two waves, one answer keyed in from paper by
a facilitator: response rates and aggregates worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from governance.evaluation import surveys
from governance.evaluation.models import Audience, SurveyCampaign
from governance.evaluation.survey_defaults import FOOD_HABITS
from governance.extensions import db
from governance.people.models import Role
from tests import factories
from tests.budget.test_ledger import _household

BASE = date.today() - timedelta(days=200)  # the 6-month wave is open; the 12-month one not yet
FULL = {"fruits_veg": "daily", "cooking": "often", "enough": "always", "where": "local"}


def _three_households():  # type: ignore[no-untyped-def]
    people = []
    for n in range(3):
        person = factories.person()
        household = _household(f"E-{n}")
        household.person_id = person.id
        people.append(person)
    db.session.flush()
    return people


def _answer(client, wave_id: int, first: dict, second: dict) -> None:  # type: ignore[no-untyped-def]
    assert client.post_form(f"/compte/enquetes/{wave_id}/1", first).status_code == 302
    assert client.post_form(f"/compte/enquetes/{wave_id}/2", second).status_code == 302
    assert client.post_form(f"/compte/enquetes/{wave_id}/3", {}).status_code == 302


def test_three_households_two_waves_one_on_paper(app) -> None:  # type: ignore[no-untyped-def]
    a, b, c = _three_households()
    facilitator = factories.with_role(Role.FACILITATOR)
    staff = app.test_client()
    factories.login(staff, facilitator)
    response = staff.post_form(
        "/evaluation/enquetes",
        {
            "title": "Habitudes",
            "audience": "households",
            "plan": "waves",
            "opens_on": BASE.isoformat(),
        },
    )
    assert response.status_code == 302
    campaign = db.session.scalars(select(SurveyCampaign)).one()
    first, second, _third = campaign.waves
    assert [w.months_after for w in campaign.waves] == [0, 6, 12]

    # Wave 1: A and B on their phones, C on paper (keyed in by the facilitator).
    for person, fruits in ((a, "daily"), (b, "rarely")):
        client = app.test_client()
        factories.login(client, person)
        assert [w.id for w in surveys.open_waves(person, date.today())] == [second.id]
        _answer(
            client,
            first.id,
            {"fruits_veg": fruits, "cooking": "often", "enough": "always"},
            {"where": "supermarket", "comment": "=HYPERLINK()"},
        )
    paper = staff.post_form(
        f"/evaluation/enquetes/vague/{first.id}/papier",
        dict(FULL, person_id=c.id, fruits_veg="weekly"),
    )
    assert paper.status_code == 302, paper.get_data(as_text=True)
    assert "Personne" in staff.get(paper.headers["Location"]).get_data(as_text=True)  # the flash

    # Wave 2 (6 months): A again, with more fruit; B half-way (not sent); C does not answer.
    client = app.test_client()
    factories.login(client, a)
    _answer(client, second.id, dict(FULL, fruits_veg="daily"), {"where": "local"})
    client_b = app.test_client()
    factories.login(client_b, b)
    client_b.post_form(f"/compte/enquetes/{second.id}/1", {"fruits_veg": "weekly"})

    rates, questions = surveys.results(campaign, date.today())
    assert [(r.asked, r.answered, r.on_paper, r.permille) for r in rates] == [
        (3, 3, 1, 1000),
        (3, 1, 0, 333),
        (3, 0, 0, 0),
    ]
    fruits = next(q for q in questions if q.question["code"] == "fruits_veg")
    # choices: daily, weekly, rarely — per wave
    assert fruits.counts == [[1, 1, 1], [1, 0, 0], [0, 0, 0]]
    where = next(q for q in questions if q.question["code"] == "where")
    # supermarket, local, producers, aid
    assert where.counts[0] == [2, 1, 0, 0]
    # A answered the baseline and the 6-month wave, the same way; nobody the 12-month one yet
    assert [(w.number, both, changed) for w, both, changed in fruits.later] == [
        (2, 1, 0),
        (3, 0, 0),
    ]

    page = staff.get(f"/evaluation/enquetes/{campaign.id}").get_data(as_text=True)
    assert "33,3" in page and "100" in page
    for person in (a, b, c):
        assert person.display_name not in page  # counts only


def test_a_person_not_asked_never_reaches_the_wave_and_bad_answers_are_refused(app) -> None:  # type: ignore[no-untyped-def]
    (a,) = _three_households()[:1]
    campaign = surveys.create(
        "Enquête",
        Audience.HOUSEHOLDS,
        "one_off",
        date.today(),
        FOOD_HABITS,
        a,
    )
    wave = campaign.waves[0]
    outsider = app.test_client()
    factories.login(outsider, factories.person())
    assert outsider.get(f"/compte/enquetes/{wave.id}/1").status_code == 404
    assert outsider.post_form(f"/compte/enquetes/{wave.id}/1", FULL).status_code == 404
    client = app.test_client()
    factories.login(client, a)
    assert client.get(f"/compte/enquetes/{wave.id}/1").status_code == 200
    refused = client.post_form(
        f"/compte/enquetes/{wave.id}/1", {"fruits_veg": "chocolate", "cooking": "often"}
    )
    assert refused.status_code == 422
    assert 'value="often" checked' in refused.get_data(as_text=True)  # what was chosen stays
    assert client.post_form(f"/compte/enquetes/{wave.id}/3", {}).status_code == 422  # missing
    assert client.get(f"/compte/enquetes/{wave.id}/9").status_code == 404
