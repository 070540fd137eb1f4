"""The welcome meeting: staff invite applicants to a meeting, and during it mark who came,
without an account; enrolment lets staff choose the household's territory when there are
several."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from governance.budget.models import Household
from governance.conventionnement import territories
from governance.errors import Conflict, DomainError
from governance.extensions import db
from governance.joining import services
from governance.joining.models import Applicant, ApplicantStatus
from governance.people.models import Role
from governance.sessions.models import MeetingStatus
from tests import factories
from tests.joining.test_joining import ENROL, _applicant, _scale, _status, budget_answers


def test_invited_to_a_meeting_then_checked_in_only_while_it_is_open() -> None:
    staff = factories.with_role(Role.FACILITATOR)
    meeting = factories.meeting(status=MeetingStatus.CONVENED)
    other = factories.meeting(status=MeetingStatus.OPEN)
    newcomer = _applicant("Awa", ApplicantStatus.NEW)
    waiting = _applicant("Paul", ApplicantStatus.WAITING)
    for a in (newcomer, waiting):
        services.invite(a, meeting, staff)
    assert [a.name for a in services.invited_to(meeting)] == ["Awa", "Paul"]
    assert newcomer.status is ApplicantStatus.INVITED and newcomer.changed_by_id == staff.id
    with pytest.raises(Conflict):  # not yet open
        services.check_in(newcomer, meeting, staff)
    with pytest.raises(Conflict):  # not invited to that one
        services.check_in(newcomer, other, staff)
    meeting.status = MeetingStatus.OPEN
    services.check_in(newcomer, meeting, staff)
    assert newcomer.status is ApplicantStatus.CAME
    with pytest.raises(Conflict):  # once
        services.check_in(newcomer, meeting, staff)
    services.invite(waiting, other, staff)  # invited elsewhere instead
    assert services.invited_to(meeting) == [newcomer]
    other.status = MeetingStatus.CLOSED
    with pytest.raises(Conflict):  # a meeting that is over
        services.invite(_applicant("Léa", ApplicantStatus.NEW), other, staff)
    enrolled = _applicant("Zoé", ApplicantStatus.ENROLLED)
    with pytest.raises(Conflict):
        services.invite(enrolled, meeting, staff)


def test_staff_invite_from_the_applicants_page_and_mark_who_came(client) -> None:  # type: ignore[no-untyped-def]
    group = factories.group()
    meeting = factories.meeting(
        group, title="Grande réunion d'accueil", status=MeetingStatus.CONVENED
    )
    awa, paul = _applicant("Awa", ApplicantStatus.NEW), _applicant("Paul", ApplicantStatus.NEW)
    staff = factories.person()
    factories.membership(staff, group, role=Role.FACILITATOR)
    factories.login(client, staff)
    page = client.get("/accueil").get_data(as_text=True)
    assert "Grande réunion d&#39;accueil" in page and 'name="applicants"' in page
    bad = client.post_form("/accueil/inviter", {"meeting": str(meeting.id)})
    assert bad.status_code == 422 and _status(awa) is ApplicantStatus.NEW
    done = client.post_form(
        "/accueil/inviter", {"meeting": str(meeting.id), "applicants": [str(awa.id)]}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(
        f"/accueil/reunions/{meeting.id}"
    )
    assert (_status(awa), _status(paul)) == (ApplicantStatus.INVITED, ApplicantStatus.NEW)
    listing = client.get(f"/accueil/reunions/{meeting.id}").get_data(as_text=True)
    assert "Awa" in listing and "Paul" not in listing and "/venue/" not in listing  # not open
    came = f"/accueil/reunions/{meeting.id}/venue/{awa.id}"
    assert client.post_form(came, {}).status_code == 302
    assert _status(awa) is ApplicantStatus.INVITED  # refused: the meeting is not open
    meeting.status = MeetingStatus.OPEN
    db.session.flush()
    assert f"/venue/{awa.id}" in client.get(f"/accueil/reunions/{meeting.id}").get_data(
        as_text=True
    )
    assert client.post_form(came, {}).status_code == 302
    assert _status(awa) is ApplicantStatus.CAME
    assert client.get("/accueil/reunions/999999").status_code == 404


def test_members_cannot_invite_nor_check_in(client) -> None:  # type: ignore[no-untyped-def]
    meeting = factories.meeting(status=MeetingStatus.OPEN)
    awa = _applicant("Awa", ApplicantStatus.NEW)
    factories.login(client, factories.with_role(Role.MEMBER))
    form = {"meeting": str(meeting.id), "applicants": [str(awa.id)]}
    assert client.post_form("/accueil/inviter", form).status_code == 403
    assert client.get(f"/accueil/reunions/{meeting.id}").status_code == 403
    assert client.post_form(f"/accueil/reunions/{meeting.id}/venue/{awa.id}", {}).status_code == 403
    assert _status(awa) is ApplicantStatus.NEW
    anonymous = client.application.test_client()
    assert anonymous.get(f"/accueil/reunions/{meeting.id}").status_code == 302  # to log in


def _two_territories():  # type: ignore[no-untyped-def]
    north = territories.save_territory(None, "Nord", factories.group(), [])
    south = territories.save_territory(None, "Sud", factories.group(), [])
    return north, south


def test_enrolment_asks_the_territory_when_there_are_several(client) -> None:  # type: ignore[no-untyped-def]
    _scale()
    _north, south = _two_territories()
    applicant = _applicant("Nadia")
    factories.login(client, factories.with_role(Role.FACILITATOR))
    base = f"/accueil/candidatures/{applicant.id}"
    assert 'name="territory"' in client.get(base).get_data(as_text=True)
    missing = client.post_form(f"{base}/inscrire", ENROL)
    assert missing.status_code == 422 and 'value="400"' in missing.get_data(as_text=True)
    assert db.session.scalar(select(Household.id)) is None
    done = client.post_form(f"{base}/inscrire", {**ENROL, "territory": str(south.id)})
    assert done.status_code == 200
    assert db.session.scalar(select(Household.territory_id)) == south.id


def test_enrolment_in_a_single_territory_asks_nothing(client) -> None:  # type: ignore[no-untyped-def]
    _scale()
    only = territories.save_territory(None, "Partout", factories.group(), [])
    applicant = _applicant("Nadia")
    factories.login(client, factories.with_role(Role.FACILITATOR))
    base = f"/accueil/candidatures/{applicant.id}"
    assert 'name="territory"' not in client.get(base).get_data(as_text=True)
    assert client.post_form(f"{base}/inscrire", ENROL).status_code == 200
    assert db.session.scalar(select(Household.territory_id)) == only.id


def test_the_service_refuses_an_unknown_or_missing_territory() -> None:
    _scale()
    north, _south = _two_territories()
    applicant = _applicant("Nadia")
    for wrong in (None, north.id + 1000):
        with pytest.raises(DomainError):
            services.enrol(applicant, budget_answers(), 1000, None, date.today(), wrong)
    done = services.enrol(applicant, budget_answers(), 1000, None, date.today(), north.id)
    assert done.household.territory_id == north.id
    assert db.session.get(Applicant, applicant.id).status is ApplicantStatus.ENROLLED


def test_the_applicants_page_costs_the_same_whatever_the_meetings(client, queries) -> None:  # type: ignore[no-untyped-def]
    """The invitation's choices name each meeting's group: read with the meetings, and each
    group's welcome team asked once."""
    admin = factories.with_role(Role.ADMIN)
    factories.login(client, admin)
    _applicant("Awa", ApplicantStatus.NEW)
    counts = []
    for extra in (1, 4):
        for n in range(extra):
            factories.meeting(
                factories.group(),
                title=f"Accueil {extra}-{n}",
                status=MeetingStatus.CONVENED,
            )
        db.session.commit()
        queries.statements.clear()
        page = client.get("/accueil")
        assert page.status_code == 200
        assert f"Accueil {extra}-{extra - 1}" in page.get_data(as_text=True)
        counts.append(queries.count)
    assert counts[0] == counts[1], counts


def test_staff_of_another_group_neither_see_nor_use_its_welcome_meeting(app) -> None:  # type: ignore[no-untyped-def]
    theirs = factories.meeting(
        factories.group(), title="Accueil du comité voisin", status=MeetingStatus.OPEN
    )
    ours = factories.meeting(factories.group(), title="Notre accueil", status=MeetingStatus.OPEN)
    awa = _applicant("Awa", ApplicantStatus.NEW)
    services.invite(awa, theirs, None)
    for role in (Role.FACILITATOR, Role.TREASURER):
        staff = factories.person()
        factories.membership(staff, ours.group, role=role)
        client = app.test_client()
        factories.login(client, staff)
        page = client.get("/accueil").get_data(as_text=True)
        assert "Notre accueil" in page and "Accueil du comité voisin" not in page
        assert client.get(f"/accueil/reunions/{theirs.id}").status_code == 404
        came = client.post_form(f"/accueil/reunions/{theirs.id}/venue/{awa.id}", {})
        assert came.status_code == 404 and _status(awa) is ApplicantStatus.INVITED
        forged = {"meeting": str(theirs.id), "applicants": [str(awa.id)]}
        assert client.post_form("/accueil/inviter", forged).status_code == 422
        assert client.get(f"/accueil/reunions/{ours.id}").status_code == 200
