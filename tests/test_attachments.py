"""Documents joined to agenda items, proposals and minutes: joined from a page without
JavaScript, refused plainly (too large, forbidden kind, nothing chosen) with nothing written,
read by the group, by everyone once published only when marked public; kept whole by a backup
and its restore."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from governance import attachments
from governance.attachments import Attachment
from governance.extensions import db
from governance.people.models import Role
from governance.sessions.models import MeetingStatus
from governance.votes import services as votes
from governance.votes.models import RoundKind, Value
from tests import factories
from tests.test_backup import Live
from tests.votes.helpers import open_proposal

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


def _join(client: Any, url: str, name: str, content: bytes, public: bool = False) -> Any:
    token = client.csrf_token(url)
    data: dict[str, Any] = {"csrf_token": token, "file": (io.BytesIO(content), name)}
    if public:
        data["public"] = "y"
    return client.post(url, data=data, content_type="multipart/form-data")


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Attachment)) or 0


def test_documents_on_an_item_and_the_minutes_follow_the_meeting(app: Any) -> None:
    group = factories.group()
    facilitator, member, stranger = factories.person(), factories.person(), factories.person()
    factories.membership(facilitator, group, Role.FACILITATOR)
    factories.membership(member, group)
    factories.membership(stranger, factories.group())
    meeting = factories.meeting(group, status=MeetingStatus.CLOSED)
    item = factories.item(meeting, title="Cahier des charges")
    db.session.commit()
    clients = {}
    for name, person in (("facilitator", facilitator), ("member", member), ("stranger", stranger)):
        clients[name] = app.test_client()
        factories.login(clients[name], person)
    visitor = app.test_client()
    add = f"/seances/{meeting.id}/points/{item.id}/fichiers"
    assert clients["member"].get(add).status_code == 403  # only who runs the meeting joins
    page = clients["facilitator"].get(add)
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(
        as_text=True
    )

    # Refusals: the form again (422), saying why, nothing kept.
    nothing = _join(clients["facilitator"], add, "", b"")
    assert nothing.status_code == 422
    app.config["ATTACHMENT_MAX_BYTES"] = 100
    try:
        large = _join(clients["facilitator"], add, "gros.pdf", PDF + b"x" * 200)
    finally:
        app.config["ATTACHMENT_MAX_BYTES"] = 8 * 1024 * 1024
    assert large.status_code == 422 and "gros.pdf" not in large.get_data(as_text=True)
    script = _join(clients["facilitator"], add, "page.html", b"<html><script>alert(1)</script>")
    assert script.status_code == 422
    assert _count() == 0

    private = _join(clients["facilitator"], add, "prix du producteur.pdf", PDF)
    assert private.status_code == 302 and private.headers["Location"].endswith(f"#item-{item.id}")
    public = _join(clients["facilitator"], add, "cahier.pdf", PDF, public=True)
    assert public.status_code == 302 and _count() == 2
    shown = clients["member"].get(f"/seances/{meeting.id}").get_data(as_text=True)
    assert "prix du producteur.pdf" in shown and "cahier.pdf" in shown
    first, second = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    private_url = f"{add}/{first.id}"
    public_url = f"{add}/{second.id}"
    assert clients["member"].get(private_url).data == PDF
    for who in (clients["stranger"], visitor):  # before publication: the group only
        assert who.get(private_url).status_code == 404
        assert who.get(public_url).status_code == 404
    # A file of this item asked for under another item's address: not found.
    other = factories.item(meeting)
    db.session.commit()
    assert (
        clients["member"]
        .get(f"/seances/{meeting.id}/points/{other.id}/fichiers/{first.id}")
        .status_code
        == 404
    )

    minutes = f"/seances/{meeting.id}/compte-rendu/fichiers"
    assert _join(clients["facilitator"], minutes, "présences.pdf", PDF).status_code == 302
    assert (
        _join(clients["facilitator"], minutes, "photo du tableau.pdf", PDF, public=True).status_code
        == 302
    )
    third, fourth = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()[2:]
    assert clients["member"].get(f"{minutes}/{fourth.id}").status_code == 404  # not yet published

    meeting.status = MeetingStatus.PUBLISHED
    db.session.commit()
    assert visitor.get(public_url).data == PDF  # marked public, now published
    assert visitor.get(private_url).status_code == 404
    assert clients["stranger"].get(private_url).status_code == 404
    assert visitor.get(f"{minutes}/{fourth.id}").data == PDF
    assert visitor.get(f"{minutes}/{third.id}").status_code == 404
    assert clients["member"].get(f"{minutes}/{third.id}").data == PDF
    read = visitor.get(f"/seances/{meeting.id}/compte-rendu").get_data(as_text=True)
    assert "photo du tableau.pdf" in read and "présences.pdf" not in read


def test_a_proposal_document_is_public_once_decided_when_marked_so(app: Any) -> None:
    proposal, people = open_proposal(members=3)
    db.session.commit()
    facilitator = app.test_client()
    factories.login(facilitator, people[0])
    add = f"/propositions/{proposal.id}/fichiers"
    assert _join(facilitator, add, "tarifs.pdf", PDF, public=True).status_code == 302
    assert "tarifs.pdf" in facilitator.get(f"/propositions/{proposal.id}").get_data(as_text=True)
    (kept,) = db.session.scalars(select(Attachment)).all()
    assert kept.sha256 == hashlib.sha256(PDF).hexdigest()
    visitor = app.test_client()
    assert visitor.get(f"{add}/{kept.id}").status_code == 404
    round_ = votes.open_round(proposal, RoundKind.CONSENT)
    for person in people:
        votes.give_position(round_, person, Value.CONSENT)
    votes.close_round(round_)
    db.session.commit()
    assert visitor.get(f"{add}/{kept.id}").data == PDF


def test_backup_and_restore_keep_files_and_checksums(database_url: str, tmp_path: Path) -> None:
    live = Live(database_url)
    try:

        def join(key: str, content: bytes) -> str:
            person = factories.person()
            found = attachments.attach("minutes", 1, person, f"{key}.pdf", content, key)
            db.session.commit()
            return found.sha256

        before = live.within(join, "before", PDF)
        made = live.run("backup", "--to", str(tmp_path / "copies"))
        assert made.exit_code == 0, made.output
        (copy,) = (tmp_path / "copies").glob(f"tablee-*{live.suffix}")
        live.within(join, "after", PDF + b"%")
        assert live.run("restore", str(copy)).exit_code == 0

        def kept() -> list[tuple[str, str, bool]]:
            rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
            return [(a.key, a.sha256, attachments.intact(a)) for a in rows]

        assert live.within(kept) == [("before", before, True)]
        check = live.run("verify")
        assert check.exit_code == 0 and "Files: OK, 1 files" in check.output, check.output
    finally:
        live.close()
