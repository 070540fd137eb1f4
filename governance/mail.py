"""Outgoing mail: every message is first written to the outbox, in the same transaction as the
change it tells about, then sent over SMTP when a server is configured. Without one (development)
the messages stay in the outbox, which an admin reads in the interface."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app, g, has_request_context
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from governance.db import Base, created_at, intpk, str255, utc, utcnow
from governance.extensions import db


class OutboxMessage(Base):
    __tablename__ = "outbox_message"

    id: Mapped[intpk]
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str255]
    body: Mapped[str] = mapped_column(Text)
    ics: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[created_at]
    sent_at: Mapped[utc | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(String(500), default="")
    # What the message is about ("meeting:12"), so that its sender can follow each recipient.
    topic: Mapped[str | None] = mapped_column(String(60), index=True)


def header(value: str) -> str:
    """A header value on one line: a meeting title with a line break (or a forged header
    after it) never reaches the message's headers."""
    return " ".join(str(value).split())


def queue(
    recipient: str, subject: str, body: str, ics: str | None = None, topic: str | None = None
) -> OutboxMessage:
    message = OutboxMessage(
        recipient=header(recipient)[:254],
        subject=header(subject)[:255],
        body=body,
        ics=ics,
        topic=topic,
    )
    db.session.add(message)
    return message


def _as_email(message: OutboxMessage, sender: str) -> EmailMessage:
    email = EmailMessage()
    email["From"] = header(sender)
    email["To"] = header(message.recipient)
    email["Subject"] = header(message.subject)
    email["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "tablee.local")
    email.set_content(message.body)
    if message.ics:
        email.add_attachment(
            message.ics.encode(),
            maintype="text",
            subtype="calendar",
            filename="invitation.ics",
            params={"method": "REQUEST"},
        )
    return email


MAX_ATTEMPTS = 5


def send_soon() -> None:
    """After the commit that wrote the messages: the queue's worker sends them (and tries a
    refused one again later), so that nobody waits on the mail server."""
    from governance.jobs.queue import queue as task_queue

    task_queue().send_mail()


def waiting() -> int:
    """Messages not sent yet that will be tried again."""
    return len(
        db.session.scalars(
            select(OutboxMessage.id).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS
            )
        ).all()
    )


def deliver_pending(limit: int = 500) -> int:
    """Send what waits in the outbox; commits per message so a failure loses nothing. A message
    that fails (refused by the server, or impossible to build) records why and is tried again
    at the next run, up to five times; it never stops the messages after it."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        return 0
    if has_request_context():
        g.tablee_tx = "write"  # it reads, then writes: take the write lock from the start
    pending = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    if not pending:
        return 0
    sent = 0
    with smtplib.SMTP(config["MAIL_SERVER"], int(config["MAIL_PORT"]), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        for message in pending:
            message.attempts += 1
            try:
                smtp.send_message(_as_email(message, config["MAIL_SENDER"]))
            except (smtplib.SMTPException, ValueError, UnicodeError) as error:
                message.last_error = str(error)[:500] or type(error).__name__
            else:
                message.sent_at = utcnow()
                sent += 1
            db.session.commit()
            if has_request_context():
                g.tablee_tx = "write"
    return sent
