"""The decision register: public list, permalinks, and how to verify the chain."""

from __future__ import annotations

from flask import abort
from flask_login import current_user
from werkzeug.wrappers import Response

from governance.sessions import queries as meeting_queries
from governance.votes import queries, register
from governance.votes.routes import bp
from governance.web import page_number, page_size, render


@bp.get("/decisions")
def decisions() -> Response:
    page, size = page_number(), page_size()
    found, total = queries.decisions(page, size)
    return render(
        "votes/decisions.html",
        decisions=found,
        total=total,
        page=page,
        pages=max(1, -(-total // size)),
        head=register.head(),
    )


@bp.get("/decisions/verifier")
def verify() -> Response:
    return render("votes/verify.html", check=register.verify())


@bp.get("/decisions/<reference>")
def decision(reference: str) -> Response:
    """A citable, printable permalink. The public sees counts; members of the group also see
    who said what (named positions are shown to the room once a round closes)."""
    found = queries.decision(reference)
    if found is None:
        abort(404)
    named = current_user.is_authenticated and bool(
        meeting_queries.group_roles(current_user, found.group_id, found.decided_on)
        or meeting_queries.is_admin(current_user, found.decided_on)
    )
    return render("votes/decision.html", decision=found, named=named)
