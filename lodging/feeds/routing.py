"""Which way one police report leaves: the workspace, HTTPS, e-mail, or the file drop.

The one place the choice is made, per message:

1. the establishment's police province receives in this portal's own police workspace
   (``POLICE_WORKSPACE_PROVINCES``): the report is delivered there, at once, and the
   officers acknowledge or reject it (``lodging.registration.police_answers``);
2. else the channel has an HTTPS receiver configured (a provincial receiver): HTTPS;
3. else, when the law allows e-mail and the receiving unit posts an address: e-mail.
   Citizens' stay notices may always be e-mailed to the address the registration office
   posts (Circular 55/2021 art. 15(1)); foreigners' declarations only by establishments
   other than hotels (Law 47/2014 art. 33(3)), to the commune unit or, when it has no
   address, to the province's own unit (its immigration office);
4. else the file drop: a signed archive copy that no police body reads, so it does not
   make the guest notified (``lodging.feeds.handlers.follow_delivery``).
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from core.database import DbSession
from lodging.feeds.police_units import unit_email
from lodging.properties.models import Establishment, EstablishmentKind
from lodging.registration.reports import FeedChannel

# A report delivered to the workspace: its receipt names it by its outbox key.
WORKSPACE_RECEIPT_PREFIX = "workspace:"


class Route(StrEnum):
    WORKSPACE = "workspace"
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
    workspace_provinces: Collection[int] = (),
) -> tuple[Route, str | None]:
    """The route of one report, and the address when it is e-mailed.

    ``https``: the channel has a receiver's URL; ``email``: e-mail can be sent at all
    (an SMTP server is configured: a mail written to a folder reaches nobody);
    ``workspace_provinces``: the provinces whose police work in this portal.
    """
    if establishment.police_province_code in workspace_provinces:
        return Route.WORKSPACE, None
    if https:
        return Route.HTTPS, None
    if email and email_allowed(channel, establishment.kind):
        address = receiving_address(session, establishment, channel)
        if address:
            return Route.EMAIL, address
    return Route.FILE_DROP, None
