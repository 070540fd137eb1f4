"""A survey answered by three households across two waves, one answer keyed in from paper by
a facilitator: response rates and aggregates worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from governance.evaluation import policy, surveys
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


def test_three_households_two_waves_one_on_paper(app, monkeypatch) -> None:  # type: ignore[no-untyped-def]
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

    # Three households: every count of 1 to 4 is hidden, as on every page of counts…
    _rates, hidden = surveys.results(campaign, date.today())
    fruits = next(q for q in hidden if q.question["code"] == "fruits_veg")
    assert fruits.counts == [[None, None, None], [None, 0, 0], [0, 0, 0]]
    assert [(w.number, both, changed) for w, both, changed in fruits.later] == [
        (2, 1, None),  # one person answered both waves: whether they changed is not told
        (3, 0, 0),
    ]
    # …and the counting itself, seen with the smallest cell brought down to one person:
    monkeypatch.setattr(policy, "MIN_CELL", 1)
    rates, questions = surveys.results(campaign, date.today())
    assert [(r.asked, r.answered, r.on_paper, r.permille) for r in rates] == [
        (3, 3, 1, 1000),
        (3, 1, 0, 333),
        (0, 0, 0, 0),  # the 12-month wave is due for nobody yet
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


def _joining(on: date, left: bool = False):  # type: ignore[no-untyped-def]
    from governance.budget import services as budget
    from governance.budget.models import HouseholdStatus

    person = factories.person()
    household = budget.save_household(
        None,
        reference=f"J-{person.id}",
        adults=1,
        teens=0,
        children=0,
        income_bracket=1,
        contribution_cents=100,
        starts_on=on,
        status=HouseholdStatus.ACTIVE,
    )
    household.person_id = person.id
    if left:
        household.status = HouseholdStatus.LEFT
    db.session.flush()
    return person


def _send(wave, person) -> None:  # type: ignore[no-untyped-def]
    response = surveys.response_for(wave, person)
    assert surveys.save_answers(response, FULL) == {}
    surveys.submit(response)


def test_waves_open_from_each_households_own_joining_date(app) -> None:  # type: ignore[no-untyped-def]
    # The campaign begins on 10 January 2026: baseline, then 6 and 12 months.
    staff = factories.person()
    campaign = surveys.create(
        "Habitudes", Audience.HOUSEHOLDS, "waves", date(2026, 1, 10), FOOD_HABITS, staff
    )
    first, second, third = campaign.waves
    a = _joining(date(2025, 6, 1))  # joined before: the campaign's first day is A's start
    b = _joining(date(2026, 3, 15))  # baseline 15 March, 6 months 15 Sept, 12 months 15 March 2027
    c = _joining(date(2026, 11, 20))  # baseline 20 November, 6 months 20 May 2027
    gone = _joining(date(2026, 2, 1), left=True)  # left: never asked
    later = _joining(date(2027, 2, 1))  # not yet joined on the days below
    ids = {p.id: name for p, name in ((a, "A"), (b, "B"), (c, "C"), (gone, "G"), (later, "L"))}

    def asked(wave, on):  # type: ignore[no-untyped-def]
        return sorted(ids[p] for p in surveys.asked_in(wave, on) if p in ids)

    # due dates by hand
    assert surveys.due_on(second, date(2025, 6, 1)) == date(2026, 7, 10)
    assert surveys.due_on(first, date(2026, 3, 15)) == date(2026, 3, 15)
    assert surveys.due_on(second, date(2026, 3, 15)) == date(2026, 9, 15)
    assert surveys.due_on(third, date(2026, 3, 15)) == date(2027, 3, 15)
    assert surveys.due_on(second, date(2026, 1, 31)) == date(2026, 7, 28)  # the 28th at most

    # 1 August 2026: A's 6-month wave is due (10 July); B's baseline only; C has not joined.
    august = date(2026, 8, 1)
    assert [asked(w, august) for w in campaign.waves] == [["A", "B"], ["A"], []]
    assert [w.id for w in surveys.open_waves(b, august)] == [first.id]
    assert [w.id for w in surveys.open_waves(a, august)] == [second.id]
    assert surveys.open_waves(c, august) == []
    assert not surveys.is_asked(second, b, august)

    # 1 December 2026: B's 6-month wave too (15 Sept); C's baseline (20 Nov); nobody's 12 months.
    december = date(2026, 12, 1)
    assert [asked(w, december) for w in campaign.waves] == [["A", "B", "C"], ["A", "B"], []]
    assert [w.id for w in surveys.open_waves(c, december)] == [first.id]
    assert [w.id for w in surveys.open_waves(b, december)] == [second.id]
    assert surveys.is_asked(first, c, december) and not surveys.is_asked(second, c, december)
    assert surveys.open_waves(gone, december) == surveys.open_waves(later, december) == []

    # A answers both waves, B the baseline, C nothing: rates count those due for each wave.
    _send(first, a)
    _send(second, a)
    _send(first, b)
    assert surveys.open_waves(a, december) == []  # A's latest due wave is done
    assert [w.id for w in surveys.open_waves(b, december)] == [second.id]
    rates, _questions = surveys.results(campaign, december)
    assert [(r.asked, r.answered, r.permille) for r in rates] == [
        (3, 2, 666),
        (2, 1, 500),
        (0, 0, 0),
    ]
    # In August, fewer were due: the baseline asked A and B, both answered (whenever they did).
    rates, _questions = surveys.results(campaign, august)
    assert [(r.asked, r.answered, r.permille) for r in rates] == [
        (2, 2, 1000),
        (1, 1, 1000),
        (0, 0, 0),
    ]


def test_a_committee_survey_keeps_its_own_dates(app) -> None:  # type: ignore[no-untyped-def]
    member = factories.person()
    factories.membership(member, factories.group())
    campaign = surveys.create(
        "Comité", Audience.COMMITTEE, "one_off", date(2026, 5, 4), FOOD_HABITS, member
    )
    (wave,) = campaign.waves
    assert not surveys.is_asked(wave, member, date(2026, 5, 3))
    assert surveys.is_asked(wave, member, date(2026, 5, 4))
    assert [w.id for w in surveys.open_waves(member, date(2026, 5, 4))] == [wave.id]


def test_one_answer_from_a_phone_is_confirmed_by_its_echo(app) -> None:  # type: ignore[no-untyped-def]
    from governance.evaluation.models import SurveyAnswer

    (a,) = _three_households()[:1]
    campaign = surveys.create(
        "Enquête", Audience.HOUSEHOLDS, "one_off", date.today(), FOOD_HABITS, a
    )
    wave = campaign.waves[0]
    url = f"/compte/enquetes/{wave.id}/reponse"
    page = f"/compte/enquetes/{wave.id}/1"
    phone = {"Accept": "application/json", "X-Tablee-Page": page}
    client = app.test_client()
    factories.login(client, a)
    token = client.csrf_token(page)
    sent = client.post(
        url,
        data={"csrf_token": token, "question": "fruits_veg", "value": "daily", "key": "k1"},
        headers=phone,
    )
    assert sent.status_code == 200
    assert sent.json["key"] == "k1" and sent.json["question"] == "fruits_veg"
    # the same answer sent twice (its confirmation lost) is kept once
    again = client.post(
        url,
        data={"csrf_token": token, "question": "fruits_veg", "value": "daily", "key": "k1"},
        headers=phone,
    )
    assert again.json["key"] == "k1"
    rows = db.session.scalars(select(SurveyAnswer.value)).all()
    assert rows == ["daily"]
    refused = client.post(
        url,
        data={"csrf_token": token, "question": "fruits_veg", "value": "x", "key": "k2"},
        headers=phone,
    )
    assert refused.status_code == 422 and refused.json["key"] == "k2"
    assert refused.json["question"] == "fruits_veg"
    # no token: 400, without the key, so the phone keeps the answer (a key no CSRF token of the
    # page can contain by chance: "k3" once matched letters of one)
    expired = client.post(
        url, data={"question": "cooking", "value": "often", "key": "clé-3"}, headers=phone
    )
    assert expired.status_code == 400 and "clé-3" not in expired.get_data(as_text=True)
    # someone the wave does not ask: 403, the answer kept on their phone
    outsider = app.test_client()
    factories.login(outsider, factories.person())
    other = outsider.post(
        url,
        data={"csrf_token": outsider.csrf_token("/compte"), "question": "cooking", "key": "k4"},
        headers=phone,
    )
    assert other.status_code == 403 and "k4" not in other.get_data(as_text=True)
    # the session ended: JSON 401 with the way back to this screen
    with client.session_transaction() as cookie:
        cookie.clear()
    gone = client.post(
        url,
        data={"csrf_token": token, "question": "cooking", "value": "often", "key": "k5"},
        headers=phone,
    )
    assert gone.status_code == 401 and gone.json["login"] == f"/connexion?next={page}"
    assert db.session.scalars(select(SurveyAnswer.value)).all() == ["daily"]
