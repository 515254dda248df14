"""Outgoing e-mail: queued in the outbox, handed to a real SMTP server by the handler."""

from __future__ import annotations

import datetime as dt
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from core.outbox.mail import MAIL_KIND, Attachment, MailDrop, SmtpMailer, enqueue_mail, mail_key
from core.outbox.messages import OutboxMessage, handlers_of
from tests.smtp_server import Inbox, free_port, smtp_server

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)


def queued(session: Session, **overrides: object) -> OutboxMessage:
    values: dict[str, object] = {
        "to": ["owner@example.com"],
        "subject": "Báo cáo chưa được gửi",
        "text": "Phòng 101: hạn lúc 23:00.",
        "key": "test-alert-1",
        "now": NOW,
    }
    message = enqueue_mail(session, **{**values, **overrides})  # type: ignore[arg-type]
    session.flush()
    return message


def mailer(port: int, timeout: float = 5.0) -> SmtpMailer:
    return SmtpMailer("127.0.0.1", port, sender="no-reply@portal.example", timeout=timeout)


def send(message: OutboxMessage, port: int, timeout: float = 5.0) -> tuple[str, dict[str, str]]:
    mail = mailer(port, timeout)
    outcome = mail.send(mail.compose(message.payload, "<fixed@portal.example>", NOW))
    return outcome.kind, outcome.errors


def test_an_email_is_an_outbox_message_under_its_key(db_session: Session) -> None:
    message = queued(db_session)
    assert message.kind == MAIL_KIND
    assert message.key == mail_key("test-alert-1")
    assert message.payload["to"] == ["owner@example.com"]


def test_the_server_receives_the_message_as_written() -> None:
    inbox = Inbox()
    # Long enough that bare LF line ends would make it one over-long SMTP line.
    body = "\n".join(f"Dòng {n}: báo cáo lưu trú chưa được gửi." for n in range(60))
    payload = {"to": ["a@example.com", "b@example.com"], "subject": "Hạn báo cáo", "text": body}
    message = OutboxMessage(kind=MAIL_KIND, key="k", payload=payload)
    with smtp_server(inbox) as (_host, port):
        kind, _errors = send(message, port)
    assert kind == "delivered"
    [received] = inbox.messages
    assert received["Subject"] == "Hạn báo cáo"
    assert received["Message-ID"] == "<fixed@portal.example>"
    assert received.get_content().replace("\r\n", "\n").strip() == body
    assert inbox.envelopes == [("no-reply@portal.example", ["a@example.com", "b@example.com"])]


def test_attachments_arrive_byte_for_byte(db_session: Session) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    ics = "BEGIN:VCALENDAR\r\nSUMMARY:Hạ Long\r\nEND:VCALENDAR\r\n".encode()
    message = queued(
        db_session,
        attachments=[
            Attachment("voucher.png", "image/png", png),
            Attachment("a.ics", "text/calendar", ics),
        ],
    )
    inbox = Inbox()
    with smtp_server(inbox) as (_host, port):
        kind, _errors = send(message, port)
    assert kind == "delivered"
    [received] = inbox.messages
    body = received.get_body(("plain",))
    assert body is not None
    assert body.get_content().strip() == "Phòng 101: hạn lúc 23:00."
    parts = {part.get_filename(): part for part in received.iter_attachments()}
    assert parts["voucher.png"].get_content_type() == "image/png"
    assert parts["voucher.png"].get_payload(decode=True) == png
    assert parts["a.ics"].get_payload(decode=True) == ics


@pytest.mark.parametrize(
    ("mode", "expected"),
    [("defer", "retry"), ("refuse_recipient", "rejected"), ("hang", "unverified")],
)
def test_what_the_server_answers_decides_the_outcome(mode: str, expected: str) -> None:
    inbox = Inbox(mode=mode, hang_seconds=1.0)  # type: ignore[arg-type]
    message = OutboxMessage(
        kind=MAIL_KIND, key="k", payload={"to": ["x@example.com"], "subject": "s", "text": "t"}
    )
    with smtp_server(inbox) as (_host, port):
        kind, errors = send(message, port, timeout=0.3)
    assert kind == expected
    assert inbox.messages == []
    if expected == "rejected":
        assert "x@example.com" in errors["to"]


def test_no_server_means_retry_nothing_was_handed_over() -> None:
    message = OutboxMessage(
        kind=MAIL_KIND, key="k", payload={"to": ["x@example.com"], "subject": "s", "text": "t"}
    )
    kind, _errors = send(message, free_port(), timeout=0.5)
    assert kind == "retry"


def test_the_portal_worker_sends_queued_mail(app: Flask, db_session: Session, inbox: Inbox) -> None:
    message = queued(db_session, to=["chu.nha@example.com"])
    route = handlers_of(app).route_for(message.kind)
    assert route is not None
    assert route.channel == "mail"
    assert not route.resend_unverified  # SMTP servers do not de-duplicate
    outcome = route.handler(db_session, message, NOW)
    assert outcome.kind == "delivered"
    [received] = inbox.messages
    assert received["To"] == "chu.nha@example.com"
    assert received["Subject"] == "Báo cáo chưa được gửi"
    # The Message-ID comes from the key: a replayed copy carries the same one.
    assert outcome.receipt_id == received["Message-ID"]
    assert route.handler(db_session, message, NOW).receipt_id == outcome.receipt_id


def test_without_a_mail_server_each_email_is_dropped_as_a_file(tmp_path: Path) -> None:
    drop = MailDrop(tmp_path / "mail", sender="no-reply@portal.example")
    payload = {"to": ["owner@example.com"], "subject": "Hạn báo cáo", "text": "Phòng 101"}
    outcome = drop.send(drop.compose(payload, "<fixed@portal.example>", NOW))
    again = drop.send(drop.compose(payload, "<fixed@portal.example>", NOW))
    assert outcome.kind == "delivered"
    assert again.receipt_id == outcome.receipt_id  # a replay overwrites its own file
    [written] = (tmp_path / "mail").iterdir()
    received = message_from_bytes(written.read_bytes(), policy=policy.default)
    assert received["Subject"] == "Hạn báo cáo"
    assert b"\r\n" in written.read_bytes()


def test_a_long_vietnamese_subject_arrives_with_every_space() -> None:
    inbox = Inbox()
    subject = "Khai báo tạm trú của người nước ngoài – Khai báo mới – Khách sạn Thử Nghiệm 5"
    payload = {"to": ["a@example.com"], "subject": subject, "text": "x"}
    with smtp_server(inbox) as (_host, port):
        kind, _errors = send(OutboxMessage(kind=MAIL_KIND, key="k", payload=payload), port)
    assert kind == "delivered"
    assert inbox.messages[0]["Subject"] == subject
