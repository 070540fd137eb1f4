"""Documents and photos attached to what they belong to (a visit, an agenda item, a proposal,
minutes). The file itself is kept in the database beside its SHA-256, so that the backups hold
it with everything else, a restore brings it back whole, and no name a person typed ever becomes
a path on the disk. Its kind is read from its first bytes, never from the name it was sent with.

The domain that owns the thing declares the routes (who may see it, who may add to it); this
module only keeps, checks and serves the files.
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import unicodedata
import zipfile
from typing import Any

from flask import current_app, flash, redirect, request, send_file
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import (
    Boolean,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.wrappers import Response

from governance import formatting
from governance.db import Base, begin_writing, created_at, intpk
from governance.errors import DomainError
from governance.extensions import db
from governance.forms import AttachmentForm
from governance.people.models import Person
from governance.web import render

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODS = "application/vnd.oasis.opendocument.spreadsheet"
IMAGES = {"image/jpeg", "image/png", "image/webp"}
# What a person may attach, by kind, with the name's ending it is given back with.
KINDS = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
    "image/webp": "webp",
    XLSX: "xlsx",
    ODS: "ods",
    "text/csv": "csv",
}
OWNER_KINDS = ("visit", "agenda_item", "proposal", "minutes")


class Attachment(Base):
    __tablename__ = "attachment"

    id: Mapped[intpk]
    owner_kind: Mapped[str] = mapped_column(String(20))
    owner_id: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(120))
    media_type: Mapped[str] = mapped_column(String(80))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    content: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    # Shown to everyone once what it belongs to is public (a published decision, minutes).
    public: Mapped[bool] = mapped_column(Boolean, default=False)
    # Sent again by a phone that did not hear the answer: the same key is kept once.
    key: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    created_at: Mapped[created_at]

    uploaded_by: Mapped[Person | None] = relationship()

    __table_args__ = (
        UniqueConstraint("key"),
        Index("ix_attachment_owner", "owner_kind", "owner_id"),
    )

    @property
    def is_image(self) -> bool:
        return self.media_type in IMAGES


def max_bytes() -> int:
    return int(current_app.config["ATTACHMENT_MAX_BYTES"])


def clean_name(filename: str, media_type: str) -> str:
    """The name shown and given back: the last part of what was sent, without control
    characters or separators, ending as its real kind does."""
    base = re.split(r"[\\/]", filename or "")[-1]
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    base = base.strip(" .")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = stem.strip(" .")[:100] or "fichier"
    return f"{stem}.{KINDS[media_type]}"


def sniff(content: bytes, filename: str) -> str | None:
    """The kind of a file read from its bytes; None for a kind that is not allowed."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content.startswith(b"PK\x03\x04"):
        return _spreadsheet(content)
    if filename.lower().endswith(".csv") and b"\x00" not in content:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/csv"
    return None


def _spreadsheet(content: bytes) -> str | None:
    """An .xlsx or .ods: a zip whose parts say so; any other zip is refused."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODS.encode():
                return ODS
    except (zipfile.BadZipFile, KeyError, ValueError):
        return None
    if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
        return XLSX
    return None


def megabytes(size: int) -> str:
    return formatting.number(round(size / 1024 / 1024, 1))


def check(filename: str, content: bytes) -> str:
    """The file's kind, or a refusal in plain words (read before the write lock is taken)."""
    if not content:
        raise DomainError(_l("The file is empty: choose it again."), "file")
    if len(content) > max_bytes():
        raise DomainError(
            _l(
                "This file is too large (%(size)s MB); the most is %(most)s MB.",
                size=megabytes(len(content)),
                most=megabytes(max_bytes()),
            ),
            "file",
        )
    media_type = sniff(content, filename)
    if media_type is None:
        raise DomainError(
            _l("This kind of file cannot be attached: send a PDF, a photo or a spreadsheet."),
            "file",
        )
    return media_type


def attach(
    owner_kind: str,
    owner_id: int,
    person: Person,
    filename: str,
    content: bytes,
    key: str,
    *,
    public: bool = False,
    limit: int = 20,
) -> Attachment:
    """Keep a file for its owner; the same key sent again gives back the file kept the first
    time (a photo sent twice by a phone that lost the answer is kept once)."""
    assert owner_kind in OWNER_KINDS
    key = key[:64]
    earlier = db.session.scalar(select(Attachment).where(Attachment.key == key)) if key else None
    if earlier is not None:
        if (earlier.owner_kind, earlier.owner_id) != (owner_kind, owner_id):
            raise DomainError(_l("This file was already sent elsewhere."), "file")
        return earlier
    media_type = check(filename, content)
    if count(owner_kind, owner_id) >= limit:
        raise DomainError(
            _l("There are already %(most)d files here; remove one first.", most=limit), "file"
        )
    attachment = Attachment(
        owner_kind=owner_kind,
        owner_id=owner_id,
        name=clean_name(filename, media_type),
        media_type=media_type,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content=content,
        public=public,
        key=key or hashlib.sha256(content + str(owner_id).encode()).hexdigest(),
        uploaded_by_id=person.id,
    )
    db.session.add(attachment)
    db.session.flush()
    return attachment


def count(owner_kind: str, owner_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count(Attachment.id)).where(
                Attachment.owner_kind == owner_kind, Attachment.owner_id == owner_id
            )
        )
        or 0
    )


def listing(owner_kind: str, owner_id: int) -> list[Attachment]:
    return list(
        db.session.scalars(
            select(Attachment)
            .where(Attachment.owner_kind == owner_kind, Attachment.owner_id == owner_id)
            .order_by(Attachment.id)
        )
    )


def grouped(owner_kind: str, owner_ids: list[int]) -> dict[int, list[Attachment]]:
    """The files of several owners of one kind, in one read (an agenda's items)."""
    found: dict[int, list[Attachment]] = {}
    if not owner_ids:
        return found
    rows = db.session.scalars(
        select(Attachment)
        .where(Attachment.owner_kind == owner_kind, Attachment.owner_id.in_(owner_ids))
        .order_by(Attachment.id)
    )
    for row in rows:
        found.setdefault(row.owner_id, []).append(row)
    return found


def find(owner_kind: str, owner_id: int, attachment_id: int) -> Attachment | None:
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or (attachment.owner_kind, attachment.owner_id) != (
        owner_kind,
        owner_id,
    ):
        return None
    return attachment


def count_all() -> int:
    return db.session.scalar(select(func.count(Attachment.id))) or 0


def damaged() -> list[int]:
    """The files whose content no longer agrees with its checksum (``flask verify``), read one
    at a time so that a large store never sits whole in memory."""
    ids = list(db.session.scalars(select(Attachment.id).order_by(Attachment.id)))
    found = []
    for attachment_id in ids:
        attachment = db.session.get_one(Attachment, attachment_id)
        if not intact(attachment):
            found.append(attachment_id)
        db.session.expunge(attachment)
    return found


def intact(attachment: Attachment) -> bool:
    return hashlib.sha256(attachment.content).hexdigest() == attachment.sha256


def serve(attachment: Attachment) -> Response:
    """The file as it was kept: images and PDFs shown, the rest downloaded; never run as a page
    of the site (sandboxed, its kind fixed)."""
    inline = attachment.is_image or attachment.media_type == "application/pdf"
    response = send_file(
        io.BytesIO(attachment.content),
        mimetype=attachment.media_type,
        as_attachment=not inline,
        download_name=attachment.name,
        etag=attachment.sha256,
        max_age=0,
        conditional=True,
    )
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    response.cache_control.private = True
    response.cache_control.public = False
    return response


def as_json(attachment: Attachment, url: str) -> dict[str, Any]:
    return {
        "id": attachment.id,
        "key": attachment.key,
        "name": attachment.name,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "url": url,
    }


def attach_page(
    owner_kind: str,
    owner_id: int,
    *,
    title: str,
    back: str,
    file_endpoint: str,
    values: dict[str, Any],
) -> Response:
    """The page that joins a file to its owner (no JavaScript needed): the form, the files
    already there; a refusal comes back on the form (422), a success goes back to the owner."""
    form = AttachmentForm()
    status = 200
    if form.validate_on_submit():
        upload = request.files.get("file")
        content = upload.read(max_bytes() + 1) if upload else b""
        name = (upload.filename if upload else "") or ""
        try:
            check(name, content)  # read and checked before the write lock is taken
            begin_writing(db.session)
            attach(
                owner_kind,
                owner_id,
                current_user._get_current_object(),
                name,
                content,
                form.key.data or secrets.token_hex(16),
                public=bool(form.public.data),
            )
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [str(error.message)]
            status = 422
        else:
            db.session.commit()
            flash(_("The file is joined."), "success")
            return redirect(back)
    elif form.is_submitted():
        status = 422
    if not form.key.data or status == 422:
        form.key.data = secrets.token_hex(16)  # a new showing of the form adds a new file
    return render(
        "attach.html",
        form=form,
        title=title,
        back=back,
        files=listing(owner_kind, owner_id),
        file_endpoint=file_endpoint,
        values=values,
        most=megabytes(max_bytes()),
        status=status,
    )
