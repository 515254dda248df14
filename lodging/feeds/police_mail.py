"""A police report as an e-mail to the receiving unit's published address.

The notice itself is the attachment, in the form's layout the police already take by
hand (``lodging.feeds.fallback``): the NA17 spreadsheet for foreigners, the stay
register for citizens, holding exactly the report's guests with every field the law
asks for. The plain-text body says what it is (establishment, address, what happened,
room, dates, how many guests and their names) but never a document number: an e-mail
body is copied, forwarded and quoted far more than its attachment. Both are Vietnamese,
whatever the owner's language: they are addressed to a Vietnamese police unit.

The Message-ID is derived from the outbox key, so a copy sent again after an unknown
outcome carries the same one and the unit can tell it for the one it has; it is the
delivery's receipt. What an SMTP answer means (taken, refused for good, deferred, lost)
is ``core.outbox.mail.SmtpMailer``'s: the outbox retries or dead-letters it as any
delivery.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from core.clock import VIETNAM
from core.crypto import PersonalDataCipher
from core.outbox.mail import Attachment, Mailer, message_id_for
from core.outbox.messages import Outcome
from lodging.feeds import fallback
from lodging.feeds.payloads import address_part
from lodging.properties import geography
from lodging.properties.models import Establishment
from lodging.registration.models import Guest, Stay
from lodging.registration.reports import FeedChannel

NOTICES = {
    FeedChannel.CITIZENS: "Thông báo lưu trú",
    FeedChannel.FOREIGNERS: "Khai báo tạm trú của người nước ngoài",
}
# What the report does, as the subject says it: a declaration, a correction, a
# check-out or a cancellation.
EVENT_LABELS = {
    "declare": "Khai báo mới",
    "correction": "Điều chỉnh thông tin",
    "extension": "Điều chỉnh: gia hạn lưu trú",
    "shortening": "Điều chỉnh: rút ngắn lưu trú",
    "room_move": "Điều chỉnh: đổi phòng",
    "checkout": "Khách trả phòng",
    "early_departure": "Khách trả phòng sớm",
    "cancel": "Hủy thông báo",
}


@dataclass(frozen=True)
class PoliceNotice:
    """One e-mail to one police unit."""

    to: str
    subject: str
    text: str
    attachment: Attachment


def compose_notice(
    stay: Stay,
    guests: Sequence[Guest],
    channel: FeedChannel,
    *,
    event: str,
    to: str,
    cipher: PersonalDataCipher,
    now: dt.datetime,
) -> PoliceNotice:
    """The e-mail of one report: ``guests`` are the report's own (one channel's)."""
    establishment = stay.establishment
    subject = f"{NOTICES[channel]} – {EVENT_LABELS[event]} – {establishment.name}"
    return PoliceNotice(
        to=to,
        subject=subject,
        text=_summary(stay, guests, channel, event, now),
        attachment=_attachment(establishment, guests, channel, cipher, now),
    )


def _attachment(
    establishment: Establishment,
    guests: Sequence[Guest],
    channel: FeedChannel,
    cipher: PersonalDataCipher,
    now: dt.datetime,
) -> Attachment:
    if channel is FeedChannel.FOREIGNERS:
        kind, content = (
            fallback.NA17,
            fallback.na17_workbook(establishment, guests, cipher, now=now),
        )
    else:
        content = fallback.register_workbook(establishment, guests, cipher, now=now)
        kind = fallback.REGISTER
    return Attachment(fallback.filename(kind, establishment.id, now), fallback.XLSX_MIME, content)


def _summary(
    stay: Stay, guests: Sequence[Guest], channel: FeedChannel, event: str, now: dt.datetime
) -> str:
    establishment = stay.establishment
    lines = [
        f"Kính gửi: {_unit_name(establishment)}",
        "",
        f"{NOTICES[channel]}: {EVENT_LABELS[event].lower()}.",
        f"Cơ sở lưu trú: {establishment.name}"
        + (f" (giấy phép {establishment.licence_number})" if establishment.licence_number else ""),
        f"Địa chỉ: {address_part(establishment)['text']}",
        f"Điện thoại: {establishment.phone or '—'}",
        f"Phòng: {stay.room.number if stay.room else '—'}",
        (
            f"Thời gian lưu trú: từ {_date(stay.arrival.astimezone(VIETNAM).date())}"
            f" đến {_date(_departure(stay))}"
        ),
        f"Số khách: {len(guests)}",
        "",
        "Khách:",
        *(f"{n}. {g.full_name}" for n, g in enumerate(guests, start=1)),
        "",
        (
            "Thông tin đầy đủ của từng khách (giấy tờ, ngày sinh, thời gian lưu trú) ở tệp"
            " đính kèm, theo mẫu cơ quan công an tiếp nhận."
        ),
        f"Lập lúc {now.astimezone(VIETNAM):%H:%M %d/%m/%Y} (giờ Việt Nam).",
        (
            "Thư này được gửi tự động; nếu cần điều chỉnh, xin trả lời thư này hoặc liên hệ cơ sở"
            " lưu trú theo số điện thoại trên."
        ),
    ]
    return "\n".join(lines) + "\n"


def _unit_name(establishment: Establishment) -> str:
    commune = geography.commune(establishment.police_commune_code).name
    province = geography.province(establishment.police_province_code).name
    return f"Công an {commune[:1].lower()}{commune[1:]}, {province}"


def _date(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _departure(stay: Stay) -> dt.date:
    left = stay.departed_at
    return left.astimezone(VIETNAM).date() if left else stay.expected_departure


@dataclass(frozen=True)
class PoliceMail:
    """Sends police notices through the portal's mailer, under the portal's mail domain."""

    mailer: Mailer
    domain: str

    def send(self, notice: PoliceNotice, key: str, now: dt.datetime) -> Outcome:
        """Hand the notice to the mail server; the receipt is its Message-ID."""
        item = notice.attachment
        payload = {
            "to": [notice.to],
            "subject": notice.subject,
            "text": notice.text,
            "lang": "vi",
            "attachments": [
                {
                    "filename": item.filename,
                    "content_type": item.content_type,
                    "data": base64.b64encode(item.data).decode(),
                }
            ],
        }
        message_id = message_id_for(key, self.domain)
        return self.mailer.send(self.mailer.compose(payload, message_id, now))
