"""Documents joined to an agenda item or to the minutes: joined by who runs the meeting (or
writes its minutes), read by the group's members, and by everyone once the minutes are
published when they were marked public."""

from __future__ import annotations

from typing import Any

from flask import url_for
from werkzeug.wrappers import Response

from governance import attachments
from governance.access import Loader, rule
from governance.access import access as declare
from governance.extensions import db
from governance.sessions import policy
from governance.sessions.models import AgendaItem, Meeting, MeetingStatus
from governance.sessions.routes import bp
from governance.web import reads_first


@rule
def can_read_item_file(person: Any, attachment: attachments.Attachment) -> bool:
    item = db.session.get_one(AgendaItem, attachment.owner_id)
    published = item.meeting.status is MeetingStatus.PUBLISHED
    return (attachment.public and published) or policy.can_see_item(person, item)


@rule
def can_read_minutes_file(person: Any, attachment: attachments.Attachment) -> bool:
    meeting = db.session.get_one(Meeting, attachment.owner_id)
    if not policy.can_read_minutes(person, meeting):
        return False
    return attachment.public or policy.can_see_meeting(person, meeting)


def item_file_from_url(
    meeting_id: int, item_id: int, attachment_id: int
) -> attachments.Attachment | None:
    item = policy.item_from_url(meeting_id, item_id)
    return attachments.find("agenda_item", item.id, attachment_id) if item else None


def minutes_file_from_url(meeting_id: int, attachment_id: int) -> attachments.Attachment | None:
    return attachments.find("minutes", meeting_id, attachment_id)


ITEM_FILE = Loader("attachment", item_file_from_url, can_read_item_file)
MINUTES_FILE = Loader("attachment", minutes_file_from_url, can_read_minutes_file)


@bp.route("/<int:meeting_id>/points/<int:item_id>/fichiers", methods=["GET", "POST"])
@reads_first
@declare(policy.ITEM, rule=policy.can_run_item)
def item_files(item: AgendaItem) -> Response:
    return attachments.attach_page(
        "agenda_item",
        item.id,
        title=item.title,
        back=url_for("sessions.meeting", meeting_id=item.meeting_id) + f"#item-{item.id}",
        file_endpoint="sessions.item_file",
        values={"meeting_id": item.meeting_id, "item_id": item.id},
    )


@bp.get("/<int:meeting_id>/points/<int:item_id>/fichiers/<int:attachment_id>")
@declare(ITEM_FILE)
def item_file(attachment: attachments.Attachment) -> Response:
    return attachments.serve(attachment)


@bp.route("/<int:meeting_id>/compte-rendu/fichiers", methods=["GET", "POST"])
@reads_first
@declare(policy.MEETING, rule=policy.can_write_minutes)
def minutes_files(meeting: Meeting) -> Response:
    return attachments.attach_page(
        "minutes",
        meeting.id,
        title=meeting.title,
        back=url_for("sessions.minutes_write", meeting_id=meeting.id),
        file_endpoint="sessions.minutes_file",
        values={"meeting_id": meeting.id},
    )


@bp.get("/<int:meeting_id>/compte-rendu/fichiers/<int:attachment_id>")
@declare(MINUTES_FILE)
def minutes_file(attachment: attachments.Attachment) -> Response:
    return attachments.serve(attachment)
