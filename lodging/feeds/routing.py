"""Which way one police report leaves: HTTPS, e-mail to the police unit, or the file drop.

The one place the choice is made, per message:

1. the channel has an HTTPS receiver configured (a provincial receiver): HTTPS;
2. else, when the law allows e-mail and the receiving unit posts an address: e-mail.
   Citizens' stay notices may always be e-mailed to the address the registration office
   posts (Circular 55/2021 art. 15(1)); foreigners' declarations only by establishments
   other than hotels (Law 47/2014 art. 33(3)), to the commune unit or, when it has no
   address, to the province's own unit (its immigration office);
3. else the file drop: a signed archive copy that no police body reads, so it does not
   make the guest notified (``lodging.feeds.handlers.follow_delivery``).
"""

from __future__ import annotations

from enum import StrEnum

from core.database import DbSession
from lodging.feeds.police_units import unit_email
from lodging.properties.models import Establishment, EstablishmentKind
from lodging.registration.reports import FeedChannel


class Route(StrEnum):
    HTTPS = "https"
    EMAIL = "email"
    FILE_DROP = "file-drop"


def email_allowed(channel: FeedChannel, kind: EstablishmentKind) -> bool:
    """Whether the law lets this establishment e-mail this channel's notices."""
    if channel is FeedChannel.CITIZENS:
        return True
    return channel is FeedChannel.FOREIGNERS and kind is not EstablishmentKind.HOTEL


def receiving_address(
    session: DbSession, establishment: Establishment, channel: FeedChannel
) -> str | None:
    """The e-mail address of the unit that receives this establishment's reports, if any."""
    province = establishment.police_province_code
    address = unit_email(session, province, establishment.police_commune_code)
    if address is None and channel is FeedChannel.FOREIGNERS:
        address = unit_email(session, province, None)
    return address


def route_for(
    session: DbSession,
    establishment: Establishment,
    channel: FeedChannel,
    *,
    https: bool,
    email: bool,
) -> tuple[Route, str | None]:
    """The route of one report, and the address when it is e-mailed.

    ``https``: the channel has a receiver's URL; ``email``: e-mail can be sent at all
    (an SMTP server is configured: a mail written to a folder reaches nobody).
    """
    if https:
        return Route.HTTPS, None
    if email and email_allowed(channel, establishment.kind):
        address = receiving_address(session, establishment, channel)
        if address:
            return Route.EMAIL, address
    return Route.FILE_DROP, None
