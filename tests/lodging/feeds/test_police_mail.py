"""A police unit with an e-mail address receives the stay notice over real SMTP.

The app as ``create_app`` builds it, with the test settings' SMTP server (``inbox``):
no HTTPS receiver is configured, so a report goes by e-mail where the unit has an
address and the law allows it, and into the file drop (not notified) otherwise.
"""

from __future__ import annotations

import datetime as dt
import io
from email.message import EmailMessage

import pytest
from flask import Flask
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from core.clock import utcnow
from core.outbox.mail import SmtpMailer, message_id_for
from core.outbox.messages import Handler, OutboxMessage, OutboxState
from core.settings import Settings
from lodging.feeds.fallback import XLSX_MIME
from lodging.feeds.handlers import make_handler
from lodging.feeds.police_mail import PoliceMail
from lodging.feeds.police_units import set_unit_email
from lodging.feeds.transports import FileDropTransport
from lodging.properties.models import Establishment, EstablishmentKind
from lodging.registration.models import GuestRole, Stay
from lodging.registration.reports import FeedChannel, report_key
from tests.factories import (
    TEST_CIPHER,
    citizen,
    declare,
    deliver_due,
    foreigner,
    make_establishment,
    stay_input,
)
from tests.smtp_server import Inbox, free_port, smtp_server

UNIT = "conganbaichay@example.gov.vn"
IMMIGRATION = "xuatnhapcanh@example.gov.vn"


def give_address(
    session: Session, place: Establishment, email: str, *, commune: bool = True
) -> None:
    set_unit_email(
        session,
        province_code=place.police_province_code,
        commune_code=place.police_commune_code if commune else None,
        email=email,
        actor_label="admin@example.com",
        now=utcnow(),
    )
    session.commit()


def attachment_rows(mail: EmailMessage) -> list[tuple[object, ...]]:
    [part] = list(mail.iter_attachments())
    assert part.get_content_type() == XLSX_MIME
    book = load_workbook(io.BytesIO(part.get_content()))
    return [tuple(row) for row in book.active.iter_rows(values_only=True)]  # type: ignore[union-attr]


def report(session: Session, stay: Stay, channel: FeedChannel) -> OutboxMessage:
    key = report_key(stay.events[0].id, channel)
    return session.scalars(select(OutboxMessage).where(OutboxMessage.key == key)).one()


def test_a_unit_with_an_address_receives_the_stay_notice_over_smtp(
    app: Flask, db_session: Session, inbox: Inbox, settings: Settings
) -> None:
    hotel = make_establishment(db_session)
    give_address(db_session, hotel, UNIT)
    stay = declare(db_session, hotel)

    deliver_due(app, db_session, ["vn-luutru"])

    [mail] = inbox.messages
    assert inbox.envelopes == [(settings.mail_sender, [UNIT])]
    assert mail["To"] == UNIT
    assert mail["Subject"] == f"Thông báo lưu trú – Khai báo mới – {hotel.name}"
    body = mail.get_body(("plain",))
    assert body is not None
    text = body.get_content()
    assert "Nguyễn Thị Ánh" in text
    assert "Phòng: 101" in text
    assert "Số khách: 1" in text
    assert "001190012345" not in text  # the document number is in the attachment only
    rows = attachment_rows(mail)
    assert rows[0] == ("SỔ QUẢN LÝ LƯU TRÚ",) + (None,) * (len(rows[0]) - 1)
    assert any("001190012345" in row for row in rows)
    message = report(db_session, stay, FeedChannel.CITIZENS)
    db_session.expire_all()
    assert (message.state, message.receipt_id) == (OutboxState.DELIVERED, mail["Message-ID"])
    assert message.receipt_id == message_id_for(message.key, settings.mail_sender.split("@")[1])
    guest = stay.guests[0]
    assert guest.report_status == "delivered"
    assert guest.reported_at is not None


def test_a_hotels_foreigners_are_not_emailed_but_filed_and_left_to_hand_over(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    hotel = make_establishment(db_session)
    give_address(db_session, hotel, UNIT)
    give_address(db_session, hotel, IMMIGRATION, commune=False)
    stay = declare(db_session, hotel, stay_input(foreigner()))

    deliver_due(app, db_session, ["vn-tamtru"])

    assert inbox.messages == []  # Law 47/2014 art. 33(3): hotels declare online
    db_session.expire_all()
    assert report(db_session, stay, FeedChannel.FOREIGNERS).receipt_id.startswith("file-drop:")
    assert (stay.guests[0].report_status, stay.guests[0].reported_at) == ("filed", None)


def test_a_homestays_foreigner_goes_to_the_provinces_unit_when_the_commune_has_none(
    app: Flask, db_session: Session, inbox: Inbox
) -> None:
    homestay = make_establishment(db_session, kind=EstablishmentKind.HOMESTAY, stars=None)
    give_address(db_session, homestay, IMMIGRATION, commune=False)
    family = stay_input(
        citizen(role=GuestRole.HEAD), foreigner(role=GuestRole.MEMBER, relationship="husband")
    )
    stay = declare(db_session, homestay, family)

    deliver_due(app, db_session, ["vn-luutru", "vn-tamtru"])

    # The citizen's notice has no commune address to go to: filed, not e-mailed.
    [mail] = inbox.messages
    assert mail["To"] == IMMIGRATION
    assert mail["Subject"].startswith("Khai báo tạm trú của người nước ngoài – Khai báo mới")
    rows = attachment_rows(mail)
    assert rows[0][0] == "DANH SÁCH NGƯỜI NƯỚC NGOÀI KHAI BÁO TẠM TRÚ"
    guests = [row for row in rows if row[0] == 1]
    assert [(row[1], row[5]) for row in guests] == [("KIM MIN-JUN", "M12345678")]
    db_session.expire_all()
    assert [(g.report_status, g.reported_at is None) for g in stay.guests] == [
        ("filed", True),
        ("delivered", False),
    ]


def handler_for(port: int, tmp_path_factory: pytest.TempPathFactory) -> Handler:
    mailer = SmtpMailer("127.0.0.1", port, sender="no-reply@portal.example", timeout=1.0)
    files = FileDropTransport(tmp_path_factory.mktemp("drop"), b"secret")
    mail = PoliceMail(mailer, "portal.example")
    return make_handler(files, TEST_CIPHER, FeedChannel.CITIZENS, mail=mail)


@pytest.mark.parametrize(
    ("mode", "kind"),
    [("refuse_recipient", "rejected"), ("defer", "retry")],
)
def test_a_refusal_is_final_and_a_deferral_is_retried(
    db_session: Session, tmp_path_factory: pytest.TempPathFactory, mode: str, kind: str
) -> None:
    hotel = make_establishment(db_session)
    give_address(db_session, hotel, UNIT)
    message = report(db_session, declare(db_session, hotel), FeedChannel.CITIZENS)
    inbox = Inbox(mode=mode)  # type: ignore[arg-type]
    with smtp_server(inbox) as (_host, port):
        outcome = handler_for(port, tmp_path_factory)(db_session, message, utcnow())
    assert outcome.kind == kind, outcome
    assert inbox.messages == []


def test_no_mail_server_is_a_retry_and_a_resend_carries_the_same_message_id(
    db_session: Session, tmp_path_factory: pytest.TempPathFactory
) -> None:
    hotel = make_establishment(db_session)
    give_address(db_session, hotel, UNIT)
    message = report(db_session, declare(db_session, hotel), FeedChannel.CITIZENS)
    port = free_port()
    deliver = handler_for(port, tmp_path_factory)
    assert deliver(db_session, message, utcnow()).kind == "retry"
    inbox = Inbox()
    with smtp_server(inbox, port=port):
        first = deliver(db_session, message, utcnow())
        again = deliver(db_session, message, utcnow() + dt.timedelta(minutes=5))
    assert first.kind == again.kind == "delivered"
    assert [m["Message-ID"] for m in inbox.messages] == [first.receipt_id, first.receipt_id]
