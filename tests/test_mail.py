"""Mail: every header on one line, one bad message never stops the others, failures retried;
public links built on the configured base URL, never on the request's Host header."""

from __future__ import annotations

from sqlalchemy import select

from governance import mail
from governance.extensions import db
from governance.mail import OutboxMessage


def test_a_title_with_a_line_break_stops_nothing(app, smtp) -> None:  # type: ignore[no-untyped-def]
    mail.queue("a@exemple.org", "Séance du 6\nBcc: evil@exemple.org", "Texte")
    # An older message written before headers were cleaned, straight into the outbox.
    db.session.add(
        OutboxMessage(recipient="b@exemple.org", subject="Ordre\r\ndu jour", body="Texte")
    )
    mail.queue("c@exemple.org", "Convocation", "Texte")
    db.session.commit()
    assert mail.deliver_pending() == 3
    assert sorted(m["To"] for m in smtp.messages) == [
        "a@exemple.org",
        "b@exemple.org",
        "c@exemple.org",
    ]
    assert all(m["Bcc"] is None for m in smtp.messages)
    assert smtp.messages[0]["Subject"] == "Séance du 6 Bcc: evil@exemple.org"


def test_a_refused_message_is_kept_and_tried_again(app, smtp) -> None:  # type: ignore[no-untyped-def]
    mail.queue("refuse@exemple.org", "Sujet", "Texte")
    mail.queue("d@exemple.org", "Sujet", "Texte")
    db.session.commit()
    assert mail.deliver_pending() == 1
    refused = db.session.scalar(select(OutboxMessage).where(OutboxMessage.sent_at.is_(None)))
    assert refused is not None and refused.attempts == 1 and refused.last_error
    mail.deliver_pending()
    db.session.refresh(refused)
    assert refused.attempts == 2 and [m["To"] for m in smtp.messages] == ["d@exemple.org"]


def test_feeds_use_the_configured_address_not_the_host_header(app, client) -> None:  # type: ignore[no-untyped-def]
    saved, app.config["BASE_URL"] = app.config["BASE_URL"], "https://caisse.exemple.org"
    try:
        atom = client.get("/decisions.atom", headers={"Host": "evil.example"}).get_data(
            as_text=True
        )
    finally:
        app.config["BASE_URL"] = saved
    assert "https://caisse.exemple.org/decisions" in atom and "evil.example" not in atom
