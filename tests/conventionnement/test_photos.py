"""Photos and documents of a visit: each allowed kind kept with its checksum, sent again and kept
once, refused plainly when too large, of a forbidden kind or empty; a name that tries to climb
out of a folder stays a name; only those who may read the visit fetch its files."""

from __future__ import annotations

import hashlib
import io
import zipfile
from typing import Any

from openpyxl import Workbook
from sqlalchemy import func, select

from governance import attachments
from governance.attachments import Attachment
from governance.extensions import db
from tests import factories
from tests.conventionnement.test_routes import _setup

JPEG = b"\xff\xd8\xff\xe0" + b"\x00\x10JFIF" + b"x" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"p" * 100
WEBP = b"RIFF\x10\x00\x00\x00WEBPVP8 " + b"w" * 50
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n%%EOF\n"


def _xlsx() -> bytes:
    out = io.BytesIO()
    book = Workbook()
    book.active.append(["Produit", "Prix"])
    book.save(out)
    return out.getvalue()


def _ods() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("mimetype", attachments.ODS)
        archive.writestr("content.xml", "<office:document-content/>")
    return out.getvalue()


def _send(client: Any, visit_id: int, name: str, content: bytes, key: str, **headers: str) -> Any:
    token = client.csrf_token(f"/conventionnement/visites/{visit_id}/envoyer")
    return client.post(
        f"/conventionnement/visites/{visit_id}/photos",
        data={"csrf_token": token, "key": key, "photo": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=headers,
    )


def test_each_allowed_kind_is_kept_once_with_its_checksum(app: Any) -> None:
    _pos, _people, visit, (first, second, other) = _setup(app)
    files = {
        "ferme.jpg": (JPEG, "image/jpeg"),
        "étal.png": (PNG, "image/png"),
        "serre.webp": (WEBP, "image/webp"),
        "cahier des charges.pdf": (PDF, "application/pdf"),
        "tarifs.xlsx": (_xlsx(), attachments.XLSX),
        "tarifs.ods": (_ods(), attachments.ODS),
        "prix.csv": ("produit;prix\nœufs;3,20\n".encode(), "text/csv"),
    }
    json = {"Accept": "application/json"}
    for number, (name, (content, kind)) in enumerate(files.items()):
        sent = _send(first, visit.id, name, content, f"key-{number}", **json)
        assert sent.status_code == 200, (name, sent.json)
        assert sent.json["sha256"] == hashlib.sha256(content).hexdigest()
        fetched = second.get(sent.json["url"])
        assert fetched.status_code == 200 and fetched.data == content
        assert fetched.mimetype == kind
        assert "sandbox" in fetched.headers["Content-Security-Policy"]
    # The phone did not hear the answer and sends the same photo again: kept once.
    again = _send(first, visit.id, "ferme.jpg", JPEG, "key-0", **json)
    assert again.status_code == 200
    kept = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert len(kept) == len(files)
    assert all(attachments.intact(a) for a in kept)
    assert kept[1].name == "étal.png"
    # Not in the binôme, visit not yet sent: neither sends nor fetches.
    assert _send(other, visit.id, "x.jpg", JPEG, "key-x").status_code == 403
    assert other.get(again.json["url"]).status_code == 403
    outsider = app.test_client()
    factories.login(outsider, factories.person())
    assert outsider.get(again.json["url"]).status_code in (403, 404)
    visitor = app.test_client()
    assert visitor.get(again.json["url"]).status_code == 302  # to log in
    # A file of this visit asked for through another visit's address: not found.
    assert first.get(
        f"/conventionnement/visites/{visit.id + 1}/photos/{kept[0].id}"
    ).status_code in (
        403,
        404,
    )


def test_refusals_are_plain_and_nothing_is_kept(app: Any) -> None:
    app.config["ATTACHMENT_MAX_BYTES"] = 1000
    try:
        _pos, _people, visit, (first, _second, _other) = _setup(app)
        large = _send(first, visit.id, "grande.jpg", JPEG + b"x" * 1000, "k1")
        assert large.status_code == 422
        page = large.get_data(as_text=True)
        assert "trop lourd" in page or "too large" in page
        exe = _send(
            first,
            visit.id,
            "photo.jpg",
            b"MZ\x90\x00" + b"\x00" * 50,
            "k2",
            Accept="application/json",
        )
        assert exe.status_code == 422 and exe.json["key"] == "k2" and exe.json["error"]
        html = _send(first, visit.id, "page.csv", b"<script>\x00</script>", "k3")
        assert html.status_code == 422
        empty = _send(first, visit.id, "vide.pdf", b"", "k4")
        assert empty.status_code == 422
        zipped = io.BytesIO()
        with zipfile.ZipFile(zipped, "w") as archive:
            archive.writestr("a.txt", "x")
        assert _send(first, visit.id, "a.xlsx", zipped.getvalue(), "k5").status_code == 422
        assert db.session.scalar(select(func.count()).select_from(Attachment)) == 0
        # A name that tries to climb out of a folder is only ever a name: nothing is written
        # on the disk, and the name given back has no folder in it.
        climb = _send(
            first, visit.id, "../../../etc/passwd.pdf", PDF, "k6", Accept="application/json"
        )
        assert climb.status_code == 200 and climb.json["name"] == "passwd.pdf"
        windows = _send(
            first, visit.id, "..\\..\\boot.ini.pdf", PDF, "k7", Accept="application/json"
        )
        assert windows.json["name"] == "boot.ini.pdf"
        odd = _send(first, visit.id, "\x00..", PDF, "k8", Accept="application/json")
        assert odd.json["name"] == "fichier.pdf"
        fetched = first.get(climb.json["url"])
        assert "filename=passwd.pdf" in fetched.headers["Content-Disposition"]
    finally:
        app.config["ATTACHMENT_MAX_BYTES"] = 8 * 1024 * 1024


def test_without_javascript_a_photo_is_added_from_the_form(app: Any) -> None:
    _pos, _people, visit, (first, _second, _other) = _setup(app)
    page = first.get(f"/conventionnement/visites/{visit.id}/envoyer")
    assert page.status_code == 200 and 'enctype="multipart/form-data"' in page.get_data(
        as_text=True
    )
    sent = _send(first, visit.id, "ferme.jpg", JPEG, "form-key")
    assert sent.status_code == 302 and sent.headers["Location"].endswith("/envoyer#photos")
    shown = first.get(f"/conventionnement/visites/{visit.id}/envoyer").get_data(as_text=True)
    assert "ferme.jpg" in shown
    # The same form sent twice (a double tap) keeps one photo.
    assert _send(first, visit.id, "ferme.jpg", JPEG, "form-key").status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Attachment)) == 1


def test_a_sending_kept_by_the_phone_is_confirmed_once(app: Any) -> None:
    _pos, people, visit, (first, second, _other) = _setup(app)
    url = f"/conventionnement/visites/{visit.id}/envoyer"
    json = {"Accept": "application/json"}
    token = first.csrf_token(url)
    early = first.post(
        url, data={"csrf_token": token, "band": "favourable", "key": "s1"}, headers=json
    )
    assert early.status_code == 422 and early.json["key"] == "s1" and early.json["error"]
    no_band = first.post(url, data={"csrf_token": token, "band": "", "key": "s2"}, headers=json)
    assert no_band.status_code == 422 and no_band.json["error"]
    _answer_everything(visit, people)
    sent = first.post(
        url, data={"csrf_token": token, "band": "favourable", "key": "s3"}, headers=json
    )
    assert (
        sent.status_code == 200 and sent.json["sent"] and sent.json["report"].endswith("/rapport")
    )
    db.session.refresh(visit)
    when = visit.submitted_at
    # Heard late and sent again, or sent by the other phone of the binôme: confirmed, not redone.
    token2 = second.csrf_token(url)
    again = second.post(
        url, data={"csrf_token": token2, "band": "unfavourable", "key": "s4"}, headers=json
    )
    assert again.status_code == 200 and again.json["sent"]
    db.session.refresh(visit)
    assert visit.submitted_at == when and visit.opinion_band == "favourable"


def _answer_everything(visit: Any, people: list[Any]) -> None:
    from governance.conventionnement import services

    for section in visit.questionnaire.definition["sections"]:
        for question in section["questions"]:
            value = question["choices"][0]["value"] if question["type"] == "choice" else "Oui"
            services.record_answer(
                visit, people[0], question["code"], value, f"k-{question['code']}"
            )
    db.session.commit()
