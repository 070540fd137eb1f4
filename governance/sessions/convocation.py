"""Convocations: an e-mail with the agenda and an .ics invitation for members who have an
address, a printable page for the others, and a new notice when the agenda changes."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from icalendar import Calendar, Event
from sqlalchemy import select

from governance import mail
from governance.db import utcnow
from governance.extensions import db
from governance.people.models import Person
from governance.sessions import panels, services
from governance.sessions.models import Meeting
from governance.web import external_url


def invitation_ics(meeting: Meeting) -> str:
    """One VEVENT whose SEQUENCE grows with the agenda, so calendars update it in place."""
    calendar = Calendar()
    calendar.add("prodid", "-//Tablée//Convocation//FR")
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    event = Event()
    event.add("uid", f"meeting-{meeting.id}@tablee")
    event.add("sequence", meeting.agenda_version)
    event.add("dtstamp", utcnow())
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.starts_at + timedelta(minutes=meeting.duration_minutes))
    event.add("summary", f"{meeting.group.name} — {meeting.title}")
    if meeting.place:
        event.add("location", meeting.place)
    agenda = "\n".join(f"{i.position}. {i.title} ({i.timebox_minutes} min)" for i in meeting.items)
    event.add("description", agenda)
    calendar.add_component(event)
    return calendar.to_ical().decode()


def notify(meeting: Meeting, update: bool) -> int:
    """Queue one message per member with an e-mail address; returns how many."""
    ics = invitation_ics(meeting)
    link = external_url("sessions.meeting", meeting_id=meeting.id)
    extras = panels.item_extras(meeting)
    count = 0
    for person in services.members(meeting):
        if not person.email or not person.active:
            continue
        locale = person.locale or current_app.config["BABEL_DEFAULT_LOCALE"]
        with force_locale(locale):
            subject = (
                _("Agenda changed: %(title)s", title=meeting.title)
                if update
                else _("Convocation: %(title)s", title=meeting.title)
            )
            body = render_template(
                "sessions/mail/convocation.txt",
                meeting=meeting,
                person=person,
                update=update,
                link=link,
                extras=extras,
                summary=panels.summary,
            )
        mail.queue(person.email, subject, body, ics, topic=f"meeting:{meeting.id}")
        count += 1
    meeting.notified_version = meeting.agenda_version
    db.session.flush()
    return count


class Delivered(enum.StrEnum):
    SENT = "sent"
    WAITING = "waiting"  # for the worker
    REFUSED = "refused"  # by the mail server, tried again later
    PRINTED = "printed"  # no address: on paper


@dataclass(frozen=True)
class Delivery:
    """Where one member's convocation stands."""

    person: Person
    state: Delivered
    error: str = ""
    attempts: int = 0


def statuses(meeting: Meeting) -> list[Delivery]:
    """Each member's latest convocation or agenda change: sent, waiting for the worker, refused
    by the mail server (with its answer; tried again up to five times), or to be printed."""
    latest: dict[str, mail.OutboxMessage] = {}
    for message in db.session.scalars(
        select(mail.OutboxMessage)
        .where(mail.OutboxMessage.topic == f"meeting:{meeting.id}")
        .order_by(mail.OutboxMessage.id)
    ):
        latest[message.recipient] = message
    found = []
    for person in services.members(meeting):
        message = latest.get(person.email or "")
        if not person.email or message is None:
            found.append(Delivery(person, Delivered.PRINTED))
        elif message.sent_at is not None:
            found.append(Delivery(person, Delivered.SENT, attempts=message.attempts))
        elif message.last_error:
            found.append(Delivery(person, Delivered.REFUSED, message.last_error, message.attempts))
        else:
            found.append(Delivery(person, Delivered.WAITING))
    return found
