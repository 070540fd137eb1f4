"""The page each person lands on after logging in: what is next for them."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.access import Loader, access, rule
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import ConfirmForm
from governance.home import follow_up, queries
from governance.people import policy as people_policy
from governance.people.models import Role
from governance.permissions import has_role
from governance.sessions import services as meeting_services
from governance.sessions.forms import CheckInForm
from governance.sessions.models import ItemKind
from governance.votes import online
from governance.votes.models import Decision
from governance.web import render

bp = Blueprint("home", __name__, template_folder="templates")


@bp.get("/pour-moi")
def next_for_me() -> Response:
    meetings = queries.next_meetings(current_user)
    return render(
        "home/next.html",
        meetings=meetings,
        rounds=queries.open_rounds(current_user, meetings),
        online=online.waiting_for(current_user),
        due=follow_up.due_for(current_user),
        lapsing=follow_up.lapsing() if has_role(Role.TREASURER, Role.ADMIN) else [],
        today=date.today(),
        visits=queries.my_visits(current_user),
        household=queries.my_household(current_user, date.today()),
        check_in=CheckInForm(formdata=None),
    )


@rule
def can_schedule_review(person: Any, decision: Decision) -> bool:
    """A facilitator of the group that took the decision (or an admin)."""
    return people_policy.facilitates(person, decision.group_id)


def _decision_from_url(decision_id: int) -> Decision | None:
    return db.session.get(Decision, decision_id)


# Decisions are public (the register): only acting on one is reserved.
DECISION = Loader("decision", _decision_from_url)


@bp.post("/pour-moi/revoir/<int:decision_id>")
@access(DECISION, rule=can_schedule_review)
def review_on_agenda(decision: Decision) -> Response:
    """A decision whose review date comes: on the group's coming agenda, in one step."""
    if not ConfirmForm().validate_on_submit():
        raise DomainError(_("This form has expired. Reload the page, then send it again."))
    meeting = follow_up.next_meeting(decision.group_id, date.today())
    if meeting is None:
        raise DomainError(
            _("%(group)s has no coming meeting: create one first.", group=decision.group.name)
        )
    title = follow_up.review_title(decision)
    if follow_up.scheduled(meeting, title):
        raise DomainError(_("It is already on the agenda of %(title)s.", title=meeting.title))
    meeting_services.add_item(
        meeting,
        meeting.agenda_version,
        ItemKind.DECISION,
        title[:200],
        decision.text[:2000],
        None,
        20,
    )
    db.session.commit()
    flash(_("It is on the agenda of %(title)s.", title=meeting.title), "success")
    return redirect(url_for("home.next_for_me"))
