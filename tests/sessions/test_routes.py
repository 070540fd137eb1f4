"""Meetings over HTTP: build and convene an agenda, check in, the live room, minutes."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from governance.extensions import db
from governance.mail import OutboxMessage
from governance.people.models import Role
from governance.sessions import services
from governance.sessions.models import (
    AgendaItem,
    Attendance,
    AttendanceStatus,
    ItemKind,
    Meeting,
    MeetingStatus,
)
from tests import factories


def _setup(client: Any, members: int = 3, without_email: int = 1) -> tuple[Any, list[Any]]:
    committee = factories.group(name="Comité citoyen")
    facilitator = factories.person(display_name="Karim Haddad")
    factories.membership(facilitator, committee, Role.FACILITATOR, starts_on=date(2025, 1, 1))
    factories.membership(facilitator, committee, starts_on=date(2025, 1, 1))
    people = [
        factories.person(email=None if n < without_email else f"m{n}@exemple.org")
        for n in range(members)
    ]
    for person in people:
        factories.membership(person, committee, starts_on=date(2025, 1, 1))
    factories.login(client, facilitator)
    return committee, [facilitator, *people]


def _new_meeting(client: Any, committee: Any) -> Meeting:
    response = client.post_form(
        "/seances/nouvelle",
        {
            "group_id": committee.id,
            "title": "Séance de décembre",
            # Today: a meeting opens only on its own day.
            "day": datetime.now(ZoneInfo("Europe/Paris")).date().isoformat(),
            "time": "09:30",
            "duration_minutes": "60",
            "place": "Maison Pour Tous",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    meeting_id = int(response.headers["Location"].rsplit("/", 1)[1])
    return db.session.get(Meeting, meeting_id)


def _add(client: Any, meeting: Meeting, title: str, minutes: int = 20, **kw: Any) -> Any:
    db.session.refresh(meeting)
    data = {
        "kind": "information",
        "title": title,
        "timebox_minutes": str(minutes),
        "presenter_id": "0",
        "agenda_version": str(meeting.agenda_version),
    }
    data.update(kw)
    return client.post_form(f"/seances/{meeting.id}/points", data)


def test_build_an_agenda_and_see_its_timing(client) -> None:  # type: ignore[no-untyped-def]
    committee, _ = _setup(client)
    meeting = _new_meeting(client, committee)
    assert meeting.starts_at.hour == 8  # 9:30 in Paris in December is 8:30 UTC
    assert _add(client, meeting, "Accueil", 15).status_code == 302
    assert _add(client, meeting, "Budget", 30, kind="decision").status_code == 302
    page = client.get(f"/seances/{meeting.id}").get_data(as_text=True)
    assert "45 minutes prévues" in page and "10\u00a0h\u00a015" in page
    assert "dépasse" not in page
    _add(client, meeting, "Barème", 30, kind="contribution_scale")
    page = client.get(f"/seances/{meeting.id}").get_data(as_text=True)
    assert "15 minutes" in page and "dépasse" in page


def test_reorder_with_htmx_and_without(client) -> None:  # type: ignore[no-untyped-def]
    committee, _ = _setup(client)
    meeting = _new_meeting(client, committee)
    for title in ("Un", "Deux", "Trois"):
        _add(client, meeting, title)
    db.session.refresh(meeting)
    third = meeting.items[2]
    token = client.csrf_token()
    data = {"csrf_token": token, "agenda_version": meeting.agenda_version}
    response = client.htmx("POST", f"/seances/{meeting.id}/points/{third.id}/monter", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="agenda"' in html
    assert html.index("Trois") < html.index("Deux")
    db.session.refresh(meeting)
    plain = client.post_form(
        f"/seances/{meeting.id}/points/{meeting.items[0].id}/descendre",
        {"agenda_version": meeting.agenda_version},
    )
    assert plain.status_code == 302
    db.session.expire_all()
    titles = db.session.scalars(
        select(AgendaItem.title)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(AgendaItem.position)
    ).all()
    assert titles == ["Trois", "Un", "Deux"]


def test_second_facilitator_saving_an_old_agenda_is_told_and_keeps_the_text(client) -> None:  # type: ignore[no-untyped-def]
    committee, _ = _setup(client)
    meeting = _new_meeting(client, committee)
    old_version = meeting.agenda_version
    _add(client, meeting, "Ajouté par l'autre")
    response = client.post_form(
        f"/seances/{meeting.id}/points",
        {
            "kind": "discussion",
            "title": "Mon point à moi",
            "timebox_minutes": "10",
            "presenter_id": "0",
            "agenda_version": str(old_version),
        },
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Mon point à moi" in html and "Ajouté par l" in html and "a modifié" in html
    assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 1


def test_bad_meeting_and_item_input_is_422(client) -> None:  # type: ignore[no-untyped-def]
    committee, _ = _setup(client)
    bad = client.post_form(
        "/seances/nouvelle",
        {
            "group_id": committee.id,
            "title": "x" * 500,
            "day": "demain",
            "time": "25:99",
            "duration_minutes": "beaucoup",
            "place": "Ici",
        },
    )
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "demain" in html and "beaucoup" in html
    assert db.session.scalar(select(func.count()).select_from(Meeting)) == 0
    unknown_group = client.post_form(
        "/seances/nouvelle",
        {
            "group_id": "999999",
            "title": "T",
            "day": "2026-12-05",
            "time": "09:00",
            "duration_minutes": "60",
        },
    )
    assert unknown_group.status_code == 422
    meeting = _new_meeting(client, committee)
    for wrong in (
        {"title": ""},
        {"timebox_minutes": "0"},
        {"timebox_minutes": "deux"},
        {"kind": "fête"},
        {"presenter_id": "999999"},
        {"description": "d" * 3000},
    ):
        response = _add(client, meeting, wrong.pop("title", "Point"), **wrong)
        assert response.status_code == 422, wrong
        token = client.csrf_token()
        data = {
            "csrf_token": token,
            "kind": "information",
            "title": "",
            "timebox_minutes": "20",
            "presenter_id": "0",
            "agenda_version": str(meeting.agenda_version),
            **wrong,
        }
        fragment = client.htmx("POST", f"/seances/{meeting.id}/points", data=data)
        assert fragment.status_code == 422 and "<html" not in fragment.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AgendaItem)) == 0


def test_convening_mails_members_with_an_invitation(client, smtp) -> None:  # type: ignore[no-untyped-def]
    committee, people = _setup(client, members=3, without_email=1)
    meeting = _new_meeting(client, committee)
    _add(client, meeting, "Conventionnement de la Biocoop", kind="conventionnement")
    response = client.post_form(f"/seances/{meeting.id}/etape/convoquer", {})
    assert response.status_code == 302
    recipients = sorted(m["To"] for m in smtp.messages)
    assert recipients == sorted(p.email for p in people if p.email)
    message = smtp.messages[0]
    assert "Convocation" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "Conventionnement de la Biocoop" in body and "Maison Pour Tous" in body
    ics = next(
        part for part in message.iter_attachments() if part.get_content_type() == "text/calendar"
    )
    calendar = ics.get_content()
    assert "BEGIN:VEVENT" in calendar and f"meeting-{meeting.id}@tablee" in calendar
    assert db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.sent_at.is_not(None))
    ) == len(recipients)
    printable = client.get(f"/seances/{meeting.id}/convocation").get_data(as_text=True)
    without = next(p for p in people if not p.email)
    assert without.display_name in printable


def test_the_facilitator_reads_each_members_convocation_status(client, smtp) -> None:  # type: ignore[no-untyped-def]
    committee, people = _setup(client, members=3, without_email=1)
    people[-1].email = "refuse@exemple.org"  # the server refuses this one
    meeting = _new_meeting(client, committee)
    _add(client, meeting, "Accueil")
    assert client.post_form(f"/seances/{meeting.id}/etape/convoquer", {}).status_code == 302
    assert len(smtp.messages) == 2  # sent in the background (at once in tests)
    refused = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient == "refuse@exemple.org")
    )
    assert refused.sent_at is None and refused.attempts == 1  # tried again in a minute
    page = client.get(f"/seances/{meeting.id}").get_data(as_text=True)
    statuses = page[page.index('id="convocations"') :]
    assert "1 refusée" in statuses and "550" in statuses and "envoyé" in statuses
    without = statuses[statuses.index(people[1].display_name) :]
    assert without.index("pas d’adresse e-mail") < without.index("</li>")


def test_agenda_change_after_convening_is_sent_again(client, smtp) -> None:  # type: ignore[no-untyped-def]
    committee, _ = _setup(client, members=2, without_email=0)
    meeting = _new_meeting(client, committee)
    _add(client, meeting, "Accueil")
    client.post_form(f"/seances/{meeting.id}/etape/convoquer", {})
    first = len(smtp.messages)
    _add(client, meeting, "Point ajouté après coup")
    page = client.get(f"/seances/{meeting.id}").get_data(as_text=True)
    assert "pas encore été prévenus" in page
    client.post_form(f"/seances/{meeting.id}/prevenir", {})
    updates = smtp.messages[first:]
    assert len(updates) == first and all("modifié" in m["Subject"] for m in updates)
    assert "Point ajouté après coup" in updates[0].get_body(("plain",)).get_content()
    assert "pas encore été prévenus" not in client.get(f"/seances/{meeting.id}").get_data(
        as_text=True
    )


def test_without_smtp_the_mail_waits_in_the_outbox(app, client) -> None:  # type: ignore[no-untyped-def]
    committee, _ = _setup(client, members=2, without_email=0)
    meeting = _new_meeting(client, committee)
    _add(client, meeting, "Accueil")
    client.post_form(f"/seances/{meeting.id}/etape/convoquer", {})
    waiting = db.session.scalars(select(OutboxMessage)).all()
    assert len(waiting) == 3  # the facilitator and the two members, all with an address
    assert all(m.sent_at is None and m.ics for m in waiting)
    admin = app.test_client()
    factories.login(admin, factories.with_role(Role.ADMIN))
    outbox = admin.get("/admin/courriels").get_data(as_text=True)
    assert "Convocation" in outbox
    one = admin.get(f"/admin/courriels/{waiting[0].id}").get_data(as_text=True)
    assert "Accueil" in one


def test_check_in_and_the_live_room_answers_304_until_something_changes(app, client) -> None:  # type: ignore[no-untyped-def]
    committee, people = _setup(client, members=2, without_email=0)
    meeting = _new_meeting(client, committee)
    _add(client, meeting, "Premier point")
    _add(client, meeting, "Deuxième point", kind="decision")
    client.post_form(f"/seances/{meeting.id}/etape/convoquer", {})
    assert (
        client.post_form(f"/seances/{meeting.id}/etape/ouvrir", {})
        .headers["Location"]
        .endswith("/console")
    )
    db.session.refresh(meeting)

    phone = app.test_client()
    factories.login(phone, people[1])
    scanned = phone.get(f"/seances/presence/{meeting.code}")
    assert meeting.code in scanned.get_data(as_text=True)
    checked = phone.post_form("/seances/presence", {"code": meeting.code.lower()})
    assert checked.headers["Location"] == f"/seances/{meeting.id}/salle"

    page = phone.get(f"/seances/{meeting.id}/salle")
    assert page.status_code == 200 and "ETag" not in page.headers
    assert "Vary" in page.headers and "HX-Request" in page.headers["Vary"]
    status_url = f"/seances/{meeting.id}/salle/etat"
    first = phone.htmx("GET", status_url)
    html = first.get_data(as_text=True)
    assert first.status_code == 200 and "Premier point" in html and "<header" not in html
    etag = first.headers["ETag"]
    again = phone.htmx("GET", status_url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b""

    assert client.post_form(f"/seances/{meeting.id}/direct/suivant", {}).status_code == 302
    changed = phone.htmx("GET", status_url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Deuxième point" in changed.get_data(as_text=True)
    parts = phone.htmx("GET", f"/seances/{meeting.id}/salle/suite").get_data(as_text=True)
    assert "consentement" in parts and "<header" not in parts


def test_the_room_status_and_parts_are_never_whole_pages(app, client) -> None:  # type: ignore[no-untyped-def]
    """The fragments have URLs of their own: a cache keyed on the URL can never answer a poll
    with the page (which nested whole pages in the room), nor the page with a fragment."""
    committee, people = _setup(client, members=1, without_email=0)
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    factories.item(meeting, title="Accueil")
    db.session.commit()
    phone = app.test_client()
    factories.login(phone, people[1])
    page = phone.get(f"/seances/{meeting.id}/salle").get_data(as_text=True)
    assert page.count("<header") == 1 and 'id="room-status"' in page and 'id="room-parts"' in page
    for suffix in ("etat", "suite"):
        fragment = phone.htmx("GET", f"/seances/{meeting.id}/salle/{suffix}")
        html = fragment.get_data(as_text=True)
        assert fragment.status_code == 200 and "<html" not in html and "<header" not in html
        assert "HX-Request" in fragment.headers["Vary"]
        assert "no-cache" in fragment.headers["Cache-Control"]
        # Opened as a page (a reload, a bookmark), a fragment's URL leads to the room.
        opened = phone.get(f"/seances/{meeting.id}/salle/{suffix}")
        assert opened.status_code == 302
        assert opened.headers["Location"].endswith(f"/seances/{meeting.id}/salle")
    status = phone.htmx("GET", f"/seances/{meeting.id}/salle/etat").get_data(as_text=True)
    parts = phone.htmx("GET", f"/seances/{meeting.id}/salle/suite").get_data(as_text=True)
    # The person's forms and the agenda are in the parts, never in the polled status.
    assert "<form" not in status and "<details" not in status
    assert 'id="agenda-' in parts
    # Members never see the code (they check in with the one shown in the room).
    assert meeting.code not in page + status + parts


def test_room_poll_costs_the_same_whatever_the_size(app, client, queries) -> None:  # type: ignore[no-untyped-def]
    committee, people = _setup(client, members=2, without_email=0)
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    factories.item(meeting)
    url = f"/seances/{meeting.id}/salle/etat"  # read now: after the commit it would be re-read
    db.session.commit()
    phone = app.test_client()
    factories.login(phone, people[1])
    etag = phone.htmx("GET", url).headers["ETag"]
    queries.statements.clear()
    phone.htmx("GET", url, headers={"If-None-Match": etag})
    small = queries.count
    for _ in range(40):
        factories.membership(factories.person(), committee)
    db.session.commit()
    queries.statements.clear()
    assert phone.htmx("GET", url, headers={"If-None-Match": etag}).status_code == 304
    assert queries.count == small <= 6, "\n".join(queries.statements)


def test_facilitator_marks_presence_and_quorum_follows(client) -> None:  # type: ignore[no-untyped-def]
    committee, people = _setup(client, members=3)
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    db.session.commit()
    token = client.csrf_token()
    response = client.htmx(
        "POST",
        f"/seances/{meeting.id}/presences/{people[1].id}",
        data={"csrf_token": token, "status": "present"},
    )
    assert response.status_code == 200 and "<html" not in response.get_data(as_text=True)
    mark = db.session.scalar(select(Attendance).where(Attendance.person_id == people[1].id))
    assert mark.marked_by_id == people[0].id
    bad = client.post_form(
        f"/seances/{meeting.id}/presences/{people[1].id}", {"status": "en vacances"}
    )
    assert bad.status_code == 422


def test_members_follow_but_cannot_run_and_strangers_see_nothing(app, client) -> None:  # type: ignore[no-untyped-def]
    committee, people = _setup(client, members=1, without_email=0)
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    factories.item(meeting)
    db.session.commit()
    member = app.test_client()
    factories.login(member, people[1])
    assert member.get(f"/seances/{meeting.id}").status_code == 200
    assert member.get(f"/seances/{meeting.id}/console").status_code == 403
    assert member.post_form(f"/seances/{meeting.id}/direct/suivant", {}).status_code == 403
    stranger = app.test_client()
    factories.login(stranger, factories.person())
    assert stranger.get(f"/seances/{meeting.id}").status_code == 404
    assert stranger.get(f"/seances/{meeting.id}/salle").status_code == 404


def test_minutes_are_written_reviewed_and_published(app, client) -> None:  # type: ignore[no-untyped-def]
    committee, _ = _setup(client)
    meeting = factories.meeting(committee, status=MeetingStatus.CLOSED)
    item = factories.item(meeting, title="Budget 2027")
    db.session.commit()
    anonymous = app.test_client()
    assert anonymous.get(f"/seances/{meeting.id}/compte-rendu").status_code == 404
    too_long = client.post_form(
        f"/seances/{meeting.id}/compte-rendu/ecrire", {f"item_{item.id}": "x" * 20001}
    )
    assert too_long.status_code == 422 and "x" * 100 in too_long.get_data(as_text=True)
    client.post_form(
        f"/seances/{meeting.id}/compte-rendu/ecrire",
        {f"item_{item.id}": "Le budget est présenté.\nAucune objection."},
    )
    assert client.post_form(f"/seances/{meeting.id}/etape/publier", {}).status_code == 422
    client.post_form(f"/seances/{meeting.id}/compte-rendu/relu", {})
    assert client.post_form(f"/seances/{meeting.id}/etape/publier", {}).status_code == 302
    public = anonymous.get(f"/seances/{meeting.id}/compte-rendu").get_data(as_text=True)
    assert "Le budget est présenté." in public and "Aucune objection." in public
    assert meeting.title in anonymous.get("/seances/comptes-rendus").get_data(as_text=True)
    late = client.post_form(
        f"/seances/{meeting.id}/compte-rendu/ecrire", {f"item_{item.id}": "Réécriture"}
    )
    assert late.status_code == 422


def test_meetings_list_shows_upcoming_and_past(client) -> None:  # type: ignore[no-untyped-def]
    committee, _ = _setup(client)
    factories.meeting(committee, title="Séance à venir", status=MeetingStatus.CONVENED)
    factories.meeting(committee, title="Séance passée", status=MeetingStatus.PUBLISHED)
    db.session.commit()
    html = client.get("/seances/").get_data(as_text=True)
    assert html.index("Séance à venir") < html.index("Séance passée")
    assert re.search(r"Nouvelle séance", html)


def test_edit_the_meeting_and_rotate_the_roles(client) -> None:  # type: ignore[no-untyped-def]
    committee, people = _setup(client, members=3, without_email=0)
    meeting = _new_meeting(client, committee)
    page = client.get(f"/seances/{meeting.id}/modifier")
    assert page.status_code == 200 and 'value="09:30"' in page.get_data(as_text=True)
    data = {
        "title": "Séance déplacée",
        "day": "2026-12-12",
        "time": "14:00",
        "duration_minutes": "120",
        "place": "Salle B",
        "agenda_version": str(meeting.agenda_version),
        "roles-facilitator_id": str(people[1].id),
        "roles-secretary_id": str(people[2].id),
        "roles-timekeeper_id": "0",
    }
    assert client.post_form(f"/seances/{meeting.id}/modifier", data).status_code == 302
    db.session.expire_all()
    saved = db.session.get(Meeting, meeting.id)
    assert (saved.title, saved.duration_minutes, saved.place) == ("Séance déplacée", 120, "Salle B")
    assert (saved.facilitator_id, saved.secretary_id, saved.timekeeper_id) == (
        people[1].id,
        people[2].id,
        None,
    )
    stale = client.post_form(f"/seances/{meeting.id}/modifier", {**data, "title": "Autre titre"})
    assert stale.status_code == 409 and "Autre titre" in stale.get_data(as_text=True)
    stranger = client.post_form(
        f"/seances/{meeting.id}/modifier",
        {**data, "agenda_version": str(saved.agenda_version), "roles-secretary_id": "999999"},
    )
    assert stranger.status_code == 422


def test_check_in_link_goes_through_login_and_back(app, client) -> None:  # type: ignore[no-untyped-def]
    committee, _people = _setup(client, members=1, without_email=0)
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    code = meeting.code
    db.session.commit()
    phone = app.test_client()
    response = phone.get(f"/seances/presence/{code}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/connexion?next=/seances/presence/{code}"
    bad = client.post_form("/seances/presence", {"code": "ZZZZZZ"})
    assert bad.status_code == 422 and 'value="ZZZZZZ"' in bad.get_data(as_text=True)


def test_the_code_is_on_the_console_and_the_screen_never_on_members_pages(app, client) -> None:  # type: ignore[no-untyped-def]
    committee, people = _setup(client, members=1, without_email=0)
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    factories.item(meeting, title="Accueil")
    db.session.commit()
    for path in (f"/seances/{meeting.id}/console", f"/seances/{meeting.id}/ecran"):
        page = client.get(path)
        assert page.status_code == 200 and meeting.code in page.get_data(as_text=True)
    member = app.test_client()
    factories.login(member, people[1])
    for path in ("", "/salle", "/convocation"):
        html = member.get(f"/seances/{meeting.id}{path}").get_data(as_text=True)
        assert meeting.code not in html, path
    assert member.get(f"/seances/{meeting.id}/ecran").status_code == 403


def test_a_check_in_from_home_before_the_window_is_refused_with_the_form_back(app, client) -> None:  # type: ignore[no-untyped-def]
    from datetime import UTC, timedelta

    committee, people = _setup(client, members=1, without_email=0)
    later = datetime.now(UTC) + timedelta(hours=2)
    meeting = factories.meeting(committee, status=MeetingStatus.CONVENED, starts_at=later)
    db.session.commit()
    member = app.test_client()
    factories.login(member, people[1])
    refused = member.post_form("/seances/presence", {"code": meeting.code})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and meeting.code in html  # what was typed, kept
    assert db.session.scalar(select(func.count()).select_from(Attendance)) == 0


def test_without_javascript_the_room_reloads_itself_except_during_a_round(app, client) -> None:  # type: ignore[no-untyped-def]
    from governance.votes import services as votes
    from governance.votes.models import DecisionKind

    committee, people = _setup(client, members=3, without_email=0)
    meeting = factories.meeting(committee, status=MeetingStatus.OPEN)
    item = factories.item(meeting, kind=ItemKind.DECISION, title="Marché")
    meeting.current_item_id = item.id
    for person in people:
        services.mark_attendance(meeting, person, AttendanceStatus.PRESENT, None)
    proposal = votes.attach_proposal(item, "Marché", "Texte", None, DecisionKind.GENERAL)
    db.session.commit()
    member = app.test_client()
    factories.login(member, people[1])
    room = f"/seances/{meeting.id}/salle"
    assert 'http-equiv="refresh"' in member.get(room).get_data(as_text=True)
    votes.open_round(proposal)
    db.session.commit()
    html = member.get(room).get_data(as_text=True)
    assert 'http-equiv="refresh"' not in html and "Voir où en est la séance" in html
