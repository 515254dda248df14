"""Walk every GET route as every role: the database is the same before and after each.

The data is what a demo holds, built by the factories: an approved hotel with its owner
and staff, a declared stay (a citizen and a foreigner), a paid booking whose guest checked
in online (its voucher is waiting at the desk), a held booking, published content of every
type, outbox messages. Path variables get real ids; query strings are the ones the pages
themselves send.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.routing import Rule

from core.auth import services as accounts
from core.auth.roles import Role
from core.clock import local_now, utcnow
from core.database import Base
from core.outbox.messages import OutboxMessage
from lodging.feeds import batch_templates, handover_batches
from lodging.properties.models import Establishment
from lodging.properties.services import invitation_token
from lodging.registration.models import GuestRole, Stay
from portal.booking import services as booking_services
from portal.booking.desk import BookingDesk
from portal.booking.models import Booking, RatePlan
from portal.booking.services import Actor, GuestContact, StayRequest
from portal.destinations.models import ContentItem, ContentType
from tests.booking.conftest import add_plan
from tests.conftest import TEST_SECRET
from tests.destinations.content import make_item
from tests.factories import (
    TEST_CIPHER,
    citizen,
    declare,
    foreigner,
    log_in,
    make_establishment,
    make_user,
    stay_input,
)

# Whole tables that a read writes to, on purpose.
EXCLUDED_TABLES = {
    # Every read of a guest record by staff, police or an admin is audit-logged (Law
    # 91/2025, Decree 356/2025): the log of reads grows on a GET by law.
    "core_audit_entry": "the audit log of reads",
}
# Single columns that move on read, on purpose.
EXCLUDED_COLUMNS = {
    # The session's idle clock: an official's session ends after 30 idle minutes.
    ("core_login_session", "last_seen_at"): "when the signed-in session was last used",
    # Shown to the token's owner so an unused or leaked token can be spotted.
    ("core_api_token", "last_used_at"): "when the API token was last used",
    # The desk shows who last downloaded a hand-over batch, and when (a re-download is a GET).
    ("lodging_handover_batch", "downloaded_at"): "when the batch was last downloaded",
    ("lodging_handover_batch", "downloaded_by_label"): "who last downloaded the batch",
}


def snapshot(session: Session) -> dict[str, str]:
    """A digest of every row of every table (but the exclusions above), by table."""
    session.expire_all()
    digests = {}
    for table in Base.metadata.sorted_tables:
        if table.name in EXCLUDED_TABLES:
            continue
        columns = [c for c in table.columns if (table.name, c.name) not in EXCLUDED_COLUMNS]
        rows = session.execute(select(*columns).order_by(*table.primary_key.columns)).all()
        digests[table.name] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


@dataclass
class World:
    owner_email: str
    emails: dict[Role, str]
    establishment: Establishment
    stay: Stay
    booking: Booking
    held: Booking
    items: dict[ContentType, ContentItem]
    message_id: int
    invitation: str
    batch_id: int


def _booking(session: Session, plan_id: int, name: str, paid: bool) -> Booking:
    today = local_now().date()
    booking = booking_services.hold_room(
        session,
        plan_id,
        StayRequest(today, today + dt.timedelta(days=2), adults=2),
        GuestContact(name, "guest@example.com", "vi"),
        now=utcnow(),
        actor=Actor("guest", "web"),
    )
    if paid:
        booking_services.confirm_booking(
            session, booking, now=utcnow(), actor=Actor("guest", "web")
        )
    session.commit()
    return booking


def _handover_batch(session: Session, place: Establishment) -> int:
    """A hand-over batch of the foreign husband, waiting for its file number."""
    download = handover_batches.make_batch(
        session,
        place,
        batch_templates.FOREIGNERS_PORTAL,
        cipher=TEST_CIPHER,
        now=utcnow(),
        actor_id=None,
        actor_label="owner",
        address="127.0.0.1",
    )
    session.commit()
    return download.batch_id


def build_world(session: Session) -> World:
    users = {role: make_user(session, role) for role in Role}
    place = make_establishment(
        session, owner=users[Role.LODGING_OWNER], staff=(users[Role.LODGING_STAFF],)
    )
    add_plan(session, place)
    session.commit()
    family = (
        citizen(role=GuestRole.HEAD),
        foreigner(role=GuestRole.MEMBER, relationship="husband"),
    )
    stay = declare(session, place, stay_input(*family))
    plan_id = session.scalar(
        select(RatePlan.id).where(RatePlan.room_type_id == place.room_types[0].id)
    )
    assert plan_id is not None
    booking = _booking(session, plan_id, "Trần Văn Bình", paid=True)
    online = declare(session, place, stay_input(citizen(), room="102"), confirmed=False)
    assert BookingDesk().attach_self_checkin(session, place.id, booking.voucher, online.id)
    session.commit()
    items = {
        type_: make_item(
            session,
            type_,
            title=f"Mục {type_.value}",
            translations={"en": (type_.value, f"en-{type_.value}")},
        )
        for type_ in ContentType
    }
    session.commit()
    message_id = session.scalar(select(OutboxMessage.id).order_by(OutboxMessage.id))
    assert message_id is not None
    return World(
        owner_email=users[Role.LODGING_OWNER].email,
        emails={role: user.email for role, user in users.items()},
        establishment=place,
        stay=stay,
        booking=booking,
        held=_booking(session, plan_id, "Lê Thị Hoa", paid=False),
        items=items,
        message_id=message_id,
        invitation=invitation_token(TEST_SECRET, place, "new-staff@example.com"),
        batch_id=_handover_batch(session, place),
    )


SLUG_TYPES = {
    "destinations.show_place": ContentType.PLACE,
    "destinations.show_event": ContentType.EVENT,
    "destinations.event_calendar": ContentType.EVENT,
    "destinations.show_itinerary": ContentType.ITINERARY,
    "destinations.show_article": ContentType.ARTICLE,
}


def path_values(rule: Rule, world: World) -> dict[str, Any]:
    """Real values for the rule's variables (the ones without a default)."""
    place, stay = world.establishment, world.stay
    by_name: dict[str, Any] = {
        "lang": "en",
        "establishment_id": place.id,
        "stay_id": stay.id,
        "guest_id": stay.guests[0].id,
        "message_id": world.message_id,
        "item_id": world.items[ContentType.PLACE].id,
        "code": "en",
        "type_name": "place",
        "reference": world.booking.reference,
        "batch_id": world.batch_id,
        "commune_code": place.commune_code,
        "name": "missing.jpg",
        "filename": "css/portal.css",
        "id": stay.id if rule.endpoint == "registration_api.get_stay" else place.id,
        "token": {
            "self_checkin.stay_form": stay.checkin_token,
            "self_checkin.thanks": stay.checkin_token,
            "properties.accept_invitation": world.invitation,
        }.get(rule.endpoint, place.checkin_token),
    }
    if rule.endpoint in SLUG_TYPES:
        by_name["slug"] = f"en-{SLUG_TYPES[rule.endpoint].value}"
    return {name: by_name[name] for name in rule.arguments - set(rule.defaults or {})}


def query_strings(rule: Rule, world: World) -> list[str]:
    """The query strings the portal's own pages and clients send to the rule's URL."""
    today = local_now().date()
    stay_dates = f"from={today}&to={today + dt.timedelta(days=2)}&adults=2"
    voucher = world.booking.voucher
    queries = {
        "/<locale:lang>/desk/<int:establishment_id>/voucher": [
            f"code={voucher}",
            f"code={world.held.voucher}",
            "code=NOPE",
        ],
        "/<locale:lang>/desk/<int:establishment_id>/stays/new": [f"voucher={voucher}"],
        "/<locale:lang>/desk/": [f"establishment={world.establishment.id}"],
        "/<locale:lang>/desk/<int:establishment_id>/fallback/register.xlsx": [
            f"from={today}&to={today}"
        ],
        "/<locale:lang>/desk/<int:establishment_id>/history": ["page=2"],
        "/<locale:lang>/checkin/<token>": [f"voucher={voucher}"],
        "/<locale:lang>/lodging/book": [f"plan={world.booking.rate_plan_id}&{stay_dates}"],
        "/<locale:lang>/bookings/<reference>": ["paid=1"],
        "/<locale:lang>/lodging": [stay_dates],
        "/api/v1/availability": [stay_dates],
        "/<locale:lang>/search": ["q=ha+long", "q=khach+san&type=lodging"],
        "/api/v1/search": ["q=ha+long"],
        "/api/v1/suggest": ["q=ha"],
        "/<locale:lang>/places/": ["kind=bay"],
        "/<locale:lang>/events/": ["when=weekend"],
        "/<locale:lang>/dashboard/": ["period=month&format=csv", "format=xlsx"],
        "/<locale:lang>/dashboard/summary": [f"month={today:%Y-%m}"],
        "/api/v1/statistics/occupancy": ["period=month"],
        "/<locale:lang>/admin/feeds/": ["state=dead", "page=2"],
        "/<locale:lang>/establishments/": ["status=pending"],
        "/<locale:lang>/admin/content/": ["type=place&status=draft"],
        "/<locale:lang>/login": ["next=/en/desk/"],
    }
    return ["", *queries.get(rule.rule, [])]


def get_rules(app: Flask) -> Iterator[Rule]:
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or set()):
            yield rule


def visits(app: Flask, world: World) -> list[str]:
    with app.test_request_context():
        paths = []
        for rule in get_rules(app):
            path = url_for(rule.endpoint, **path_values(rule, world))
            for query in query_strings(rule, world):
                paths.append(f"{path}?{query}" if query else path)
    return paths


def signed_in(
    app: Flask, session: Session, world: World, role: Role | None
) -> tuple[FlaskClient, dict[str, str]]:
    """A browser signed in as ``role`` (None: anonymous) and its API header."""
    client = app.test_client()
    if role is None:
        return client, {}
    log_in(client, world.emails[role])
    user = accounts.find_user(session, world.emails[role])
    assert user is not None
    token = accounts.create_api_token(session, user, "walk", utcnow())
    session.commit()
    return client, {"Authorization": f"Bearer {token}"}


def test_the_walk_covers_every_get_route_with_real_ids(app, db_session):
    world = build_world(db_session)
    paths = visits(app, world)
    assert len(paths) > len(list(get_rules(app)))
    assert f"/en/desk/{world.establishment.id}/voucher?code={world.booking.voucher}" in paths


@pytest.mark.parametrize("role", [None, *Role], ids=lambda r: r or "anonymous")
def test_no_get_changes_the_database(app, db_session, role):
    world = build_world(db_session)
    client, headers = signed_in(app, db_session, world, role)
    changed = []
    for path in visits(app, world):
        before = snapshot(db_session)
        response = client.get(path, headers=headers if path.startswith("/api/") else {})
        response.close()  # static files are streamed from an open file
        assert response.status_code < 500, (path, response.status_code)
        after = snapshot(db_session)
        tables = sorted(name for name in before if before[name] != after[name])
        if tables:
            changed.append((path, tables))
    assert changed == []
