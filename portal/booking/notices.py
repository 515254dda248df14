"""What the guest is told by e-mail, in their language: confirmed, or refunded.

Confirmed comes with the QR voucher and a calendar file; a payment that arrived after
the room went gets an apology and the news that it is refunded in full.

The e-mails go through the outbox with the booking's change, so none is sent for a
transaction that rolled back. Composing needs the portal (translations, the public
address): ``notice_composer`` makes one for the views to pass to the services.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass

import qrcode
import qrcode.image.pil
from flask import Flask
from flask_babel import force_locale, format_currency, format_date, ngettext
from flask_babel import gettext as _

from core.links import public_root_as, public_url_for
from core.outbox.mail import Attachment
from portal.booking.models import Booking
from portal.booking.pricing import Policy
from portal.ics import CalendarEvent, calendar


@dataclass(frozen=True)
class Notice:
    subject: str
    text: str
    attachments: tuple[Attachment, ...] = ()


Compose = Callable[[Booking, str, dt.datetime], Notice]


def notice_composer(app: Flask, public_url: str) -> Compose:
    """A ``Compose``: ``(booking, kind, now)`` → the e-mail, in the booking's language.

    ``kind`` is ``confirmed``, ``room_gone`` or ``cancelled_by_establishment``. It runs
    outside the guest's own request (the webhook is Stripe's), so it makes one under the
    portal's public address.
    """

    def compose(booking: Booking, kind: str, now: dt.datetime) -> Notice:
        with (
            app.test_request_context("/", base_url=public_url),
            public_root_as(public_url),
            force_locale(booking.language),
        ):
            if kind == "room_gone":
                return Notice(_gone_subject(booking), _gone_text(booking))
            if kind == "cancelled_by_establishment":
                return Notice(_cancelled_subject(booking), _cancelled_text(booking))
            return Notice(
                _confirmed_subject(booking),
                _confirmed_text(booking),
                (
                    Attachment("voucher.png", "image/png", voucher_png(booking.voucher)),
                    Attachment("booking.ics", "text/calendar", booking_calendar(booking, now)),
                ),
            )

    return compose


def voucher_png(voucher: str) -> bytes:
    """The QR code of the voucher token alone: no name, no dates, nothing personal."""
    image = qrcode.make(voucher, image_factory=qrcode.image.pil.PilImage, box_size=8, border=4)
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


def money(amount: int, currency: str) -> str:
    return str(format_currency(amount, currency))


def _money(booking: Booking) -> str:
    return money(booking.total_amount, booking.currency)


def _confirmed_subject(booking: Booking) -> str:
    return str(_("Your booking at %(place)s is confirmed", place=booking.establishment.name))


def _confirmed_text(booking: Booking) -> str:
    nights = (booking.departure - booking.arrival).days
    place = booking.establishment
    return _letter(
        booking,
        _(
            "Your room is booked: %(room)s at %(place)s, %(address)s.",
            room=booking.room_type.name,
            place=place.name,
            address=place.street_address,
        ),
        ngettext(
            "Arrival %(arrival)s, departure %(departure)s: %(num)d night.",
            "Arrival %(arrival)s, departure %(departure)s: %(num)d nights.",
            nights,
            arrival=format_date(booking.arrival, "full"),
            departure=format_date(booking.departure, "full"),
        ),
        _("Total paid, every fee included: %(total)s.", total=_money(booking)),
        policy_text(Policy.from_dict(booking.policy), booking.arrival),
        _(
            "See your booking, or cancel it, on its page: %(url)s",
            url=public_url_for(
                "guest_booking.show_booking", lang=booking.language, reference=booking.reference
            ),
        ),
        "",
        _(
            "At check-in, show the QR code attached (or tell this code: %(voucher)s)."
            " It only finds your booking: the reception will still ask for your ID card or"
            " passport, as the law requires.",
            voucher=booking.voucher,
        ),
        _("Your booking reference: %(reference)s.", reference=booking.reference),
    )


def _letter(booking: Booking, *paragraphs: str) -> str:
    """The greeting, the lines given, and the note that a machine sent it."""
    lines = [
        _("Hello %(name)s,", name=booking.guest_name),
        "",
        *paragraphs,
        "",
        _("This message was sent automatically by the travel portal."),
    ]
    return "\n".join(str(line) for line in lines)


def policy_text(policy: Policy, arrival: dt.date) -> str:
    """The cancellation terms in a sentence, with the last free day for this arrival."""
    last_free = arrival - dt.timedelta(days=policy.free_days)
    if policy.late_percent == 0:
        return str(_("You can cancel free of charge until your arrival."))
    return str(
        _(
            "Free cancellation until %(day)s; after that, %(percent)s%% of the total is kept.",
            day=format_date(last_free, "long"),
            percent=policy.late_percent,
        )
    )


def _gone_subject(booking: Booking) -> str:
    place = booking.establishment.name
    return str(_("We are sorry: your room at %(place)s is no longer free", place=place))


def _gone_text(booking: Booking) -> str:
    return _letter(
        booking,
        _(
            "Your payment arrived after the time we could keep the room for you, and"
            " meanwhile someone else booked it. We have not kept your money: the whole"
            " %(total)s is being refunded to your card.",
            total=_money(booking),
        ),
        _("We are sorry. Other rooms may still be free for your dates on the portal."),
    )


def _cancelled_subject(booking: Booking) -> str:
    place = booking.establishment.name
    return str(_("%(place)s has cancelled your booking", place=place))


def _cancelled_text(booking: Booking) -> str:
    return _letter(
        booking,
        _(
            "%(place)s cannot receive you from %(arrival)s and has cancelled your booking."
            " Whatever you paid is refunded in full to your card.",
            place=booking.establishment.name,
            arrival=format_date(booking.arrival, "long"),
        ),
        _("Your booking reference: %(reference)s.", reference=booking.reference),
        "",
        _("We are sorry. Other rooms may still be free for your dates on the portal."),
    )


def booking_calendar(booking: Booking, now: dt.datetime) -> bytes:
    """The stay as a calendar event: the place and the dates, nothing about the guest."""
    place = booking.establishment
    event = CalendarEvent(
        uid=f"booking-{booking.reference}@portal",
        summary=place.name,
        starts_on=booking.arrival,
        ends_on=booking.departure,
        location=place.street_address,
        lat=place.latitude,
        lon=place.longitude,
    )
    return calendar([event], now=now)
