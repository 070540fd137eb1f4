"""The research export: consenting people only, no direct identifier, rare categories
coarsened, a withdrawn consent honoured at the next export, every export recorded."""

from __future__ import annotations

import csv
import io

from sqlalchemy import select

from governance.audit import AuditEvent
from governance.evaluation import dataset, services
from governance.evaluation.models import AgeBand, CameBy, Gender, ResearchExport
from governance.extensions import db
from governance.people.models import Role
from tests import factories

FACTS = {
    "age_band": AgeBand.FROM_25_TO_39,
    "gender": Gender.WOMAN,
    "household_size": 3,
    "income_bracket": 1,
    "food_aid": None,
    "came_by": CameBy.SOCIAL_WORKER,
}


def _export(client) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    response = client.post_form("/evaluation/recherche/export", {})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_export_is_pseudonymised_consenting_only_and_recorded(client) -> None:  # type: ignore[no-untyped-def]
    group = factories.group()
    consenting = [factories.person() for _ in range(6)]
    refusing = factories.person()
    for n, person in enumerate(consenting):
        factories.membership(person, group)
        facts = dict(FACTS, gender=Gender.MAN if n == 0 else Gender.WOMAN)
        services.save_profile(person, facts, research_consent=True)
    services.save_profile(refusing, FACTS, research_consent=False)
    evaluator = factories.with_role(Role.EVALUATOR)
    factories.login(client, evaluator)
    rows = _export(client)
    assert len(rows) == 6
    assert list(rows[0]) == dataset.COLUMNS
    assert all(r["on_committee"] == "yes" for r in rows)
    # the one man is a rare category: coarsened
    assert sorted(r["gender"] for r in rows) == ["other"] + ["woman"] * 5
    assert {r["income"] for r in rows} == {"below_line"}
    pseudonyms = {r["pseudonym"] for r in rows}
    assert len(pseudonyms) == 6
    # the same pseudonyms at the next export
    assert {r["pseudonym"] for r in _export(client)} == pseudonyms
    exports = db.session.scalars(select(ResearchExport)).all()
    assert [e.people for e in exports] == [6, 6]
    audited = db.session.scalars(
        select(AuditEvent).where(AuditEvent.endpoint == "evaluation.research_export")
    ).all()
    assert len(audited) == 2
    assert audited[0].actor_id == evaluator.id


def test_withdrawn_consent_is_not_in_the_next_export(client) -> None:  # type: ignore[no-untyped-def]
    people = [factories.person() for _ in range(5)]
    for person in people:
        services.save_profile(person, FACTS, research_consent=True)
    factories.login(client, factories.with_role(Role.EVALUATOR))
    first = _export(client)
    assert len(first) == 5
    services.save_profile(people[0], FACTS, research_consent=False)
    services.withdraw(people[1])
    db.session.commit()
    second = _export(client)
    assert len(second) == 3
    gone = {services.new_pseudonym()}  # a fresh one is never one of theirs
    assert not gone & {r["pseudonym"] for r in second}


def test_the_demo_export_holds_no_direct_identifier(client) -> None:  # type: ignore[no-untyped-def]
    """Every name, e-mail, username (and phone: the demo has none) of the people: nowhere."""
    from governance.people.models import Person

    people = [factories.person(display_name=f"Inès Martin {n}") for n in range(7)]
    for person in people:
        services.save_profile(person, FACTS, research_consent=True)
    evaluator = factories.with_role(Role.EVALUATOR)
    factories.login(client, evaluator)
    text = client.post_form("/evaluation/recherche/export", {}).get_data(as_text=True)
    assert text.count("\n") == 8  # the header and the seven
    for person in db.session.scalars(select(Person)):
        for identifier in (person.display_name, person.username, person.email):
            if identifier:
                assert identifier.lower() not in text.lower(), identifier


def test_only_evaluators_and_admins_export(client) -> None:  # type: ignore[no-untyped-def]
    factories.login(client, factories.with_role(Role.FACILITATOR))
    assert client.get("/evaluation").status_code == 200
    assert client.get("/evaluation/recherche").status_code == 403
    assert client.post_form("/evaluation/recherche/export", {}).status_code == 403
    assert db.session.scalars(select(ResearchExport)).all() == []


def test_the_export_carries_the_survey_answers_but_never_free_text(client) -> None:  # type: ignore[no-untyped-def]
    from datetime import date

    from governance.evaluation import surveys
    from governance.evaluation.models import Audience
    from governance.evaluation.survey_defaults import FOOD_HABITS

    people = [factories.person() for _ in range(7)]
    campaign = surveys.create(
        "Habitudes", Audience.COMMITTEE, "one_off", date.today(), FOOD_HABITS, people[0]
    )
    wave = campaign.waves[0]
    for n, person in enumerate(people):
        services.save_profile(person, FACTS, research_consent=n < 6)
        response = surveys.response_for(wave, person)
        surveys.save_answers(
            response,
            {
                "fruits_veg": "daily",
                "cooking": "often",
                "enough": "always",
                "where": "local" if n else "aid",
                "comment": "Mon voisin Gérard",
            },
        )
        surveys.submit(response)
    factories.login(client, factories.with_role(Role.EVALUATOR))
    rows = _export(client)
    assert len(rows) == 6
    column = f"survey{campaign.id}_wave1_"
    assert {r[column + "fruits_veg"] for r in rows} == {"daily"}
    assert sorted(r[column + "where"] for r in rows) == ["local"] * 5 + ["other"]  # "aid": 1, rare
    assert not any("comment" in key for key in rows[0])
    assert not any("Gérard" in value for row in rows for value in row.values())


def test_an_erased_person_leaves_with_their_facts() -> None:
    from governance.evaluation.models import Profile
    from governance.people import privacy

    person, admin = factories.person(), factories.with_role(Role.ADMIN)
    services.save_profile(person, FACTS, research_consent=True)
    privacy.erase(person, admin)
    assert db.session.get(Profile, person.id) is None
    assert dataset.consenting() == []
